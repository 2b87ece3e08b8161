"""The people a customer copied in (mail Cc): added when the customer's mail names them,
removed by an agent. Both recorded in the ticket's history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from madoguchi.tickets import events
from madoguchi.tickets.models import EventKind, Ticket

# More than this is a mailing list or a mistake; the rest are left out, not an error.
MAX_COPIED = 10


def _address(value: str) -> str:
    address = value.strip()
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address.casefold()


def copy_in(
    *, ticket: Ticket, emails: Iterable[str], by: Any = None, locked: bool = False
) -> Ticket:
    """Add the valid addresses among `emails` that are not the customer's and not there yet.

    `locked` says the caller holds the ticket's row in its transaction and `ticket` is what
    the row holds (intake, which opened the ticket a moment ago): it is not read again.
    """
    wanted = [address for address in (_address(email) for email in emails) if address]
    with transaction.atomic():
        if not locked:
            ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        current = list(ticket.cc_emails)
        skip = {ticket.requester_email.casefold(), *current}
        added: list[str] = []
        for address in wanted:
            if address not in skip and len(current) + len(added) < MAX_COPIED:
                added.append(address)
                skip.add(address)
        if not added:
            return ticket
        ticket.cc_emails = [*current, *added]
        ticket.save(update_fields=["cc_emails", "updated_at"])
        events.record(ticket, EventKind.CC_CHANGED, actor=by, added=added, removed=[])
    return ticket


def remove_copied(*, ticket: Ticket, email: str, by: Any) -> Ticket:
    """Stop copying `email` on the answers (an agent's decision); unknown addresses are no-ops."""
    address = email.strip().casefold()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if address not in ticket.cc_emails:
            return ticket
        ticket.cc_emails = [value for value in ticket.cc_emails if value != address]
        ticket.save(update_fields=["cc_emails", "updated_at"])
        events.record(ticket, EventKind.CC_CHANGED, actor=by, added=[], removed=[address])
    return ticket
