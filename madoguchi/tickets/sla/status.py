"""Where a ticket stands against its SLA, from the ticket's own fields and no query: the next
target, when it is due, how long is left, and whether that is fine, close, breached or paused.
What the countdown in the console shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from madoguchi.tickets.models import SlaTarget, Status, Ticket

# Used when the ticket's policy is not loaded with it (a queue row): the policies' default.
DEFAULT_WARN_BEFORE = timedelta(minutes=30)


class SlaState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"


@dataclass(frozen=True)
class SlaStatus:
    target: SlaTarget
    due_at: datetime
    # Time left until due (negative once breached); while paused, what was left when it paused.
    remaining: timedelta
    state: SlaState

    @property
    def overdue(self) -> timedelta:
        return -self.remaining


def running_targets(ticket: Ticket) -> list[tuple[SlaTarget, datetime]]:
    """The targets still counting on an active ticket, with their due times, earliest first."""
    if not ticket.is_active:
        return []
    targets = []
    if ticket.first_response_at is None and ticket.first_response_due_at is not None:
        targets.append((SlaTarget.FIRST_RESPONSE, ticket.first_response_due_at))
    if ticket.next_response_due_at is not None:
        targets.append((SlaTarget.NEXT_RESPONSE, ticket.next_response_due_at))
    if ticket.resolution_due_at is not None:
        targets.append((SlaTarget.RESOLUTION, ticket.resolution_due_at))
    return sorted(targets, key=lambda pair: pair[1])


def warn_before(ticket: Ticket) -> timedelta:
    """The policy's warning time when the policy came with the ticket, else the default."""
    if Ticket.sla_policy.is_cached(ticket) and ticket.sla_policy is not None:
        return timedelta(minutes=ticket.sla_policy.warn_before_minutes)
    return DEFAULT_WARN_BEFORE


def sla_status(ticket: Ticket, *, now: datetime) -> SlaStatus | None:
    """The countdown of the ticket's next target; None when nothing is counting (no policy,
    every target met, or the ticket is solved or closed)."""
    targets = running_targets(ticket)
    if not targets:
        return None
    target, due = targets[0]
    if ticket.sla_paused_at is not None or ticket.status == Status.PENDING:
        paused_at = ticket.sla_paused_at or now
        return SlaStatus(target, due, due - paused_at, SlaState.PAUSED)
    remaining = due - now
    if remaining <= timedelta(0):
        state = SlaState.BREACHED
    elif remaining <= warn_before(ticket) or target in ticket.sla_warned:
        state = SlaState.WARNING
    else:
        state = SlaState.OK
    return SlaStatus(target, due, remaining, state)
