"""Which SLA policy a ticket gets and the business calendar of an admin's business hours: the
seeded Tokyo office (Japanese holidays, the year-end closure), other time zones, across midnight,
and the admin's forms that explain each mistake."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from madoguchi.tickets import services
from madoguchi.tickets.models import BusinessHours, ProblemType, SlaPolicy, Ticket
from madoguchi.tickets.sla.policies import calendar_for, policy_for

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def route(ticket: Ticket, *, priority: str, at: datetime) -> Ticket:
    services.route_new_ticket(
        ticket_id=ticket.pk,
        group=ticket.group,
        priority=priority,
        reason="test",
        problem_type_id=ticket.problem_type_id,
        response_hours={},
        now=at,
    )
    return Ticket.objects.select_related("sla_policy").get(pk=ticket.pk)


def test_the_seeded_policies_give_each_priority_its_targets(db: None) -> None:
    deposit = ProblemType.objects.get(slug="deposit")
    security = ProblemType.objects.get(slug="security")
    names = {
        priority: policy_for(problem_type_id=deposit.pk, priority=priority)
        for priority in ("urgent", "high", "normal", "low")
    }
    assert {p: a.policy.name_en for p, a in names.items() if a} == {
        "urgent": "Urgent (around the clock)",
        "high": "High",
        "normal": "Normal",
        "low": "Low",
    }
    for priority in ("low", "urgent"):
        applied = policy_for(problem_type_id=security.pk, priority=priority)
        assert applied is not None
        assert applied.policy.name_en == "Security (around the clock)"
        assert applied.policy.business_hours is None
    office = names["normal"]
    assert office is not None
    assert office.policy.business_hours is not None
    assert office.policy.business_hours.name == "Tokyo office"


def test_the_seeded_first_responses_mirror_what_customers_are_told(db: None) -> None:
    # 24 h ("usually within a day") is one business day of nine hours; 72 h three; 8 h eight
    # business hours; urgent is one hour around the clock.
    hours = ProblemType.objects.get(slug="deposit").response_hours
    minutes = {
        policy.priority: policy.first_response_minutes
        for policy in SlaPolicy.objects.filter(problem_type=None)
    }
    assert minutes == {
        "urgent": hours["urgent"] * 60,
        "high": hours["high"] * 60,
        "normal": hours["normal"] // 24 * 9 * 60,
        "low": hours["low"] // 24 * 9 * 60,
    }


def test_the_first_matching_policy_in_position_order_applies(db: None) -> None:
    deposit = ProblemType.objects.get(slug="deposit")
    special = SlaPolicy.objects.create(
        name_ja="入金",
        name_en="Deposits",
        position=1,
        problem_type=deposit,
        first_response_minutes=30,
    )
    applied = policy_for(problem_type_id=deposit.pk, priority="low")
    assert applied is not None and applied.policy == special
    other = policy_for(problem_type_id=ProblemType.objects.get(slug="trading").pk, priority="low")
    assert other is not None and other.policy.name_en == "Low"
    special.is_active = False
    special.save()
    applied = policy_for(problem_type_id=deposit.pk, priority="low")
    assert applied is not None and applied.policy.name_en == "Low"


def test_a_ticket_sent_on_friday_evening_is_due_after_the_holiday_monday(
    make_ticket: Callable[..., Ticket],
) -> None:
    # Friday 2026-11-20 17:30 in Tokyo; Monday the 23rd is Labour Thanksgiving Day.
    ticket = route(
        make_ticket(), priority="normal", at=datetime(2026, 11, 20, 17, 30, tzinfo=TOKYO)
    )
    assert ticket.sla_policy is not None and ticket.sla_policy.name_en == "Normal"
    # Nine business hours: 30 minutes on Friday, 8 h 30 on Tuesday.
    assert ticket.first_response_due_at == datetime(2026, 11, 24, 17, 30, tzinfo=TOKYO)
    # Five business days of nine hours.
    assert ticket.resolution_due_at == datetime(2026, 11, 30, 17, 30, tzinfo=TOKYO)


def test_the_year_end_closure_stops_the_clock_from_december_31_to_january_3(
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = route(make_ticket(), priority="normal", at=datetime(2026, 12, 30, 17, 0, tzinfo=TOKYO))
    assert ticket.first_response_due_at == datetime(2027, 1, 4, 17, 0, tzinfo=TOKYO)


def test_urgent_tickets_count_around_the_clock_on_holidays_too(
    make_ticket: Callable[..., Ticket],
) -> None:
    at = datetime(2027, 1, 1, 3, 0, tzinfo=TOKYO)  # New Year's Day, at night
    ticket = route(make_ticket(), priority="urgent", at=at)
    assert ticket.first_response_due_at == at + timedelta(hours=1)
    assert ticket.resolution_due_at == at + timedelta(hours=8)


def test_a_night_shift_in_new_york_counts_across_midnight(
    make_ticket: Callable[..., Ticket],
) -> None:
    night = [["22:00", "24:00"], ["00:00", "06:00"]]
    hours = BusinessHours.objects.create(
        name="New York nights",
        time_zone="America/New_York",
        weekly_hours={day: night for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        holiday_country="",
        closed_every_year=[],
    )
    SlaPolicy.objects.create(
        name_ja="夜間",
        name_en="Nights",
        position=0,
        business_hours=hours,
        first_response_minutes=60,
    )
    # 23:30 on a Tuesday: 30 minutes before midnight, 30 after.
    ticket = route(make_ticket(), priority="high", at=datetime(2026, 3, 3, 23, 30, tzinfo=NEW_YORK))
    assert ticket.first_response_due_at == datetime(2026, 3, 4, 0, 30, tzinfo=NEW_YORK)
    # 05:30: half an hour left that night, the rest from 22:00 the next evening.
    later = route(
        make_ticket(body="二通目の問い合わせです。"),
        priority="high",
        at=datetime(2026, 3, 4, 5, 30, tzinfo=NEW_YORK),
    )
    assert later.first_response_due_at == datetime(2026, 3, 4, 22, 30, tzinfo=NEW_YORK)


def test_the_tokyo_office_calendar_knows_the_holidays_and_the_year_end(db: None) -> None:
    calendar = calendar_for(BusinessHours.objects.get(name="Tokyo office"))
    assert calendar.time_zone == "Asia/Tokyo"
    assert calendar.is_closed_on(date(2026, 11, 23))  # Labour Thanksgiving Day
    assert calendar.is_closed_on(date(2026, 12, 31))
    assert calendar.is_closed_on(date(2027, 1, 3))
    assert not calendar.is_closed_on(date(2026, 11, 24))


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"time_zone": "Asia/Tokio"}, "time_zone", "is not a time zone"),
        ({"weekly_hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}}, "weekly_hours",
         "overlap"),
        ({"weekly_hours": {"mon": [["18:00", "09:00"]]}}, "weekly_hours", "closes before it opens"),
        ({"weekly_hours": {"mon": [["9am", "18:00"]]}}, "weekly_hours", "is not a time"),
        ({"weekly_hours": {"monday": [["09:00", "18:00"]]}}, "weekly_hours", "map days"),
        ({"weekly_hours": {}}, "weekly_hours", "at least one day"),
        ({"closed_dates": ["2026-02-30"]}, "closed_dates", "is not a date"),
        ({"closed_every_year": ["13-01"]}, "closed_every_year", "is not a day of the year"),
        ({"holiday_country": "XX"}, "holiday_country", "No national holidays"),
    ],
)  # fmt: skip
def test_business_hours_that_make_no_sense_are_explained_in_words(
    db: None, changes: dict[str, Any], field: str, words: str
) -> None:
    hours = BusinessHours(name="x", **changes)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        calendar_for(hours)
    assert words in " ".join(error.value.message_dict[field])


def business_hours_post(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Osaka office",
        "time_zone": "Asia/Tokyo",
        "weekly_hours": json.dumps({"mon": [["10:00", "19:00"]], "sat": [["10:00", "15:00"]]}),
        "holiday_country": "jp",
        "closed_dates": json.dumps(["2026-12-29"]),
        "closed_every_year": json.dumps(["12-31", "01-01"]),
    }
    data.update(changes)
    return data


def test_an_admin_adds_business_hours_and_sees_each_mistake_next_to_its_field(
    admin_user: Any, login: Callable[[Any], Client]
) -> None:
    client = login(admin_user)
    url = "/en/admin/tickets/businesshours/add/"
    bad = business_hours_post(
        time_zone="Tokyo",
        weekly_hours=json.dumps({"mon": [["09:00", "12:00"], ["11:00", "18:00"]]}),
        closed_dates=json.dumps(["2026-13-01"]),
    )
    response = client.post(url, bad)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is not a time zone" in errors["time_zone"][0]
    assert "Monday: the opening hours overlap." in errors["weekly_hours"][0]
    assert "is not a date" in errors["closed_dates"][0]
    assert not BusinessHours.objects.filter(name="Osaka office").exists()

    response = client.post(url, business_hours_post())
    assert response.status_code == 302
    saved = BusinessHours.objects.get(name="Osaka office")
    assert saved.holiday_country == "JP"
    assert calendar_for(saved).hours[5] != ()


def sla_policy_post(**changes: Any) -> dict[str, Any]:
    data = {
        "name_ja": "VIP",
        "name_en": "VIP",
        "position": "5",
        "is_active": "on",
        "problem_type": "",
        "priority": "high",
        "business_hours": "",
        "first_response_minutes": "30",
        "next_response_minutes": "",
        "resolution_minutes": "",
        "warn_before_minutes": "10",
        "escalate_to_priority": "urgent",
        "escalate_to_group": "",
        "notify_on_breach": "on",
    }
    data.update(changes)
    return data


def test_an_admin_adds_a_policy_and_is_told_what_is_wrong_with_a_bad_one(
    admin_user: Any, login: Callable[[Any], Client]
) -> None:
    client = login(admin_user)
    url = "/en/admin/tickets/slapolicy/add/"
    response = client.post(url, sla_policy_post(first_response_minutes=""))
    assert "Set at least one target" in response.content.decode()
    response = client.post(url, sla_policy_post(warn_before_minutes="45"))
    assert "Warn before the shortest target (30 minutes)" in response.content.decode()
    response = client.post(url, sla_policy_post())
    assert response.status_code == 302
    applied = policy_for(problem_type_id=None, priority="high")
    assert applied is not None and applied.policy.name_en == "VIP"
    assert client.get("/en/admin/tickets/slapolicy/").status_code == 200
