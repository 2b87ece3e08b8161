"""The history of a ticket: appended by services inside their transaction, hash-chained.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON form of the
entry, so `verify_history` finds any entry that was edited, removed or reordered later.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from madoguchi.tickets.models import EventKind, Ticket, TicketEvent

GENESIS = "0" * 64
SYSTEM_LABEL = "system"


def actor_label(actor: Any) -> str:
    """How the history names whoever acted: an email, an integration, or the system."""
    if actor is None:
        return SYSTEM_LABEL
    email = getattr(actor, "email", "")
    if email:
        return str(email)
    return str(actor)


def entry_hash(
    *,
    previous_hash: str,
    ticket_id: int,
    sequence: int,
    kind: str,
    actor_label: str,
    data: dict[str, Any],
    created_at: datetime,
) -> str:
    canonical = json.dumps(
        {
            "ticket": ticket_id,
            "sequence": sequence,
            "kind": kind,
            "actor": actor_label,
            "data": data,
            "at": created_at.isoformat(timespec="microseconds"),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def record(ticket: Ticket, kind: EventKind, *, actor: Any = None, **data: Any) -> TicketEvent:
    """Append one entry to `ticket`'s history; must run inside the service's transaction.

    The ticket row is locked first so two writers cannot take the same sequence number.
    `actor` is a user, an API token (anything with a useful `str`) or None for the system.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("ticket history must be written inside the change's transaction")
    if connection.vendor != "sqlite":
        # SQLite's IMMEDIATE transactions already let one writer in at a time.
        Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk").first()
    last = (
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )
    sequence, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    # JSON round trip: the hash must be computed over what the database gives back.
    data = json.loads(json.dumps(data, default=str))
    created_at = timezone.now()
    label = actor_label(actor)
    user = (
        actor
        if getattr(actor, "_meta", None) and actor._meta.label_lower == "accounts.user"
        else None
    )
    return TicketEvent.objects.create(
        ticket=ticket,
        sequence=sequence,
        kind=kind,
        actor=user,
        actor_label=label,
        data=data,
        created_at=created_at,
        previous_hash=previous,
        hash=entry_hash(
            previous_hash=previous,
            ticket_id=ticket.pk,
            sequence=sequence,
            kind=str(kind),
            actor_label=label,
            data=data,
            created_at=created_at,
        ),
    )


@dataclass(frozen=True)
class HistoryCheck:
    ok: bool
    entries: int
    first_bad_sequence: int | None = None
    problem: str = ""


def verify_history(ticket: Ticket) -> HistoryCheck:
    """Recompute the chain of `ticket`'s history and say where, if anywhere, it breaks."""
    previous = GENESIS
    expected_sequence = 1
    count = 0
    for event in TicketEvent.objects.filter(ticket=ticket).order_by("sequence").iterator():
        count += 1
        if event.sequence != expected_sequence:
            return HistoryCheck(False, count, event.sequence, "an entry is missing")
        if event.previous_hash != previous:
            return HistoryCheck(False, count, event.sequence, "the chain is broken")
        computed = entry_hash(
            previous_hash=previous,
            ticket_id=ticket.pk,
            sequence=event.sequence,
            kind=event.kind,
            actor_label=event.actor_label,
            data=event.data,
            created_at=event.created_at,
        )
        if computed != event.hash:
            return HistoryCheck(False, count, event.sequence, "an entry was changed")
        previous = event.hash
        expected_sequence += 1
    return HistoryCheck(True, count)
