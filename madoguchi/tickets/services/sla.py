"""The SLA clock of each ticket: started when the ticket is routed, stopped while it waits for
the customer, moved on by the answers and messages, and checked for warnings and breaches.

The functions taking `fields` change a locked ticket in memory inside the caller's transaction
(the conversation and workflow services) and name the fields to save, like `set_status`.
`check_sla` is a service of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from madoguchi.tickets import events, tasks
from madoguchi.tickets.models import (
    PRIORITY_RANK,
    EventKind,
    Priority,
    SlaPolicy,
    SlaTarget,
    Status,
    Ticket,
    TicketEvent,
)
from madoguchi.tickets.sla import add_business_time, business_time_between
from madoguchi.tickets.sla.calendar import BusinessCalendar
from madoguchi.tickets.sla.policies import (
    AROUND_THE_CLOCK,
    AppliedPolicy,
    policy_by_id,
    policy_for,
)
from madoguchi.tickets.sla.queries import CLOCK_RUNNING_STATUSES, breaching_soon
from madoguchi.tickets.sla.status import running_targets

DUE_FIELDS = {
    SlaTarget.FIRST_RESPONSE: "first_response_due_at",
    SlaTarget.NEXT_RESPONSE: "next_response_due_at",
    SlaTarget.RESOLUTION: "resolution_due_at",
}
FALLBACK_HOURS = {"urgent": 1, "high": 8, "normal": 24, "low": 72}


@dataclass(frozen=True)
class Targets:
    """The due times a policy sets for a ticket that starts counting at `start`."""

    policy_id: int | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None

    def as_data(self) -> dict[str, Any]:
        return {
            "sla_policy": self.policy_id,
            "first_response_due_at": _iso(self.first_response_due_at),
            "resolution_due_at": _iso(self.resolution_due_at),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _due(
    start: datetime, minutes: int | None, calendar: BusinessCalendar, extra: timedelta
) -> datetime | None:
    if minutes is None:
        return None
    return add_business_time(start, timedelta(minutes=minutes) + extra, calendar)


def targets_for(
    applied: AppliedPolicy | None,
    *,
    start: datetime,
    priority: str,
    response_hours: Mapping[str, Any],
    paused: timedelta = timedelta(0),
) -> Targets:
    """The first-response and resolution due times counted from `start` (plus `paused`, business
    time the ticket spent waiting for the customer since).

    With no matching policy, the problem type's expected first response (`response_hours`, the
    hours the customer is told) counts around the clock, and there is no other target."""
    if applied is None:
        # A typo in the admin's hours stops routing: intake keeps the message in its quarantine.
        hours = int(response_hours.get(priority, FALLBACK_HOURS.get(priority, 24)))
        return Targets(None, _due(start, hours * 60, AROUND_THE_CLOCK, paused), None)
    policy, calendar = applied.policy, applied.calendar
    return Targets(
        policy.pk,
        _due(start, policy.first_response_minutes, calendar, paused),
        _due(start, policy.resolution_minutes, calendar, paused),
    )


def calendar_of(ticket: Ticket) -> BusinessCalendar:
    applied = policy_by_id(ticket.sla_policy_id)
    return applied.calendar if applied else AROUND_THE_CLOCK


def _forget(ticket: Ticket, target: SlaTarget, fields: list[str]) -> None:
    """Let a target warn and breach again (a new cycle of it, or a later due time)."""
    if target in ticket.sla_warned:
        ticket.sla_warned = [t for t in ticket.sla_warned if t != target]
        fields.append("sla_warned")
    if target in ticket.sla_breached:
        ticket.sla_breached = [t for t in ticket.sla_breached if t != target]
        fields.append("sla_breached")


def pause_clock(ticket: Ticket, *, now: datetime, by: Any, fields: list[str]) -> None:
    """The ticket waits for the customer: its targets stop counting."""
    if ticket.sla_paused_at is not None or not running_targets(ticket):
        return
    ticket.sla_paused_at = now
    fields.append("sla_paused_at")
    events.record(ticket, EventKind.SLA_PAUSED, actor=by)


def resume_clock(ticket: Ticket, *, now: datetime, by: Any, fields: list[str]) -> None:
    """The ticket needs the desk again: each due time still ahead when the clock stopped moves
    on by the business time that passed while it stood still."""
    paused_at = ticket.sla_paused_at
    if paused_at is None:
        return
    calendar = calendar_of(ticket)
    moved: dict[str, str] = {}
    for target, due in running_targets(ticket):
        if due <= paused_at:
            continue  # breached before it paused: waiting does not undo that
        left = business_time_between(paused_at, due, calendar)
        new_due = add_business_time(now, left, calendar)
        setattr(ticket, DUE_FIELDS[target], new_due)
        fields.append(DUE_FIELDS[target])
        moved[target] = new_due.isoformat()
    ticket.sla_paused_at = None
    fields.append("sla_paused_at")
    events.record(
        ticket,
        EventKind.SLA_RESUMED,
        actor=by,
        paused_at=paused_at.isoformat(),
        paused_business_seconds=int(
            business_time_between(paused_at, now, calendar).total_seconds()
        ),
        due=moved,
    )


def status_changed(ticket: Ticket, old: str, *, now: datetime, by: Any, fields: list[str]) -> None:
    """Called by `set_status` after the ticket moved from `old` to its current status."""
    if old == Status.PENDING:
        resume_clock(ticket, now=now, by=by, fields=fields)
    if ticket.status == Status.PENDING:
        pause_clock(ticket, now=now, by=by, fields=fields)


def agent_answered(ticket: Ticket, *, fields: list[str]) -> None:
    """A public answer meets the next response the customer was waiting for (the first response
    is met by `add_agent_reply` itself, which sets `first_response_at`)."""
    if ticket.next_response_due_at is not None:
        ticket.next_response_due_at = None
        fields.append("next_response_due_at")
    _forget(ticket, SlaTarget.NEXT_RESPONSE, fields)


def customer_wrote(ticket: Ticket, *, now: datetime, fields: list[str]) -> None:
    """A customer message after an answer starts the next-response target (a second message
    before the answer keeps the earlier due time)."""
    if ticket.first_response_at is None or ticket.next_response_due_at is not None:
        return
    if ticket.status not in CLOCK_RUNNING_STATUSES:
        return
    applied = policy_by_id(ticket.sla_policy_id)
    if applied is None or applied.policy.next_response_minutes is None:
        return
    ticket.next_response_due_at = add_business_time(
        now, timedelta(minutes=applied.policy.next_response_minutes), applied.calendar
    )
    fields.append("next_response_due_at")


def _paused_so_far(ticket: Ticket, calendar: BusinessCalendar) -> timedelta:
    """Business time of the ticket's finished waits for the customer, from its history. A wait
    still going on is left out: resuming moves the due times on by it."""
    resumed = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_RESUMED).values_list(
        "data", "created_at"
    )
    intervals = [
        (datetime.fromisoformat(data["paused_at"]), at)
        for data, at in resumed
        if isinstance(data, dict) and data.get("paused_at")
    ]
    return sum(
        (business_time_between(start, end, calendar) for start, end in intervals), timedelta(0)
    )


def reapply_policy(
    ticket: Ticket, *, now: datetime, by: Any, fields: list[str], reason: str
) -> None:
    """Set the targets of the policy that matches the ticket's problem type and priority now,
    counted from when the ticket arrived, minus the time it waited for the customer."""
    applied = policy_for(problem_type_id=ticket.problem_type_id, priority=ticket.priority)
    if applied is None:
        return  # no policy matches: the targets it has keep counting
    paused = _paused_so_far(ticket, applied.calendar)
    targets = targets_for(
        applied, start=ticket.created_at, priority=ticket.priority, response_hours={}, paused=paused
    )
    before = {target: getattr(ticket, DUE_FIELDS[target]) for target in DUE_FIELDS}
    ticket.sla_policy = applied.policy
    ticket.first_response_due_at = targets.first_response_due_at
    ticket.resolution_due_at = targets.resolution_due_at
    fields += ["sla_policy", "first_response_due_at", "resolution_due_at"]
    for target in (SlaTarget.FIRST_RESPONSE, SlaTarget.RESOLUTION):
        due, old = getattr(ticket, DUE_FIELDS[target]), before[target]
        # A breach stays a breach unless the new policy really gives the target more time.
        if due is None or (due > now and (old is None or due > old)):
            _forget(ticket, target, fields)
    events.record(ticket, EventKind.SLA_APPLIED, actor=by, reason=reason, **targets.as_data())


# --- Warnings, breaches and escalation --------------------------------------


@dataclass
class CheckOutcome:
    """What one `check_sla` run did: ticket ids per kind of action."""

    warned: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


def _max_warn_before() -> timedelta:
    minutes = SlaPolicy.objects.filter(is_active=True).order_by("-warn_before_minutes")
    largest = minutes.values_list("warn_before_minutes", flat=True).first()
    return timedelta(minutes=max(largest or 0, 30))


def check_sla(*, now: datetime | None = None) -> CheckOutcome:
    """Warn before each target is breached and escalate each breach, once each.

    Run every minute (the worker of `madoguchi serve` does; `madoguchi check-sla` from cron).
    Each ticket is handled in its own transaction on a locked, re-read row, so two checks that
    run at once do not warn or escalate twice."""
    now = now or timezone.now()
    outcome = CheckOutcome()
    candidates = breaching_soon(Ticket.objects.all(), now=now, within=_max_warn_before())
    for ticket_id in list(candidates.values_list("pk", flat=True)):
        _check_ticket(ticket_id, now=now, outcome=outcome)
    return outcome


def _check_ticket(ticket_id: int, *, now: datetime, outcome: CheckOutcome) -> None:
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("sla_policy")
            .filter(pk=ticket_id, status__in=CLOCK_RUNNING_STATUSES, sla_paused_at__isnull=True)
            .first()
        )
        if ticket is None:
            return
        policy = ticket.sla_policy
        warn = timedelta(minutes=policy.warn_before_minutes if policy else 30)
        breached: list[tuple[SlaTarget, datetime]] = []
        fields: list[str] = []
        for target, due in running_targets(ticket):
            if target in ticket.sla_breached:
                continue
            if due <= now:
                breached.append((target, due))
                ticket.sla_breached = [*ticket.sla_breached, target]
                fields.append("sla_breached")
                events.record(ticket, EventKind.SLA_BREACHED, target=target, due=due.isoformat())
            elif due - now <= warn and target not in ticket.sla_warned:
                ticket.sla_warned = [*ticket.sla_warned, target]
                fields.append("sla_warned")
                events.record(ticket, EventKind.SLA_WARNING, target=target, due=due.isoformat())
                tasks.enqueue_on_commit(
                    tasks.send_sla_warning, ticket_id=ticket.pk, target=str(target)
                )
                outcome.warned.append(ticket.pk)
        if fields:
            ticket.save(update_fields=sorted(set(fields)))
        if breached:
            outcome.breached.append(ticket.pk)
            _escalate(ticket, policy, [target for target, _ in breached])
            outcome.escalated.append(ticket.pk)


def _rank(priority: str) -> int:
    return PRIORITY_RANK.get(Priority(priority), 0) if priority in Priority.values else 0


def _escalate(ticket: Ticket, policy: SlaPolicy | None, targets: list[SlaTarget]) -> None:
    """What the policy says to do on a breach: raise the priority, move the ticket to another
    group, tell the people who work on it. Recorded as one ESCALATED entry."""
    # workflow imports the conversation services, which import this module.
    from madoguchi.tickets.services.workflow import change_priority, move_to_group

    done: dict[str, Any] = {"targets": [str(target) for target in targets]}
    reason = "sla breach: " + ", ".join(done["targets"])
    raise_to = policy.escalate_to_priority if policy is not None else ""
    if raise_to and _rank(raise_to) > _rank(ticket.priority):
        change_priority(ticket=ticket, priority=raise_to, by=None, reason=reason)
        done["priority"] = raise_to
    group = policy.escalate_to_group if policy is not None else None
    if group is not None and group.pk != ticket.group_id:
        move_to_group(ticket=ticket, group=group, by=None, reason=reason)
        done["group"] = group.slug
    notify = policy.notify_on_breach if policy is not None else True
    done["notified"] = notify
    events.record(ticket, EventKind.ESCALATED, **done)
    if notify:
        tasks.enqueue_on_commit(tasks.send_sla_breach, ticket_id=ticket.pk, targets=done["targets"])
