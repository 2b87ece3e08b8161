"""SLA reads for queues: the "next due" time of a ticket as a database expression the queue can
order by, and the tickets whose next target is breached or falls due soon.

A ticket's running targets are its first response (until answered), its next response (set
after a customer writes again, cleared by the answer) and its resolution. Pending tickets wait
for the customer, so their clock stands still and they are never "breaching soon"."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, QuerySet

from madoguchi.tickets.models import Ticket, expressions
from madoguchi.tickets.models.core import CLOCK_RUNNING_STATUSES

__all__ = ["CLOCK_RUNNING_STATUSES", "NEXT_DUE", "breaching_soon", "with_next_due"]

NEXT_DUE = "sla_next_due_at"


def with_next_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """`tickets` annotated with `sla_next_due_at` (see models.expressions.next_due)."""
    return tickets.annotate(**{NEXT_DUE: expressions.next_due()})


def breaching_soon(
    tickets: QuerySet[Ticket], *, now: datetime, within: timedelta
) -> QuerySet[Ticket]:
    """The tickets of `tickets` whose clock runs and whose next target is breached already or
    falls due before `now + within`, most overdue first, annotated with `sla_next_due_at`.

    The filter is on the expression itself, which the partial index `ticket_running_next_due`
    answers as a range scan; the statuses and `sla_paused_at` here must match its condition."""
    limit = now + within
    running = tickets.filter(
        status__in=CLOCK_RUNNING_STATUSES,
        sla_paused_at__isnull=True,
        email_confirmed_at__isnull=False,
    )
    return (
        with_next_due(running)
        .filter(**{f"{NEXT_DUE}__lte": limit})
        .order_by(F(NEXT_DUE).asc(), "pk")
    )
