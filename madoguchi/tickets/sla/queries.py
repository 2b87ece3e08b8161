"""SLA reads for queues: the "next due" time of a ticket as a database expression the queue can
order by, and the tickets whose next target is breached or falls due soon.

A ticket's running targets are its first response (until answered), its next response (set
after a customer writes again, cleared by the answer) and its resolution. Pending tickets wait
for the customer, so their clock stands still and they are never "breaching soon"."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, DateTimeField, F, Q, QuerySet, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Least

from madoguchi.tickets.models import Status, Ticket

# Statuses whose SLA clock runs: pending stops it (the customer has the ball); solved and
# closed tickets have no targets left.
CLOCK_RUNNING_STATUSES = (Status.NEW, Status.OPEN, Status.ON_HOLD)

NEXT_DUE = "sla_next_due_at"


def _first_response_due() -> Case:
    # An answered first response is met: its due time stays for reports but no longer counts.
    return Case(
        When(first_response_at__isnull=True, then=F("first_response_due_at")),
        default=None,
        output_field=DateTimeField(),
    )


def next_due_expression() -> Combinable:
    """The earliest running due time of a ticket (NULL when it has none).

    LEAST() skips NULLs on PostgreSQL but returns NULL on SQLite, so each argument is a COALESCE
    over all three in a rotated order: never NULL unless all are, and the minimum is unchanged.
    """
    first = _first_response_due()
    following = F("next_response_due_at")
    resolution = F("resolution_due_at")
    return Least(
        Coalesce(first, following, resolution),
        Coalesce(following, resolution, first),
        Coalesce(resolution, first, following),
        output_field=DateTimeField(),
    )


def with_next_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """`tickets` annotated with `sla_next_due_at` (see next_due_expression)."""
    return tickets.annotate(**{NEXT_DUE: next_due_expression()})


def breaching_soon(
    tickets: QuerySet[Ticket], *, now: datetime, within: timedelta
) -> QuerySet[Ticket]:
    """The tickets of `tickets` whose clock runs and whose next target is breached already or
    falls due before `now + within`, most overdue first, annotated with `sla_next_due_at`.

    The filter is written per due column (each has an index with the status) rather than on the
    LEAST() expression, so the database need not compute it for every ticket."""
    limit = now + within
    due = (
        Q(first_response_at__isnull=True, first_response_due_at__lte=limit)
        | Q(next_response_due_at__lte=limit)
        | Q(resolution_due_at__lte=limit)
    )
    running = tickets.filter(status__in=CLOCK_RUNNING_STATUSES, sla_paused_at__isnull=True)
    return with_next_due(running.filter(due)).order_by(F(NEXT_DUE).asc(), "pk")
