"""Bulk actions on a selection of the queue: assign, tag, change status, close.

Each ticket goes through the ordinary service (assign_ticket, set_tags, change_status), in its
own transaction, so its history holds the same entry a single change would write, marked with
bulk=True. The selection is read through `visible_tickets`: an id the agent may not work on (or
that does not exist) is refused and named in the result, never acted on silently. One ticket
that refuses (closed, say) does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from madoguchi.tickets import events
from madoguchi.tickets.errors import TicketError
from madoguchi.tickets.models import Status, Ticket
from madoguchi.tickets.permissions import visible_tickets
from madoguchi.tickets.services.workflow import assign_ticket, change_status, set_tags

MAX_SELECTION = 100


class BulkAction(StrEnum):
    ASSIGN = "assign"
    ADD_TAGS = "add_tags"
    REMOVE_TAGS = "remove_tags"
    STATUS = "status"
    CLOSE = "close"


@dataclass
class BulkResult:
    """What happened to each selected id."""

    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    # Ids the agent cannot work on or that do not exist: the same answer for both.
    not_found: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


class BulkError(Exception):
    """The whole request is refused (too many tickets, nothing selected)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _selection(ids: Iterable[Any]) -> list[int]:
    chosen: list[int] = []
    for value in ids:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if pk > 0 and pk not in chosen:
            chosen.append(pk)
    if not chosen:
        raise BulkError(_("Select at least one ticket."))
    if len(chosen) > MAX_SELECTION:
        raise BulkError(_("Select at most %(count)s tickets at a time.") % {"count": MAX_SELECTION})
    return chosen


def _tag_names(ticket: Ticket) -> set[str]:
    # Prefetched by `bulk_update`: no query per ticket.
    return {tag.name for tag in ticket.tags.all()}


def bulk_update(
    *,
    ticket_ids: Iterable[Any],
    action: BulkAction | str,
    by: Any,
    assignee: Any = None,
    tags: Iterable[str] = (),
    status: str = "",
) -> BulkResult:
    """Apply one action to each selected ticket `by` may work on, through the ticket
    services; the others are named in the result. `assignee` None unassigns."""
    action = BulkAction(action)
    chosen = _selection(ticket_ids)
    tickets = {
        ticket.pk: ticket
        for ticket in visible_tickets(by)
        .filter(pk__in=chosen)
        .select_related("group")
        .prefetch_related("tags")
    }
    result = BulkResult(not_found=[pk for pk in chosen if pk not in tickets])
    wanted_tags = {tag.strip().lower() for tag in tags if tag.strip()}

    def change(ticket: Ticket) -> Callable[[], Any] | None:
        """The service call for this ticket, or None when it would change nothing."""
        if action == BulkAction.ASSIGN:
            new = assignee.pk if assignee is not None else None
            if ticket.assignee_id == new:
                return None
            return lambda: assign_ticket(ticket=ticket, assignee=assignee, by=by)
        if action in (BulkAction.ADD_TAGS, BulkAction.REMOVE_TAGS):
            current = _tag_names(ticket)
            after = (
                current | wanted_tags if action == BulkAction.ADD_TAGS else current - wanted_tags
            )
            if after == current:
                return None
            return lambda: set_tags(ticket=ticket, tags=after, by=by)
        target = Status.CLOSED if action == BulkAction.CLOSE else status
        if ticket.status == target:
            return None
        return lambda: change_status(ticket=ticket, status=target, by=by)

    with events.marked(bulk=True):
        for pk in chosen:
            ticket = tickets.get(pk)
            if ticket is None:
                continue
            call = change(ticket)
            if call is None:
                result.unchanged.append(pk)
                continue
            try:
                call()
            except TicketError as error:
                result.refused.append((pk, error.message))
            else:
                result.changed.append(pk)
    return result
