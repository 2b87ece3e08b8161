"""The ticket services: what each change does to a ticket, as agents and customers see it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from madoguchi.accounts.services import create_user
from madoguchi.tickets import services
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.models import SlaPolicy, Status, SupportGroup, Ticket
from madoguchi.tickets.permissions import access_ticket, visible_tickets

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db: None) -> Any:
    user = create_user(email="agent@tsukimi.example", password="x-long-password-1", role="agent")
    SupportGroup.objects.get(slug="general").members.add(user)
    return user


@pytest.fixture
def ticket(agent: Any) -> Ticket:
    ticket = services.open_ticket(
        subject="ログインできません",
        body="パスワードを入れてもエラーになります。",
        requester_email="hanako@example.jp",
        email_confirmed=True,
    )
    return services.move_to_group(
        ticket=ticket, group=SupportGroup.objects.get(slug="general"), by=None
    )


def test_the_first_agent_reply_is_the_first_response_and_waits_for_the_customer(
    ticket: Ticket, agent: Any
) -> None:
    message = services.add_agent_reply(ticket=ticket, body="お調べします。", by=agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.first_response_at == message.created_at
    services.add_agent_reply(ticket=ticket, body="追加のご案内です。", by=agent, status=None)
    ticket.refresh_from_db()
    assert ticket.first_response_at == message.created_at


def test_a_customer_reply_reopens_a_waiting_or_solved_ticket(ticket: Ticket, agent: Any) -> None:
    services.add_agent_reply(ticket=ticket, body="解決しましたか？", by=agent, status=Status.SOLVED)
    services.add_customer_message(ticket=ticket, body="まだです。")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_closed_ticket_takes_no_more_messages(ticket: Ticket, agent: Any) -> None:
    services.change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    for write in (
        lambda: services.add_customer_message(ticket=ticket, body="もう一度"),
        lambda: services.add_agent_reply(ticket=ticket, body="追記", by=agent),
        lambda: services.change_status(ticket=ticket, status=Status.OPEN, by=agent),
    ):
        with pytest.raises(TicketError) as refused:
            write()
        assert refused.value.code == TicketErrorCode.CLOSED


def test_blank_messages_are_refused_in_the_senders_language(ticket: Ticket) -> None:
    from django.utils import translation

    with translation.override("ja"), pytest.raises(TicketError) as refused:
        services.add_customer_message(ticket=ticket, body=" \u3000\n\u200b ")
    assert refused.value.message == "メッセージを入力してください。"


def test_only_a_member_of_the_group_can_be_assigned(ticket: Ticket, agent: Any) -> None:
    outsider = create_user(
        email="other@tsukimi.example", password="x-long-password-2", role="agent"
    )
    with pytest.raises(TicketError) as refused:
        services.assign_ticket(ticket=ticket, assignee=outsider, by=agent)
    assert refused.value.code == TicketErrorCode.NOT_A_MEMBER
    services.assign_ticket(ticket=ticket, assignee=agent, by=agent)
    moved = services.move_to_group(
        ticket=ticket, group=SupportGroup.objects.get(slug="security"), by=agent
    )
    assert moved.assignee is None


def test_tags_are_single_words_and_replaced_as_a_set(ticket: Ticket, agent: Any) -> None:
    services.set_tags(ticket=ticket, tags=["VIP", "二段階認証"], by=agent)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["vip", "二段階認証"]
    with pytest.raises(TicketError):
        services.set_tags(ticket=ticket, tags=["two words"], by=agent)
    services.set_tags(ticket=ticket, tags=["vip"], by=agent)
    assert list(ticket.tags.values_list("name", flat=True)) == ["vip"]


def test_a_solved_ticket_is_rated_once(ticket: Ticket) -> None:
    with pytest.raises(TicketError) as early:
        services.rate_ticket(ticket=ticket, rating=5, by=None)
    assert early.value.code == TicketErrorCode.NOT_SOLVED
    services.mark_solved_by_customer(ticket=ticket, by=None)
    for bad in (0, 6, True):
        with pytest.raises(TicketError):
            services.rate_ticket(ticket=ticket, rating=bad, by=None)
    rated = services.rate_ticket(ticket=ticket, rating=4, comment=" 早かったです ", by=None)
    assert (rated.csat_rating, rated.csat_comment) == (4, "早かったです")
    with pytest.raises(TicketError) as again:
        services.rate_ticket(ticket=ticket, rating=1, by=None)
    assert again.value.code == TicketErrorCode.ALREADY_RATED


def test_routing_sets_the_first_response_target_from_the_problem_type(ticket: Ticket) -> None:
    # No SLA policy matches: the problem type's expected first response counts, around the clock.
    SlaPolicy.objects.all().delete()
    routed_at = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)  # a Saturday night
    services.route_new_ticket(
        ticket_id=ticket.pk,
        group=SupportGroup.objects.get(slug="security"),
        priority="urgent",
        response_hours={"urgent": 1},
        reason="security: takeover",
        now=routed_at,
    )
    routed = Ticket.objects.get(pk=ticket.pk)
    assert routed.first_response_due_at == routed_at + timedelta(hours=1)
    assert routed.sla_policy is None
    assert routed.events.filter(kind="routed", data__reason="security: takeover").exists()


def test_agents_see_confirmed_tickets_of_their_groups_only(ticket: Ticket, agent: Any) -> None:
    from django.http import Http404

    outsider = create_user(email="sec@tsukimi.example", password="x-long-password-3", role="agent")
    SupportGroup.objects.get(slug="security").members.add(outsider)
    admin = create_user(email="admin@tsukimi.example", password="x-long-password-4", role="admin")
    editor = create_user(email="ed@tsukimi.example", password="x-long-password-5", role="editor")
    owner = create_user(email="hanako@example.jp", password="x-long-password-6")
    Ticket.objects.filter(pk=ticket.pk).update(customer=owner)
    hidden = services.open_ticket(
        subject="未確認", body="確認前のチケット", requester_email="visitor@example.com"
    )
    services.move_to_group(ticket=hidden, group=SupportGroup.objects.get(slug="general"), by=None)

    assert list(visible_tickets(agent)) == [ticket]
    assert set(visible_tickets(admin)) == {ticket, hidden}
    for user in (outsider, editor):
        assert not visible_tickets(user).exists()
        with pytest.raises(Http404):
            access_ticket(user, ticket.pk)
    assert access_ticket(owner, str(ticket.pk)) == ticket
    assert access_ticket(None, hidden.pk, granted={hidden.pk}) == hidden
    for guess in (hidden.pk + 1000, "1 OR 1=1", None, "../1"):
        with pytest.raises(Http404):
            access_ticket(owner, guess)


def test_a_closed_ticket_takes_no_internal_note(ticket: Ticket, agent: Any) -> None:
    services.change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    with pytest.raises(TicketError) as refused:
        services.add_internal_note(ticket=ticket, body="メモ", by=agent)
    assert refused.value.code == TicketErrorCode.CLOSED
