"""Bulk actions from the queue: each ticket changed through its service, marked bulk, refused
ids named and never touched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from madoguchi.tickets.events import verify_history
from madoguchi.tickets.models import EventKind, Status, Ticket
from madoguchi.tickets.services import change_status
from madoguchi.tickets.services.bulk import (
    MAX_SELECTION,
    BulkAction,
    BulkError,
    bulk_update,
)

pytestmark = pytest.mark.django_db

MakeTicket = Callable[..., Ticket]
Login = Callable[[Any], Client]
BULK = "/ja/agent/tickets/bulk/"


@pytest.fixture
def three(make_ticket: MakeTicket) -> list[Ticket]:
    return [make_ticket(subject=f"入金{n}") for n in range(3)]


@pytest.fixture
def theirs(make_ticket: MakeTicket) -> Ticket:
    ticket = make_ticket(problem_type="account", subject="ログインできません", fields={})
    assert ticket.group is not None and ticket.group.slug != "payments"
    return ticket


def test_the_bulk_url_is_where_the_queue_posts() -> None:
    assert reverse("tickets:agent_bulk") == BULK


def test_each_ticket_is_closed_through_the_service_and_its_history_says_bulk(
    three: list[Ticket], payments_agent: Any
) -> None:
    result = bulk_update(
        ticket_ids=[t.pk for t in three], action=BulkAction.CLOSE, by=payments_agent
    )
    assert result.changed == [t.pk for t in three]
    for ticket in three:
        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED and ticket.closed_at is not None
        entry = ticket.events.get(kind=EventKind.STATUS_CHANGED)
        assert entry.data["bulk"] is True and entry.data["new"] == Status.CLOSED
        assert entry.actor == payments_agent
        assert verify_history(ticket).ok


def test_tags_are_added_and_removed_without_touching_the_others(
    three: list[Ticket], payments_agent: Any
) -> None:
    ids = [t.pk for t in three]
    bulk_update(
        ticket_ids=ids, action="add_tags", tags=["btc-delay", "Incident"], by=payments_agent
    )
    for ticket in three:
        assert set(ticket.tags.values_list("name", flat=True)) == {"btc-delay", "incident"}
    result = bulk_update(
        ticket_ids=ids[:1], action="remove_tags", tags=["incident"], by=payments_agent
    )
    assert result.changed == ids[:1]
    assert set(three[0].tags.values_list("name", flat=True)) == {"btc-delay"}
    assert set(three[1].tags.values_list("name", flat=True)) == {"btc-delay", "incident"}
    entry = three[0].events.filter(kind=EventKind.TAGS_CHANGED).last()
    assert entry is not None and entry.data == {"added": [], "removed": ["incident"], "bulk": True}


def test_assigning_to_someone_outside_a_tickets_group_is_refused_for_that_ticket(
    three: list[Ticket], payments_agent: Any, general_agent: Any
) -> None:
    result = bulk_update(
        ticket_ids=[t.pk for t in three], action="assign", assignee=general_agent, by=payments_agent
    )
    assert result.changed == [] and [pk for pk, _ in result.refused] == [t.pk for t in three]
    done = bulk_update(
        ticket_ids=[t.pk for t in three],
        action="assign",
        assignee=payments_agent,
        by=payments_agent,
    )
    assert done.changed == [t.pk for t in three]
    again = bulk_update(
        ticket_ids=[t.pk for t in three],
        action="assign",
        assignee=payments_agent,
        by=payments_agent,
    )
    assert again.unchanged == [t.pk for t in three]


def test_another_groups_ticket_and_a_missing_id_are_refused_and_left_alone(
    three: list[Ticket], theirs: Ticket, payments_agent: Any
) -> None:
    before = theirs.events.count()
    result = bulk_update(
        ticket_ids=[three[0].pk, theirs.pk, 999_999, "x"], action="close", by=payments_agent
    )
    assert result.changed == [three[0].pk]
    assert result.not_found == [theirs.pk, 999_999]
    theirs.refresh_from_db()
    assert theirs.status != Status.CLOSED and theirs.events.count() == before


def test_a_closed_ticket_refuses_a_new_status_but_the_others_change(
    three: list[Ticket], payments_agent: Any
) -> None:
    change_status(ticket=three[0], status=Status.CLOSED, by=payments_agent)
    result = bulk_update(
        ticket_ids=[t.pk for t in three], action="status", status=Status.ON_HOLD, by=payments_agent
    )
    assert [pk for pk, _ in result.refused] == [three[0].pk]
    assert result.changed == [three[1].pk, three[2].pk]


def test_an_empty_or_oversized_selection_is_refused_whole(payments_agent: Any) -> None:
    with pytest.raises(BulkError):
        bulk_update(ticket_ids=[], action="close", by=payments_agent)
    with pytest.raises(BulkError):
        bulk_update(ticket_ids=range(1, MAX_SELECTION + 2), action="close", by=payments_agent)


def test_the_queue_offers_a_checkbox_per_ticket_for_the_bulk_form(
    three: list[Ticket], payments_agent: Any, login: Login
) -> None:
    page = login(payments_agent).get(reverse("tickets:agent_queue")).content.decode()
    assert 'id="bulk-form"' in page
    for ticket in three:
        assert f'name="tickets" value="{ticket.pk}" form="bulk-form"' in page


def test_the_agent_closes_a_selection_through_http_and_is_told_what_was_refused(
    three: list[Ticket], theirs: Ticket, payments_agent: Any, login: Login
) -> None:
    client = login(payments_agent)
    response = client.post(
        BULK,
        {
            "tickets": [three[0].pk, three[1].pk, theirs.pk],
            "action": "close",
            "next": "/ja/agent/tickets/?status=all",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/ja/agent/tickets/?status=all"
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(f"#{theirs.pk}" in text for text in texts)
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses[three[0].pk] == statuses[three[1].pk] == Status.CLOSED
    assert statuses[three[2].pk] != Status.CLOSED and statuses[theirs.pk] != Status.CLOSED


def test_assign_to_me_through_http(three: list[Ticket], payments_agent: Any, login: Login) -> None:
    response = login(payments_agent).post(
        BULK, {"tickets": [t.pk for t in three], "action": "assign", "assignee": "me"}
    )
    assert response.status_code == 302
    assert set(Ticket.objects.values_list("assignee_id", flat=True)) == {payments_agent.pk}


def test_a_redirect_elsewhere_is_not_followed(
    three: list[Ticket], payments_agent: Any, login: Login
) -> None:
    response = login(payments_agent).post(
        BULK, {"tickets": [three[0].pk], "action": "close", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("tickets:agent_queue")


def test_customers_and_signed_out_visitors_cannot_use_bulk_actions(
    three: list[Ticket], customer: Any, login: Login
) -> None:
    assert (
        login(customer).post(BULK, {"tickets": [three[0].pk], "action": "close"}).status_code == 404
    )
    assert login(None).post(BULK, {"tickets": [three[0].pk], "action": "close"}).status_code == 302
    three[0].refresh_from_db()
    assert three[0].status != Status.CLOSED


def test_a_bulk_close_takes_a_bounded_number_of_queries_per_ticket(
    make_ticket: MakeTicket, payments_agent: Any, django_assert_max_num_queries: Any
) -> None:
    tickets = [make_ticket(subject=f"件{n}") for n in range(10)]
    # The selection is read once; then each ticket's own transaction (lock, history, save,
    # the SLA clock's reads): about 8 queries a ticket, measured, with room for 10.
    with django_assert_max_num_queries(1 + 10 * len(tickets)):
        bulk_update(ticket_ids=[t.pk for t in tickets], action="close", by=payments_agent)
