"""The SLA clock of a ticket through the services that move it: routing starts it, waiting for
the customer stops it, answers and messages move the next-response target, a priority change
re-applies the policy, and the check warns, breaches and escalates each target once; the
countdown the console shows; `madoguchi check-sla`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from madoguchi.tickets import services
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.models import (
    EventKind,
    ProblemType,
    SlaPolicy,
    Status,
    SupportGroup,
    Ticket,
)
from madoguchi.tickets.services import sla
from madoguchi.tickets.services.sla import check_sla
from madoguchi.tickets.sla.queries import breaching_soon, with_next_due
from madoguchi.tickets.sla.status import SlaState, sla_status
from madoguchi.tickets.templatetags.sla import LocalTimes

TOKYO = ZoneInfo("Asia/Tokyo")


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("sla_policy").get(pk=ticket.pk)


def kinds(ticket: Ticket, kind: str) -> int:
    return ticket.events.filter(kind=kind).count()


@pytest.fixture
def fast_policy(db: None) -> SlaPolicy:
    """Deposits of any priority: an hour for each target, around the clock; on a breach the
    ticket becomes high and goes to the security group (an escalation desk in this test)."""
    return SlaPolicy.objects.create(
        name_ja="入金 (テスト)",
        name_en="Deposits (test)",
        position=0,
        problem_type=ProblemType.objects.get(slug="deposit"),
        first_response_minutes=60,
        next_response_minutes=30,
        resolution_minutes=240,
        warn_before_minutes=15,
        escalate_to_priority="high",
        escalate_to_group=SupportGroup.objects.get(slug="security"),
    )


def test_a_routed_ticket_starts_with_the_targets_of_its_policy(
    make_ticket: Callable[..., Ticket],
) -> None:
    before = timezone.now()
    ticket = fresh(make_ticket())
    assert ticket.sla_policy is not None and ticket.sla_policy.name_en == "Normal"
    assert ticket.first_response_due_at is not None and ticket.first_response_due_at > before
    assert ticket.resolution_due_at is not None
    assert ticket.resolution_due_at > ticket.first_response_due_at
    applied = ticket.events.get(kind=EventKind.SLA_APPLIED)
    assert applied.data["sla_policy"] == ticket.sla_policy.pk
    assert verify_history(ticket).ok


def test_a_security_ticket_counts_around_the_clock_from_the_start(
    make_ticket: Callable[..., Ticket],
) -> None:
    before = timezone.now()
    ticket = fresh(
        make_ticket(
            subject="アカウントが乗っ取られました",
            body="身に覚えのないログインがあり、パスワードが変更されました。",
            problem_type="security",
            fields={},
        )
    )
    assert ticket.priority == "urgent"
    assert ticket.sla_policy is not None
    assert ticket.sla_policy.name_en == "Security (around the clock)"
    assert ticket.first_response_due_at is not None
    assert before + timedelta(minutes=59) < ticket.first_response_due_at
    assert ticket.first_response_due_at < timezone.now() + timedelta(minutes=61)


def test_time_waiting_for_the_customer_does_not_count(
    make_ticket: Callable[..., Ticket], payments_agent: Any, fast_policy: SlaPolicy
) -> None:
    ticket = make_ticket()
    services.add_agent_reply(ticket=ticket, body="ご確認いたします。", by=payments_agent)
    waiting = fresh(ticket)
    assert waiting.status == Status.PENDING
    assert waiting.sla_paused_at is not None
    assert sla_status(waiting, now=timezone.now()).state == SlaState.PAUSED  # type: ignore[union-attr]
    # The customer takes two hours to answer.
    two_hours_ago = waiting.sla_paused_at - timedelta(hours=2)
    Ticket.objects.filter(pk=ticket.pk).update(sla_paused_at=two_hours_ago)
    due_before = waiting.resolution_due_at
    assert due_before is not None

    services.add_customer_message(ticket=ticket, body="TxIDを送ります。", by=None)

    resumed = fresh(ticket)
    assert resumed.status == Status.OPEN and resumed.sla_paused_at is None
    entry = resumed.events.get(kind=EventKind.SLA_RESUMED)
    waited = entry.created_at - two_hours_ago
    assert resumed.resolution_due_at is not None
    assert abs((resumed.resolution_due_at - due_before) - waited) < timedelta(seconds=1)
    assert entry.data["paused_business_seconds"] == pytest.approx(waited.total_seconds(), abs=1)
    assert kinds(resumed, EventKind.SLA_PAUSED) == 1


def test_a_priority_change_while_waiting_counts_the_wait_once(
    make_ticket: Callable[..., Ticket], payments_agent: Any, fast_policy: SlaPolicy
) -> None:
    ticket = make_ticket()
    services.add_agent_reply(ticket=ticket, body="ご確認ください。", by=payments_agent)
    two_hours_ago = fresh(ticket).sla_paused_at - timedelta(hours=2)  # type: ignore[operator]
    Ticket.objects.filter(pk=ticket.pk).update(sla_paused_at=two_hours_ago)
    services.change_priority(ticket=ticket, priority="high", by=payments_agent)
    services.add_customer_message(ticket=ticket, body="確認しました。", by=None)
    resumed = fresh(ticket)
    waited = resumed.events.get(kind=EventKind.SLA_RESUMED).created_at - two_hours_ago
    expected = resumed.created_at + timedelta(minutes=240) + waited
    assert resumed.resolution_due_at is not None
    assert abs(resumed.resolution_due_at - expected) < timedelta(seconds=1)


def test_a_pause_over_a_weekend_in_office_hours_moves_the_due_time_by_business_time_only(
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = fresh(make_ticket())  # the seeded "Normal" policy, Tokyo office hours
    friday_17 = datetime(2026, 11, 27, 17, 0, tzinfo=TOKYO)
    monday_10 = datetime(2026, 11, 30, 10, 0, tzinfo=TOKYO)
    due = datetime(2026, 11, 30, 12, 0, tzinfo=TOKYO)  # 4 business hours after Friday 17:00
    ticket.first_response_due_at = due
    ticket.sla_paused_at = friday_17
    ticket.status = Status.PENDING
    fields: list[str] = []
    with transaction.atomic():
        sla.resume_clock(ticket, now=monday_10, by=None, fields=fields)
        ticket.save(update_fields=fields)
    # Paused for two business hours (Friday 17-18, Monday 9-10), not the 65 hours between.
    assert fresh(ticket).first_response_due_at == datetime(2026, 11, 30, 14, 0, tzinfo=TOKYO)


def test_a_customer_message_after_an_answer_sets_the_next_response_and_the_answer_meets_it(
    make_ticket: Callable[..., Ticket], payments_agent: Any, fast_policy: SlaPolicy
) -> None:
    ticket = make_ticket()
    services.add_customer_message(ticket=ticket, body="追記です。", by=None)
    assert fresh(ticket).next_response_due_at is None  # still the first response's turn
    services.add_agent_reply(ticket=ticket, body="確認中です。", by=payments_agent, status=None)
    assert fresh(ticket).first_response_at is not None

    before = timezone.now()
    services.add_customer_message(ticket=ticket, body="まだですか？", by=None)
    first_due = fresh(ticket).next_response_due_at
    assert first_due is not None
    assert before + timedelta(minutes=30) <= first_due <= timezone.now() + timedelta(minutes=30)
    services.add_customer_message(ticket=ticket, body="よろしくお願いします。", by=None)
    assert fresh(ticket).next_response_due_at == first_due  # a second message waits as long

    services.add_agent_reply(ticket=ticket, body="反映しました。", by=payments_agent, status=None)
    answered = fresh(ticket)
    assert answered.next_response_due_at is None
    assert sla_status(answered, now=timezone.now()).target == "resolution"  # type: ignore[union-attr]


def test_a_priority_change_applies_the_policy_of_the_new_priority(
    make_ticket: Callable[..., Ticket], payments_agent: Any
) -> None:
    ticket = fresh(make_ticket())
    assert ticket.sla_policy is not None and ticket.sla_policy.name_en == "Normal"
    services.change_priority(ticket=ticket, priority="urgent", by=payments_agent)
    urgent = fresh(ticket)
    assert urgent.sla_policy is not None
    assert urgent.sla_policy.name_en == "Urgent (around the clock)"
    assert urgent.first_response_due_at == urgent.created_at + timedelta(hours=1)
    assert urgent.resolution_due_at == urgent.created_at + timedelta(hours=8)
    entry = urgent.events.filter(kind=EventKind.SLA_APPLIED).last()
    assert entry is not None and entry.data["reason"] == "priority changed"
    assert entry.actor == payments_agent


def test_a_warning_then_a_breach_then_an_escalation_each_happen_once(
    make_ticket: Callable[..., Ticket],
    payments_agent: Any,
    make_agent: Callable[..., Any],
    fast_policy: SlaPolicy,
    django_capture_on_commit_callbacks: Any,
) -> None:
    guard = make_agent("guard", groups=("security",))
    ticket = make_ticket()
    services.assign_ticket(ticket=ticket, assignee=payments_agent, by=payments_agent)
    start = fresh(ticket).first_response_due_at
    assert start is not None

    assert check_sla(now=start - timedelta(minutes=20)).warned == []
    with django_capture_on_commit_callbacks(execute=True):
        warned = check_sla(now=start - timedelta(minutes=10))
        again = check_sla(now=start - timedelta(minutes=5))
    assert warned.warned == [ticket.pk] and again.warned == []
    assert [m.to for m in mail.outbox] == [[payments_agent.email]]
    assert mail.outbox[0].subject.startswith("[SLA警告]")  # agents read Japanese
    assert sla_status(fresh(ticket), now=start - timedelta(minutes=5)).state == SlaState.WARNING  # type: ignore[union-attr]

    with django_capture_on_commit_callbacks(execute=True):
        breached = check_sla(now=start + timedelta(minutes=1))
        later = check_sla(now=start + timedelta(minutes=30))
    assert breached.breached == breached.escalated == [ticket.pk]
    assert later.breached == later.escalated == []
    escalated = fresh(ticket)
    assert escalated.priority == "high"
    assert escalated.group is not None and escalated.group.slug == "security"
    assert escalated.assignee is None  # not a member of the security group
    assert escalated.sla_breached == ["first_response"]
    for kind in (EventKind.SLA_WARNING, EventKind.SLA_BREACHED, EventKind.ESCALATED):
        assert kinds(escalated, kind) == 1
    record = escalated.events.get(kind=EventKind.ESCALATED).data
    assert record == {
        "targets": ["first_response"],
        "priority": "high",
        "group": "security",
        "notified": True,
    }
    breach_mail = mail.outbox[-1]
    assert breach_mail.subject.startswith("[SLA違反]")
    assert breach_mail.to == [guard.email]
    assert verify_history(escalated).ok
    countdown = sla_status(escalated, now=start + timedelta(minutes=30))
    assert countdown is not None and countdown.state == SlaState.BREACHED


def test_a_ticket_waiting_for_the_customer_is_neither_warned_nor_breached(
    make_ticket: Callable[..., Ticket], payments_agent: Any, fast_policy: SlaPolicy
) -> None:
    ticket = make_ticket()
    services.change_status(ticket=ticket, status=Status.PENDING, by=payments_agent)
    due = fresh(ticket).first_response_due_at
    assert due is not None
    outcome = check_sla(now=due + timedelta(hours=5))
    assert outcome.warned == outcome.breached == []
    assert fresh(ticket).sla_breached == []


def test_check_sla_command_escalates_what_is_overdue(
    make_ticket: Callable[..., Ticket], fast_policy: SlaPolicy
) -> None:
    ticket = make_ticket()
    # Sent two hours ago: the first response was due an hour ago.
    two_hours_ago = timezone.now() - timedelta(hours=2)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=two_hours_ago, first_response_due_at=two_hours_ago + timedelta(hours=1)
    )
    out = StringIO()
    call_command("check_sla", stdout=out)
    assert out.getvalue().strip() in (
        "0 warned, 1 breached, 1 escalated.",
        "警告 0 件、違反 1 件、エスカレーション 1 件。",
    )
    assert fresh(ticket).sla_breached == ["first_response"]
    out = StringIO()
    call_command("check_sla", stdout=out)
    assert "0" in out.getvalue() and kinds(ticket, EventKind.ESCALATED) == 1


def test_the_ticket_page_and_the_queue_show_the_countdown_without_more_queries(
    make_ticket: Callable[..., Ticket],
    payments_agent: Any,
    login: Callable[[Any], Client],
    django_assert_max_num_queries: Any,
) -> None:
    ticket = make_ticket()
    overdue = make_ticket(body="別件の問い合わせです。")
    Ticket.objects.filter(pk=overdue.pk).update(
        first_response_due_at=timezone.now() - timedelta(minutes=15, seconds=30)
    )
    client = login(payments_agent)
    page = client.get(f"/en/agent/tickets/{ticket.pk}/").content.decode()
    assert "sla-countdown--ok" in page and "First response due in" in page

    queue_url = "/en/agent/tickets/"
    client.get(queue_url)
    with django_assert_max_num_queries(100) as few:
        client.get(queue_url)
    for index in range(5):
        make_ticket(body=f"ほかの問い合わせ {index} です。")
    with django_assert_max_num_queries(len(few.captured_queries)):
        queue = client.get(queue_url).content.decode()
    assert queue.count("data-sla-countdown") == 7
    assert "First response breached 15 min ago" in queue
    assert "sla-countdown--breached" in queue


def test_a_paused_ticket_says_paused_and_a_solved_one_shows_no_countdown(
    make_ticket: Callable[..., Ticket], payments_agent: Any, login: Callable[[Any], Client]
) -> None:
    ticket = make_ticket()
    services.add_agent_reply(ticket=ticket, body="ご確認ください。", by=payments_agent)
    client = login(payments_agent)
    page = client.get(f"/en/agent/tickets/{ticket.pk}/").content.decode()
    assert "Resolution: paused" in page and "sla-countdown--paused" in page
    services.change_status(ticket=ticket, status=Status.SOLVED, by=payments_agent)
    solved = fresh(ticket)
    assert solved.sla_paused_at is None
    assert sla_status(solved, now=timezone.now()) is None
    assert (
        "data-sla-countdown" not in client.get(f"/en/agent/tickets/{ticket.pk}/").content.decode()
    )


def test_breaching_soon_lists_running_tickets_by_their_next_due_time(
    make_ticket: Callable[..., Ticket], payments_agent: Any
) -> None:
    now = timezone.now()
    answered, late, later, waiting, calm = (
        make_ticket(body=f"問い合わせ {index} です。") for index in range(5)
    )
    Ticket.objects.filter(pk=answered.pk).update(
        first_response_at=now - timedelta(hours=3),
        first_response_due_at=now - timedelta(hours=2),  # met: no longer counts
        resolution_due_at=now + timedelta(minutes=50),
    )
    Ticket.objects.filter(pk=late.pk).update(first_response_due_at=now - timedelta(minutes=5))
    Ticket.objects.filter(pk=later.pk).update(
        first_response_due_at=now + timedelta(hours=5),
        resolution_due_at=now + timedelta(minutes=20),
    )
    Ticket.objects.filter(pk=waiting.pk).update(
        status=Status.PENDING,
        sla_paused_at=now,
        first_response_due_at=now - timedelta(hours=1),
    )
    Ticket.objects.filter(pk=calm.pk).update(
        first_response_due_at=now + timedelta(hours=3), resolution_due_at=now + timedelta(days=2)
    )

    soon = list(breaching_soon(Ticket.objects.all(), now=now, within=timedelta(hours=1)))

    assert [ticket.pk for ticket in soon] == [late.pk, later.pk, answered.pk]
    assert soon[1].sla_next_due_at == now + timedelta(minutes=20)
    every = with_next_due(Ticket.objects.filter(pk=calm.pk)).get()
    assert every.sla_next_due_at == now + timedelta(hours=3)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
def test_the_queue_writes_each_due_time_as_djangos_short_date_format_does(
    language: str, zone: str
) -> None:
    start = datetime(2026, 3, 1, tzinfo=ZoneInfo("UTC"))
    with translation.override(language), timezone.override(zone):
        times = LocalTimes()
        for minutes in range(0, 60 * 24 * 400, 557):
            moment = start + timedelta(minutes=minutes, seconds=minutes % 60)
            local = times.local(moment)
            assert local == timezone.localtime(moment)
            assert times.short(local) == date_format(
                timezone.localtime(moment), "SHORT_DATETIME_FORMAT"
            )
