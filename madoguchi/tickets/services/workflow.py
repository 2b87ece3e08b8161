"""Moving a ticket along: status, priority, group, assignee, tags, confirmation, rating."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from madoguchi.tickets import events, outbound
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.models import (
    DeliveryKind,
    EventKind,
    Priority,
    Status,
    SupportGroup,
    Tag,
    Ticket,
)
from madoguchi.tickets.services import sla
from madoguchi.tickets.services.conversation import set_status
from madoguchi.tickets.sla.policies import policy_for

_TAG = re.compile(r"^[^\s,]{1,50}$")
CSAT_COMMENT_CHARS = 2000


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def change_status(*, ticket: Ticket, status: str, by: Any) -> Ticket:
    """An agent sets the status; a closed ticket stays closed."""
    if status not in Status.values:
        raise TicketError(TicketErrorCode.BAD_STATUS)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status == Status.CLOSED and status != Status.CLOSED:
            raise TicketError(TicketErrorCode.CLOSED)
        fields = ["updated_at"]
        solving = status == Status.SOLVED and ticket.status != Status.SOLVED
        set_status(ticket, status, by=by, fields=fields)
        ticket.save(update_fields=fields)
        if solving:
            # A reply that solves is itself the news; solving without a word is told by a
            # notice the customer can reply to (reopening it) or unsubscribe from.
            outbound.queue_notice(ticket, kind=DeliveryKind.SOLVED)
    return ticket


def mark_solved_by_customer(*, ticket: Ticket, by: Any) -> Ticket:
    """The customer says the problem is solved; they are asked for a rating next."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if not ticket.is_active:
            return ticket
        fields = ["updated_at"]
        set_status(ticket, Status.SOLVED, by=by, fields=fields)
        ticket.save(update_fields=fields)
    return ticket


def change_priority(*, ticket: Ticket, priority: str, by: Any, reason: str = "") -> Ticket:
    if priority not in Priority.values:
        raise TicketError(TicketErrorCode.BAD_PRIORITY)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.priority != priority:
            events.record(
                ticket,
                EventKind.PRIORITY_CHANGED,
                actor=by,
                old=ticket.priority,
                new=priority,
                reason=reason,
            )
            ticket.priority = priority
            fields = ["priority", "updated_at"]
            if ticket.is_active:
                sla.reapply_policy(
                    ticket, now=timezone.now(), by=by, fields=fields, reason="priority changed"
                )
            ticket.save(update_fields=fields)
    return ticket


def move_to_group(
    *, ticket: Ticket, group: SupportGroup | None, by: Any, reason: str = ""
) -> Ticket:
    """Hand the ticket to another group; an assignee outside it lets go."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.group_id == (group.pk if group else None):
            return ticket
        events.record(
            ticket,
            EventKind.GROUP_CHANGED,
            actor=by,
            old=ticket.group.slug if ticket.group else None,
            new=group.slug if group else None,
            reason=reason,
        )
        ticket.group = group
        fields = ["group", "updated_at"]
        if ticket.assignee_id and not (
            group and group.members.filter(pk=ticket.assignee_id).exists()
        ):
            events.record(ticket, EventKind.ASSIGNED, actor=by, old=ticket.assignee_id, new=None)
            ticket.assignee = None
            fields.append("assignee")
        ticket.save(update_fields=fields)
    return ticket


def route_new_ticket(
    *,
    ticket_id: int,
    group: SupportGroup | None,
    priority: str,
    reason: str,
    problem_type_id: int | None = None,
    response_hours: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Intake's routing decision for a ticket it opened a moment ago: its group, its priority
    and the targets of the SLA policy that matches its problem type and priority (with none,
    the problem type's `response_hours` set the first response, around the clock), recorded.

    By id, in as few queries as it takes: every new message pays for them. Runs inside
    intake's transaction; `now` is when the clock starts (the moment of routing)."""
    with transaction.atomic():
        now = now or timezone.now()
        applied = policy_for(problem_type_id=problem_type_id, priority=priority)
        targets = sla.targets_for(
            applied, start=now, priority=priority, response_hours=response_hours or {}
        )
        group_id = group.pk if group else None
        Ticket.objects.filter(pk=ticket_id).update(
            group_id=group_id,
            priority=priority,
            sla_policy_id=targets.policy_id,
            first_response_due_at=targets.first_response_due_at,
            resolution_due_at=targets.resolution_due_at,
            updated_at=now,
        )
        ticket = Ticket(
            pk=ticket_id,
            group_id=group_id,
            priority=priority,
            problem_type_id=problem_type_id,
            sla_policy_id=targets.policy_id,
            first_response_due_at=targets.first_response_due_at,
            resolution_due_at=targets.resolution_due_at,
        )
        routed = events.record(
            ticket,
            EventKind.ROUTED,
            group=group.slug if group else None,
            priority=priority,
            first_response_due_at=_iso(targets.first_response_due_at),
            reason=reason,
        )
        if applied is not None:
            events.record(
                ticket, EventKind.SLA_APPLIED, after=routed, reason="routed", **targets.as_data()
            )
    return ticket


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def assign_ticket(*, ticket: Ticket, assignee: Any, by: Any) -> Ticket:
    """Give the ticket to an agent of its group, or to nobody (`assignee=None`)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if assignee is not None and not (
            ticket.group and ticket.group.members.filter(pk=assignee.pk).exists()
        ):
            raise TicketError(TicketErrorCode.NOT_A_MEMBER)
        new = assignee.pk if assignee else None
        if ticket.assignee_id == new:
            return ticket
        events.record(
            ticket,
            EventKind.ASSIGNED,
            actor=by,
            old=ticket.assignee_id,
            new=new,
            assignee=assignee.email if assignee else None,
        )
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee", "updated_at"])
    return ticket


def set_tags(*, ticket: Ticket, tags: Iterable[str], by: Any) -> Ticket:
    """Replace the ticket's tags; each tag is one word of up to 50 characters."""
    wanted = {tag.strip().lower() for tag in tags if tag.strip()}
    if any(not _TAG.match(tag) for tag in wanted):
        raise TicketError(TicketErrorCode.BAD_TAG)
    with transaction.atomic():
        ticket = _locked(ticket)
        current = set(ticket.tags.values_list("name", flat=True))
        if current == wanted:
            return ticket
        objects = [Tag.objects.get_or_create(name=name)[0] for name in sorted(wanted)]
        ticket.tags.set(objects)
        events.record(
            ticket,
            EventKind.TAGS_CHANGED,
            actor=by,
            added=sorted(wanted - current),
            removed=sorted(current - wanted),
        )
        ticket.save(update_fields=["updated_at"])
    return ticket


def flag_ticket(*, ticket: Ticket, flags: Iterable[Mapping[str, Any]]) -> Ticket:
    """Add safety flags (look-alike links, removed secrets) for the agent to see."""
    new = [dict(flag) for flag in flags]
    if not new:
        return ticket
    with transaction.atomic():
        ticket = _locked(ticket)
        ticket.safety_flags = [*ticket.safety_flags, *new]
        ticket.save(update_fields=["safety_flags", "updated_at"])
    return ticket


def confirm_requester_email(*, ticket: Ticket) -> Ticket:
    """The visitor proved the email is theirs: agents may now see the ticket."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.email_confirmed_at is not None:
            return ticket
        ticket.email_confirmed_at = timezone.now()
        events.record(ticket, EventKind.EMAIL_CONFIRMED, email=ticket.requester_email)
        ticket.save(update_fields=["email_confirmed_at", "updated_at"])
    return ticket


def attach_account_context(*, ticket: Ticket, context: Mapping[str, Any], by: Any) -> Ticket:
    """The exchange's own systems add what they know of the account (tier, KYC, balances)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        ticket.account_context = {**ticket.account_context, **dict(context)}
        events.record(ticket, EventKind.ACCOUNT_CONTEXT, actor=by, keys=sorted(context))
        ticket.save(update_fields=["account_context", "updated_at"])
    return ticket


def rate_ticket(*, ticket: Ticket, rating: int, comment: str = "", by: Any) -> Ticket:
    """The customer rates a solved ticket once, from 1 (bad) to 5 (excellent)."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise TicketError(TicketErrorCode.BAD_RATING)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status not in (Status.SOLVED, Status.CLOSED):
            raise TicketError(TicketErrorCode.NOT_SOLVED)
        if ticket.csat_rating is not None:
            raise TicketError(TicketErrorCode.ALREADY_RATED)
        ticket.csat_rating = rating
        ticket.csat_comment = comment.strip()[:CSAT_COMMENT_CHARS]
        ticket.csat_at = timezone.now()
        events.record(ticket, EventKind.RATED, actor=by, rating=rating)
        ticket.save(update_fields=["csat_rating", "csat_comment", "csat_at", "updated_at"])
    return ticket


def record_suggestion_opened(*, ticket: Ticket, article: str) -> Ticket:
    """A suggested article the customer opened before sending (deflection reports)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if article in ticket.suggestions_opened:
            return ticket
        ticket.suggestions_opened = [*ticket.suggestions_opened, article[:200]]
        ticket.save(update_fields=["suggestions_opened"])
    return ticket
