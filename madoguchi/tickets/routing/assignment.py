"""Which agent of a group gets a new ticket: round robin or the least busy, skipping agents who
are away, deactivated or no longer agents; nobody for a group assigned by hand.

These are reads; `madoguchi.tickets.services.assignment.auto_assign` locks the group row around
them, so two tickets arriving at once do not both go to one agent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from madoguchi.accounts.models import Role
from madoguchi.tickets.models import ACTIVE_STATUSES, AgentAvailability, Assignment, SupportGroup


def away(now: datetime) -> Q:
    """Users who said they are away, until a time still to come or until they say otherwise."""
    return Q(availability__is_away=True) & (
        Q(availability__away_until__isnull=True) | Q(availability__away_until__gt=now)
    )


def available_members(group: SupportGroup, *, now: datetime | None = None) -> QuerySet[Any]:
    """The group's members who can take a ticket now, by id."""
    return (
        get_user_model()
        .objects.filter(support_groups=group, is_active=True, role__in=(Role.AGENT, Role.ADMIN))
        .exclude(away(now or timezone.now()))
        .order_by("pk")
    )


def pick_agent(group: SupportGroup, *, now: datetime | None = None) -> Any | None:
    """The member who gets the group's next ticket under its assignment, or None.

    Round robin: the first available member after the one who got the last ticket (by id,
    wrapping around). Least busy: the available member with the fewest active tickets assigned,
    the lowest id among equals.
    """
    if group.assignment == Assignment.ROUND_ROBIN:
        members = list(available_members(group, now=now).only("pk", "email"))
        if not members:
            return None
        cursor = group.last_assigned_id or 0
        return next((member for member in members if member.pk > cursor), members[0])
    if group.assignment == Assignment.LEAST_BUSY:
        return (
            available_members(group, now=now)
            .only("pk", "email")
            .annotate(
                load=Count(
                    "assigned_tickets",
                    filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES),
                )
            )
            .order_by("load", "pk")
            .first()
        )
    return None


def is_away(agent: Any, *, now: datetime | None = None) -> bool:
    """Whether `agent` said they are away, and the time they gave has not come yet."""
    return AgentAvailability.objects.filter(
        Q(away_until__isnull=True) | Q(away_until__gt=now or timezone.now()),
        agent=agent,
        is_away=True,
    ).exists()


# What the console header shows is kept in the shared cache, so that pages pay no query for it:
# set_availability drops the entry (at once and after commit), the next page reads the row
# again. The key carries when the account was made, so a reused id never inherits an entry.
HEADER_SECONDS = 300


def header_key(agent: Any) -> str:
    joined = agent.date_joined.timestamp() if agent.date_joined else 0
    return f"madoguchi:tickets:away:{agent.pk}:{joined}"


def shows_away(agent: Any, *, now: datetime | None = None) -> bool:
    """`is_away` for the console header, from the cache when it can."""
    key = header_key(agent)
    state = cache.get(key)
    if state is None:
        # ("away", until or None) or ("back", None): None alone would read as a cache miss.
        availability = AgentAvailability.objects.filter(agent=agent).first()
        away = availability is not None and availability.is_away
        state = ("away", availability.away_until) if away and availability else ("back", None)
        cache.set(key, state, HEADER_SECONDS)
    kind, until = state
    if kind != "away":
        return False
    return until is None or until > (now or timezone.now())


def forget_header(agent: Any) -> None:
    cache.delete(header_key(agent))
