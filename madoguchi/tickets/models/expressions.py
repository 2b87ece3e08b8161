"""Database expressions over a ticket's fields that the queues order and filter by and that
indexes are built on: one definition each, so that a query and its index cannot drift apart."""

from __future__ import annotations

from django.db.models import Case, DateTimeField, F, IntegerField, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Least


def urgent_first() -> Case:
    """0 for an urgent ticket, 1 for any other: the queues' first sort key."""
    return Case(
        When(priority="urgent", then=Value(0)), default=Value(1), output_field=IntegerField()
    )


def due_for_queue() -> Coalesce:
    """The queues' second sort key: the first-response due time, or the arrival time of a ticket
    that has none (it was never routed), so that such a ticket comes early rather than last.
    No NULLs, so the index needs no NULLS LAST, which SQLite cannot index."""
    return Coalesce(F("first_response_due_at"), F("created_at"), output_field=DateTimeField())


def first_response_due() -> Case:
    """The first-response due time while it still runs; an answered first response is met (its
    due time stays for reports but no longer counts)."""
    return Case(
        When(first_response_at__isnull=True, then=F("first_response_due_at")),
        default=None,
        output_field=DateTimeField(),
    )


def next_due() -> Combinable:
    """The earliest running due time of a ticket (NULL when it has none).

    LEAST() skips NULLs on PostgreSQL but returns NULL on SQLite, so each argument is a COALESCE
    over all three in a rotated order: never NULL unless all are, and the minimum is unchanged.
    """
    first = first_response_due()
    following = F("next_response_due_at")
    resolution = F("resolution_due_at")
    return Least(
        Coalesce(first, following, resolution),
        Coalesce(following, resolution, first),
        Coalesce(resolution, first, following),
        output_field=DateTimeField(),
    )
