"""The report's figures for the known tickets of conftest.py, counted by the database."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from madoguchi.reports.selectors import Breakdown, Period, Scope, report
from madoguchi.tickets.models import SupportGroup
from tests.reports.conftest import Desk

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 10))
pytestmark = pytest.mark.django_db


def group_ids(*slugs: str) -> tuple[int, ...]:
    return tuple(SupportGroup.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def rows_by_label(result: Any) -> dict[str, Any]:
    return {row.label: row for row in result.rows}


def test_the_totals_count_what_happened_in_the_period_by_its_own_clock(desk: Desk) -> None:
    totals = report(scope=Scope(None), period=NOVEMBER, breakdown=Breakdown.GROUP).totals
    assert totals.created == 4  # t5 was created in October
    assert totals.solved == 3  # t5 was solved in November all the same
    assert totals.responded == 3  # t1, t2, t3; t4 never answered, t5 in October
    assert totals.first_response_average == timedelta(hours=3)  # (2 + 6 + 1) / 3
    assert totals.first_response_median == timedelta(hours=2)
    assert totals.resolution_average == timedelta(hours=88)  # (24 + 72 + 168) / 3
    assert totals.resolution_median == timedelta(hours=72)
    # First response: t1, t3 met; t2 late; t4 never answered and overdue.
    assert (totals.first_response_judged, totals.first_response_missed) == (4, 2)
    assert totals.first_response_compliance == 50.0
    # Resolution: t1 met, t2 late; t3 not due yet; t4, t5 without a target.
    assert (totals.resolution_judged, totals.resolution_missed) == (2, 1)
    assert totals.rated == 2
    assert totals.rating_average == 3.5
    assert totals.ratings == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert totals.satisfaction == 50.0
    assert totals.deflections == 3  # the October one is outside the period
    assert totals.created_on_form == 2  # t1 and t3; t2 came by email, t4 by chat
    assert totals.deflection_rate == 60.0  # 3 / (3 + 2)
    assert (totals.shown_suggestions, totals.opened_suggestions) == (1, 1)


def test_a_median_of_an_even_number_of_durations_is_the_mean_of_the_middle_two(
    desk: Desk,
) -> None:
    payments = report(
        scope=Scope(group_ids("payments")), period=NOVEMBER, breakdown=Breakdown.GROUP
    ).totals
    assert payments.responded == 2
    assert payments.first_response_median == timedelta(hours=4)  # (2 + 6) / 2
    assert payments.resolution_median == timedelta(hours=72)  # 24, 72, 168


def test_figures_per_group_count_only_each_groups_tickets_and_deflections(desk: Desk) -> None:
    rows = rows_by_label(report(scope=Scope(None), period=NOVEMBER, breakdown=Breakdown.GROUP))
    payments, general = rows["入出金サポート"], rows["一般サポート"]
    assert (payments.created, payments.solved, payments.responded) == (2, 3, 2)
    assert (general.created, general.solved, general.responded) == (2, 0, 1)
    assert payments.first_response_compliance == 50.0
    assert general.first_response_compliance == 50.0
    assert (payments.deflections, general.deflections) == (2, 1)
    assert payments.deflection_rate == pytest.approx(200 / 3)  # 2 / (2 + t1)
    assert general.deflection_rate == 50.0  # 1 / (1 + t3)
    assert payments.rating_average == 3.5
    assert general.rated == 0
    assert general.rating_average is None


def test_figures_per_agent_put_unanswered_tickets_under_unassigned(desk: Desk) -> None:
    rows = rows_by_label(report(scope=Scope(None), period=NOVEMBER, breakdown=Breakdown.AGENT))
    assert set(rows) == {desk.pay.email, desk.general.email, "Unassigned"} or set(rows) == {
        desk.pay.email,
        desk.general.email,
        "未割り当て",
    }
    pay = rows[desk.pay.email]
    assert (pay.created, pay.solved, pay.first_response_median) == (2, 3, timedelta(hours=4))
    assert pay.deflections is None  # no agent sees a deflection


def test_figures_per_channel_give_the_form_every_deflection(desk: Desk) -> None:
    result = report(scope=Scope(None), period=NOVEMBER, breakdown=Breakdown.CHANNEL)
    rows = {row.key: row for row in result.rows}
    assert {key: row.created for key, row in rows.items()} == {"web": 2, "email": 1, "chat": 1}
    assert rows["web"].deflections == 3
    assert rows["email"].deflections == 0


def test_figures_per_problem_type(desk: Desk) -> None:
    result = report(scope=Scope(None), period=NOVEMBER, breakdown=Breakdown.PROBLEM_TYPE)
    rows = {row.key: row for row in result.rows}
    by_slug = {row.label: (row.created, row.deflections) for row in rows.values()}
    assert sorted(by_slug.values()) == [(1, 0), (1, 2), (2, 1)]


def test_days_count_tickets_created_and_solved_on_each_day_in_japan_time(desk: Desk) -> None:
    days = report(scope=Scope(None), period=NOVEMBER, breakdown=Breakdown.GROUP).days
    assert len(days) == 10
    busy = [(day.day.day, day.created, day.solved) for day in days if day.created or day.solved]
    assert busy == [
        (2, 2, 0),
        (3, 0, 1),
        (4, 1, 0),
        (5, 1, 1),
        (6, 0, 1),
    ]


def test_days_follow_a_time_zone_with_daylight_saving_time(desk: Desk, settings: Any) -> None:
    # New York leaves daylight saving time on 1 November 2026: the days are counted through
    # Django's time-zone conversion, not a fixed offset. t1 (2 Nov 10:00 JST) is 1 Nov 20:00
    # there, t2 (2 Nov 09:00 JST) 1 Nov 19:00.
    settings.TIME_ZONE = "America/New_York"
    days = report(scope=Scope(None), period=NOVEMBER, breakdown=Breakdown.GROUP).days
    assert [(day.day.day, day.created) for day in days if day.created][:1] == [(1, 2)]


def test_a_period_without_tickets_has_zeros_and_no_averages(db: None) -> None:
    result = report(scope=Scope(None), period=NOVEMBER, breakdown=Breakdown.AGENT)
    assert result.rows == []
    assert result.totals.created == 0
    assert result.totals.first_response_median is None
    assert result.totals.first_response_compliance is None
    assert result.totals.deflection_rate is None
    assert len(result.days) == 10
