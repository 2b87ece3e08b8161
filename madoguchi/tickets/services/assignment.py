"""Automatic assignment of new tickets inside their group, and agents saying they are away."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from madoguchi.tickets import events
from madoguchi.tickets.models import (
    AgentAvailability,
    Assignment,
    EventKind,
    SupportGroup,
    Ticket,
)
from madoguchi.tickets.routing.assignment import available_members, forget_header, pick_agent


def auto_assign(
    *, ticket: Ticket, group: SupportGroup, preferred_id: int | None = None
) -> Any | None:
    """Give an unassigned ticket of `group` to `preferred_id` (a routing rule's choice) when
    that agent is an available member, otherwise to the group's next agent by its assignment
    (round robin or least busy); nobody for a group assigned by hand. Returns the agent.

    The group row is locked while the agent is chosen and the cursor moved, so two tickets
    arriving at the same moment are given out one after the other, not both to one agent.
    `group.assignment` is trusted to skip the lock for a group assigned by hand.
    """
    if preferred_id is None and group.assignment not in (
        Assignment.ROUND_ROBIN,
        Assignment.LEAST_BUSY,
    ):
        return None
    with transaction.atomic():
        locked = (
            SupportGroup.objects.select_for_update()
            .only("pk", "slug", "assignment", "last_assigned")
            .get(pk=group.pk)
        )
        now = timezone.now()
        agent = None
        how = str(locked.assignment)
        if preferred_id is not None:
            agent = (
                available_members(locked, now=now)
                .filter(pk=preferred_id)
                .only("pk", "email")
                .first()
            )
            how = "rule"
        if agent is None:
            agent = pick_agent(locked, now=now)
            how = str(locked.assignment)
        if agent is None:
            return None
        taken = Ticket.objects.filter(pk=ticket.pk, assignee__isnull=True).update(
            assignee=agent, updated_at=now
        )
        if not taken:
            return None
        if how == Assignment.ROUND_ROBIN:
            # update(), not save(): a save would tell every process to reload its groups.
            SupportGroup.objects.filter(pk=locked.pk).update(last_assigned=agent)
        events.record(
            ticket,
            EventKind.ASSIGNED,
            old=None,
            new=agent.pk,
            assignee=agent.email,
            reason=how,
        )
    return agent


def set_availability(*, agent: Any, away: bool, until: datetime | None = None) -> AgentAvailability:
    """An agent says they are away (until `until`, or until they say they are back) or back.

    Automatic assignment skips them while they are away; the row keeps when it last changed.
    """
    if until is not None and timezone.is_naive(until):
        raise ValueError("away_until must be time-zone aware")
    # The header's copy goes now and once more after commit: a page between the two reads the
    # row as it was, and must not keep that.
    forget_header(agent)
    transaction.on_commit(lambda: forget_header(agent))
    with transaction.atomic():
        availability, _ = AgentAvailability.objects.select_for_update().get_or_create(agent=agent)
        availability.is_away = away
        availability.away_until = until if away else None
        availability.save(update_fields=["is_away", "away_until", "changed_at"])
    return availability
