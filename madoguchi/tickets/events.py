"""The history of a ticket: appended by services inside their transaction, hash-chained.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical JSON form of the
entry, so `verify_history` finds any entry that was edited, removed or reordered later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from madoguchi.tickets import live
from madoguchi.tickets.models import EventKind, Ticket, TicketEvent
from madoguchi.tickets.search_documents import index_after_commit

GENESIS = "0" * 64
SYSTEM_LABEL = "system"

# Data every entry recorded inside `marked(...)` carries, such as bulk=True for a bulk action
# that runs the ordinary services ticket by ticket.
_marks: ContextVar[dict[str, Any]] = ContextVar("madoguchi_history_marks", default={})  # noqa: B039


@contextmanager
def marked(**data: Any) -> Iterator[None]:
    """Add `data` to every history entry recorded inside the block (in this thread)."""
    token = _marks.set({**_marks.get(), **data})
    try:
        yield
    finally:
        _marks.reset(token)


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


class _Tip:
    """The last entry this transaction appended to one ticket's history.

    Registered as a do-nothing commit hook: Django drops the hooks of a savepoint that rolls
    back, so a tip still among the hooks, at the place it was put, is an entry that stands.
    """

    __slots__ = ("hash", "sequence")

    def __init__(self, sequence: int, hash: str) -> None:
        self.sequence = sequence
        self.hash = hash

    def __call__(self) -> None:
        return None


# Per connection: ticket id -> (the tip's place among the commit hooks, the tip). Only a hint:
# an entry is trusted when the very tip is still at that place in the running transaction.
_TIPS = "madoguchi_history_tips"
_MAX_TIPS = 256


def _tip_in_transaction(connection: Any, ticket_id: int) -> tuple[int, str] | None:
    found = getattr(connection, _TIPS, {}).get(ticket_id)
    if found is None:
        return None
    place, tip = found
    hooks = connection.run_on_commit
    if place < len(hooks) and hooks[place][1] is tip:
        return (tip.sequence, tip.hash)
    return None


def _remember_tip(connection: Any, ticket_id: int, event: TicketEvent) -> None:
    tips = getattr(connection, _TIPS, None)
    if tips is None or len(tips) > _MAX_TIPS:
        tips = {}
        setattr(connection, _TIPS, tips)
    tip = _Tip(event.sequence, event.hash)
    tips[ticket_id] = (len(connection.run_on_commit), tip)
    connection.on_commit(tip)


def record(
    ticket: Ticket,
    kind: EventKind,
    *,
    actor: Any = None,
    after: TicketEvent | None = None,
    fresh_ticket: bool = False,
    **data: Any,
) -> TicketEvent:
    """Append one entry to `ticket`'s history; must run inside the service's transaction.

    The ticket row is locked first so two writers cannot take the same sequence number.
    `actor` is a user, an API token (anything with a useful `str`) or None for the system.
    `after` is the entry the caller appended just before, in this same transaction (the row
    lock holds since then): the new entry follows it without reading the history back. The
    same holds without `after` for any entry this transaction appended to the ticket before
    (and did not roll back). `fresh_ticket` says the ticket was inserted in this very
    transaction: no history yet, and no other transaction can see the row to write to it.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("ticket history must be written inside the change's transaction")
    last: tuple[int, str] | None
    if after is not None:
        last = (after.sequence, after.hash)
    elif fresh_ticket:
        last = None
    elif (tip := _tip_in_transaction(connection, ticket.pk)) is not None:
        last = tip
    else:
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
    data = json.loads(json.dumps({**_marks.get(), **data}, default=str))
    created_at = timezone.now()
    label = actor_label(actor)
    user = (
        actor
        if getattr(actor, "_meta", None) and actor._meta.label_lower == "accounts.user"
        else None
    )
    event = TicketEvent.objects.create(
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
    _remember_tip(connection, ticket.pk, event)
    # Open agent pages hear of it once the change commits (live.py); no query here.
    live.announce(event, group_id=ticket.group_id)
    # Every change to a ticket passes here, so the search index hears of each one (once per
    # transaction, after commit) without any service having to remember it.
    index_after_commit(ticket.pk)
    return event


class HistoryBreak(StrEnum):
    """Where a history stops holding; the agent page and the evidence checks name each."""

    MISSING = "an entry is missing"
    BROKEN = "the chain is broken"
    CHANGED = "an entry was changed"


@dataclass(frozen=True)
class HistoryCheck:
    ok: bool
    entries: int
    first_bad_sequence: int | None = None
    problem: HistoryBreak | None = None


class HistoryEntryLike(Protocol):
    """A history entry as stored (TicketEvent) or as read back from an evidence archive."""

    @property
    def sequence(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def actor_label(self) -> str: ...
    @property
    def data(self) -> Any: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def previous_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


def check_chain(ticket_id: int, entries: Iterable[HistoryEntryLike]) -> HistoryCheck:
    """Recompute the chain of `entries` (in sequence order) and say where, if anywhere, it
    breaks: a sequence number skipped is a missing entry, one repeated or out of order a
    broken chain."""
    previous = GENESIS
    count = 0
    for count, entry in enumerate(entries, start=1):
        if entry.sequence != count:
            problem = HistoryBreak.MISSING if entry.sequence > count else HistoryBreak.BROKEN
            return HistoryCheck(False, count, entry.sequence, problem)
        if entry.previous_hash != previous:
            return HistoryCheck(False, count, entry.sequence, HistoryBreak.BROKEN)
        computed = entry_hash(
            previous_hash=previous,
            ticket_id=ticket_id,
            sequence=entry.sequence,
            kind=entry.kind,
            actor_label=entry.actor_label,
            data=entry.data,
            created_at=entry.created_at,
        )
        if computed != entry.hash:
            return HistoryCheck(False, count, entry.sequence, HistoryBreak.CHANGED)
        previous = entry.hash
    return HistoryCheck(True, count)


def verify_history(ticket: Ticket) -> HistoryCheck:
    """Recompute the chain of `ticket`'s history and say where, if anywhere, it breaks."""
    stored = TicketEvent.objects.filter(ticket=ticket).order_by("sequence").iterator()
    return check_chain(ticket.pk, stored)
