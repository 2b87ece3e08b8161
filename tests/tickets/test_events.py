"""The history of a ticket: written with every change, hash-chained, any later edit found."""

from __future__ import annotations

import pytest
from django.db import transaction

from madoguchi.accounts.services import create_user
from madoguchi.tickets import events, services
from madoguchi.tickets.models import EventKind, Status, SupportGroup, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _ticket() -> Ticket:
    return services.open_ticket(
        subject="出金が届きません",
        body="昨日申請した出金がまだ届いていません。",
        requester_email="taro@example.jp",
        email_confirmed=True,
    )


def test_every_change_adds_one_entry_naming_who_did_it() -> None:
    agent = create_user(email="agent@tsukimi.example", password="x-long-password-1", role="agent")
    ticket = _ticket()
    group = SupportGroup.objects.get(slug="payments")
    group.members.add(agent)
    services.move_to_group(ticket=ticket, group=group, by=agent)
    services.assign_ticket(ticket=ticket, assignee=agent, by=agent)
    services.add_agent_reply(ticket=ticket, body="確認いたします。", by=agent)
    services.set_tags(ticket=ticket, tags=["出金", "btc"], by=agent)

    history = list(ticket.events.order_by("sequence"))
    assert [event.kind for event in history] == [
        EventKind.CREATED,
        EventKind.MESSAGE_ADDED,
        EventKind.GROUP_CHANGED,
        EventKind.ASSIGNED,
        EventKind.MESSAGE_ADDED,
        EventKind.STATUS_CHANGED,
        EventKind.TAGS_CHANGED,
    ]
    assert [event.sequence for event in history] == list(range(1, 8))
    assert history[0].actor_label == "system"
    assert {event.actor_label for event in history[2:]} == {"agent@tsukimi.example"}
    assert history[5].data == {"old": Status.NEW, "new": Status.PENDING}
    assert history[6].data == {"added": ["btc", "出金"], "removed": []}
    assert events.verify_history(ticket).ok


def test_an_edited_entry_breaks_the_chain_at_that_entry() -> None:
    ticket = _ticket()
    services.change_status(ticket=ticket, status=Status.OPEN, by=None)
    services.change_priority(ticket=ticket, priority="high", by=None)
    TicketEvent.objects.filter(ticket=ticket, sequence=3).update(
        data={"old": "new", "new": "solved"}
    )

    check = events.verify_history(ticket)
    assert not check.ok
    assert check.first_bad_sequence == 3
    assert check.problem == "an entry was changed"


def test_a_removed_entry_is_found() -> None:
    ticket = _ticket()
    services.change_status(ticket=ticket, status=Status.OPEN, by=None)
    services.change_status(ticket=ticket, status=Status.SOLVED, by=None)
    TicketEvent.objects.filter(ticket=ticket, sequence=2).delete()

    check = events.verify_history(ticket)
    assert (check.ok, check.first_bad_sequence) == (False, 3)


def test_an_entry_rewritten_with_a_fresh_hash_still_breaks_the_next_one() -> None:
    ticket = _ticket()
    services.change_status(ticket=ticket, status=Status.OPEN, by=None)
    first = TicketEvent.objects.get(ticket=ticket, sequence=1)
    forged = events.entry_hash(
        previous_hash=first.previous_hash,
        ticket_id=ticket.pk,
        sequence=1,
        kind=first.kind,
        actor_label="someone-else@example.com",
        data=first.data,
        created_at=first.created_at,
    )
    TicketEvent.objects.filter(pk=first.pk).update(
        actor_label="someone-else@example.com", hash=forged
    )

    check = events.verify_history(ticket)
    assert (check.ok, check.first_bad_sequence, check.problem) == (False, 2, "the chain is broken")


@pytest.mark.django_db(transaction=True)
def test_history_is_written_only_inside_the_changes_transaction() -> None:
    ticket = _ticket()
    with pytest.raises(RuntimeError):
        events.record(ticket, EventKind.ROUTED)


def test_a_failed_change_leaves_no_history_behind() -> None:
    ticket = _ticket()
    before = ticket.events.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.change_status(ticket=ticket, status=Status.OPEN, by=None)
        1 / 0  # noqa: B018 - the change's caller fails after the service returned
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert ticket.events.count() == before


@pytest.mark.django_db(transaction=True)
def test_entries_after_a_change_rolled_back_within_one_transaction_still_chain() -> None:
    # Intake writes many entries in one transaction; one part failing inside it (a savepoint
    # rolled back) must not leave the next entry chained to an entry that is gone.
    with transaction.atomic():
        ticket = _ticket()
        services.change_status(ticket=ticket, status=Status.OPEN, by=None)
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            services.change_priority(ticket=ticket, priority="high", by=None)
            1 / 0  # noqa: B018 - the part fails after its service wrote history
        services.change_priority(ticket=ticket, priority="urgent", by=None)

    history = ticket.events.order_by("sequence")
    changes = [event.data["new"] for event in history if event.kind == EventKind.PRIORITY_CHANGED]
    assert changes == ["urgent"]
    assert events.verify_history(ticket).ok
