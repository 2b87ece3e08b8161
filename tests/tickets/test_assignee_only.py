"""Groups where only the assignee may reply: the ticket page says why the reply box is gone,
the reply view and the service refuse others, notes stay open to the whole group, and
administrators may still step in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from madoguchi.tickets import services
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.models import Message, SupportGroup, Ticket

pytestmark = pytest.mark.django_db

Login = Callable[[Any], Client]
MakeTicket = Callable[..., Ticket]
RESERVED_JA = "このグループでは、担当者だけがお客様に返信できます"


@pytest.fixture
def reserved_group() -> SupportGroup:
    group = SupportGroup.objects.get(slug="payments")
    group.only_assignee_replies = True
    group.save(update_fields=["only_assignee_replies"])
    return group


@pytest.fixture
def colleague(make_agent: Callable[..., Any]) -> Any:
    return make_agent("colleague", groups=("payments",))


@pytest.fixture
def taken(payments_agent: Any, make_ticket: MakeTicket) -> Ticket:
    """A payments ticket its agent has taken."""
    ticket = make_ticket()
    services.assign_ticket(ticket=ticket, assignee=payments_agent, by=payments_agent)
    return ticket


def page(client: Client, ticket: Ticket, language: str = "ja") -> str:
    response = client.get(f"/{language}/agent/tickets/{ticket.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def reply(client: Client, ticket: Ticket, body: str = "確認いたします。") -> Any:
    return client.post(f"/ja/agent/tickets/{ticket.pk}/reply/", {"body": body, "status": "pending"})


def test_the_assignee_replies_as_usual(
    reserved_group: SupportGroup, payments_agent: Any, taken: Ticket, login: Login
) -> None:
    ticket = taken
    client = login(payments_agent)
    assert f'action="/ja/agent/tickets/{ticket.pk}/reply/"' in page(client, ticket)
    assert reply(client, ticket).status_code == 302
    assert Message.objects.filter(ticket=ticket, author=payments_agent).count() == 1


def test_another_agent_sees_why_there_is_no_reply_box_and_who_may_answer(
    reserved_group: SupportGroup,
    payments_agent: Any,
    colleague: Any,
    taken: Ticket,
    login: Login,
) -> None:
    ticket = taken
    html = page(login(colleague), ticket)
    assert f"/agent/tickets/{ticket.pk}/reply/" not in html
    assert RESERVED_JA in html and payments_agent.email in html
    # Notes stay open to the group, and taking the ticket is one click away.
    assert f'action="/ja/agent/tickets/{ticket.pk}/note/"' in html
    assert 'data-key="a"' in html
    english = page(login(colleague), ticket, "en")
    assert "In this group only the ticket's assignee may reply to the customer" in english


def test_another_agents_reply_is_refused_in_words_and_their_text_kept(
    reserved_group: SupportGroup,
    payments_agent: Any,
    colleague: Any,
    taken: Ticket,
    login: Login,
) -> None:
    ticket = taken
    response = reply(login(colleague), ticket, "長い返信の下書き")
    html = response.content.decode()
    assert response.status_code == 400
    assert RESERVED_JA in html
    assert "長い返信の下書き" in html
    assert not Message.objects.filter(ticket=ticket, author=colleague).exists()


def test_another_agent_may_still_add_an_internal_note(
    reserved_group: SupportGroup,
    payments_agent: Any,
    colleague: Any,
    taken: Ticket,
    login: Login,
) -> None:
    ticket = taken
    response = login(colleague).post(
        f"/ja/agent/tickets/{ticket.pk}/note/", {"body": "先週も同じ相談がありました。"}
    )
    assert response.status_code == 302
    assert Message.objects.get(ticket=ticket, author=colleague).is_internal


def test_an_unassigned_ticket_is_taken_before_anyone_replies(
    reserved_group: SupportGroup, payments_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    client = login(payments_agent)
    html = page(client, ticket)
    assert "まだ誰も担当していません" in html
    assert reply(client, ticket).status_code == 400
    taken = client.post(f"/ja/agent/tickets/{ticket.pk}/assignee/", {"assignee": "me"})
    assert taken.status_code == 302
    assert reply(client, ticket).status_code == 302


def test_the_service_refuses_too_whoever_calls_it(
    reserved_group: SupportGroup,
    payments_agent: Any,
    colleague: Any,
    taken: Ticket,
) -> None:
    ticket = taken
    with pytest.raises(TicketError) as refused:
        services.add_agent_reply(ticket=ticket, body="横から失礼します。", by=colleague)
    assert refused.value.code == TicketErrorCode.ASSIGNEE_ONLY
    assert not Message.objects.filter(ticket=ticket, author=colleague).exists()


def test_the_service_reads_the_assignment_under_its_lock_not_the_callers_copy(
    reserved_group: SupportGroup,
    payments_agent: Any,
    colleague: Any,
    make_ticket: MakeTicket,
) -> None:
    ticket = make_ticket()
    services.assign_ticket(ticket=ticket, assignee=colleague, by=colleague)
    stale = Ticket.objects.get(pk=ticket.pk)
    # Someone else takes the ticket after the colleague's page was loaded.
    services.assign_ticket(ticket=ticket, assignee=payments_agent, by=payments_agent)
    with pytest.raises(TicketError):
        services.add_agent_reply(ticket=stale, body="返信します。", by=colleague)


def test_an_administrator_may_step_in_without_taking_the_ticket(
    reserved_group: SupportGroup,
    payments_agent: Any,
    admin_user: Any,
    taken: Ticket,
    login: Login,
) -> None:
    ticket = taken
    client = login(admin_user)
    assert RESERVED_JA not in page(client, ticket)
    assert reply(client, ticket).status_code == 302
    assert Message.objects.filter(ticket=ticket, author=admin_user).exists()


def test_groups_without_the_option_let_every_member_reply(
    colleague: Any, taken: Ticket, login: Login
) -> None:
    ticket = taken
    assert reply(login(colleague), ticket).status_code == 302


def test_another_groups_agent_still_gets_not_found(
    reserved_group: SupportGroup, general_agent: Any, make_ticket: MakeTicket, login: Login
) -> None:
    ticket = make_ticket()
    client = login(general_agent)
    assert client.get(f"/ja/agent/tickets/{ticket.pk}/").status_code == 404
    assert reply(client, ticket).status_code == 404
