"""One door to every ticket: fetch and authorize, with the same "not found" for both.

An agent sees the confirmed tickets of their groups; an administrator sees every ticket; a
customer sees their own; a visitor sees the tickets their session was granted by a signed link.
Predicates take any user, anonymous included, and state one condition per line.

Which groups an agent works in, leads, and whether one of them handles security is read once
per user object (`desk_of`): the ticket page asks "works on this ticket?" for every form it
shows, and each answer would otherwise cost up to three queries.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import is_admin, is_staff_member
from madoguchi.tickets.models import (
    Attachment,
    EventKind,
    Status,
    SupportGroup,
    Ticket,
    TicketEvent,
)

NOT_FOUND = "No such ticket."


def is_agent(user: Any) -> bool:
    """Agents and administrators work tickets; editors and moderators do not."""
    return is_staff_member(user) and user.role in (Role.AGENT, Role.ADMIN)


def is_customer(user: Any) -> bool:
    return (
        user is not None and user.is_authenticated and user.is_active and not is_staff_member(user)
    )


@dataclass(frozen=True, slots=True)
class Desk:
    """Where an agent sits behind the counter: the ids of the groups they work in and of those
    they lead, and whether a group they work in handles security problems."""

    groups: frozenset[int]
    led: frozenset[int]
    security: bool


NO_DESK = Desk(groups=frozenset(), led=frozenset(), security=False)

# The attribute `desk_of` keeps its answer in, on the user object it was asked about.
_DESK_ATTRIBUTE = "_madoguchi_desk"


def desk_of(user: Any) -> Desk:
    """`user`'s groups, read with one query the first time and kept on the user object.

    The same bargain as Django's ModelBackend, which keeps permissions on the user
    (`_perm_cache`): `request.user` is read afresh for every request (and the ticket room's
    consumer reads the user afresh at each check), so a change to someone's groups counts from
    their next request. Code that changes the groups of a user object it holds and asks again
    reads a fresh copy of the user. Anyone who is not an agent has no desk and costs no query.
    """
    if not is_agent(user):
        return NO_DESK
    desk = getattr(user, _DESK_ATTRIBUTE, None)
    if isinstance(desk, Desk):
        return desk
    desk = _read_desk(user)
    setattr(user, _DESK_ATTRIBUTE, desk)
    return desk


def _read_desk(user: Any) -> Desk:
    member = SupportGroup.members.through.objects.filter(supportgroup=OuterRef("pk"), user=user)
    lead = SupportGroup.leads.through.objects.filter(supportgroup=OuterRef("pk"), user=user)
    rows = (
        SupportGroup.objects.annotate(member=Exists(member), lead=Exists(lead))
        .filter(Q(member=True) | Q(lead=True))
        .values_list("pk", "handles_security", "member", "lead")
    )
    groups: set[int] = set()
    led: set[int] = set()
    security = False
    for pk, handles_security, is_member, is_lead in rows:
        if is_member:
            groups.add(pk)
            security = security or handles_security
        if is_lead:
            led.add(pk)
    return Desk(groups=frozenset(groups), led=frozenset(led), security=security)


def in_security_group(user: Any) -> bool:
    return desk_of(user).security


def leads_a_group(user: Any) -> bool:
    """A team lead of at least one group (madoguchi.reports shows them their groups' reports)."""
    return bool(desk_of(user).led)


def _security_alerted() -> Exists:
    return Exists(TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.SECURITY_ALERT))


def visible_tickets(user: Any, *, granted: Collection[int] = ()) -> QuerySet[Ticket]:
    """Every ticket `user` may open; `granted` are ticket ids a visitor's session holds.

    The security group also sees every ticket it was alerted to (a card number removed from a
    payments ticket, say), wherever the ticket is routed: an alert it cannot open helps no one.
    """
    tickets = Ticket.objects.all()
    if is_admin(user):
        return tickets
    if is_agent(user):
        desk = desk_of(user)
        mine = Q(group_id__in=sorted(desk.groups))
        if desk.security:
            mine |= Q(_security_alerted())
        return tickets.filter(mine, email_confirmed_at__isnull=False)
    condition = Q(pk__in=list(granted)) if granted else Q(pk__in=[])
    if is_customer(user):
        condition |= Q(customer=user)
    return tickets.filter(condition)


def access_ticket(user: Any, ticket_id: Any, *, granted: Collection[int] = ()) -> Ticket:
    """The ticket `user` names by id; a missing and a forbidden ticket look the same."""
    try:
        pk = int(ticket_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    tickets = visible_tickets(user, granted=granted).select_related(
        "problem_type", "group", "assignee", "customer"
    )
    if not is_admin(user) and desk_of(user).security:
        # works_on asks this of a ticket outside the agent's groups: answered in the same query.
        tickets = tickets.annotate(security_alerted=_security_alerted())
    ticket = tickets.filter(pk=pk).first()
    if ticket is None:
        raise Http404(NOT_FOUND)
    return ticket


def access_attachment(
    user: Any, ticket_id: Any, attachment_id: Any, *, granted: Collection[int] = ()
) -> Attachment:
    """A file of a ticket the user may open; an internal note's file only for agents."""
    ticket = access_ticket(user, ticket_id, granted=granted)
    try:
        pk = int(attachment_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    attachments = Attachment.objects.filter(ticket=ticket, pk=pk).select_related("message")
    if not works_on(user, ticket):
        attachments = attachments.exclude(message__is_internal=True)
    attachment = attachments.first()
    if attachment is None:
        raise Http404(NOT_FOUND)
    return attachment


def works_on(user: Any, ticket: Ticket) -> bool:
    """Behind the counter for this ticket: an agent of its group, the security group for a
    ticket it was alerted to, or an administrator."""
    if is_admin(user):
        return True
    desk = desk_of(user)
    return (ticket.group_id is not None and ticket.group_id in desk.groups) or (
        desk.security and _was_alerted(ticket)
    )


def _was_alerted(ticket: Ticket) -> bool:
    alerted = getattr(ticket, "security_alerted", None)
    if alerted is not None:
        return bool(alerted)
    return ticket.events.filter(kind=EventKind.SECURITY_ALERT).exists()


def is_requester(user: Any, ticket: Ticket, *, granted: Collection[int] = ()) -> bool:
    """The customer the ticket belongs to, signed in or holding the ticket's link."""
    return ticket.pk in granted or (
        is_customer(user) and ticket.customer_id is not None and ticket.customer_id == user.pk
    )


def can_reply_as_customer(user: Any, ticket: Ticket, *, granted: Collection[int] = ()) -> bool:
    return is_requester(user, ticket, granted=granted) and ticket.status != Status.CLOSED


def can_mark_solved(user: Any, ticket: Ticket, *, granted: Collection[int] = ()) -> bool:
    return is_requester(user, ticket, granted=granted) and ticket.is_active


def can_rate(user: Any, ticket: Ticket, *, granted: Collection[int] = ()) -> bool:
    return (
        is_requester(user, ticket, granted=granted)
        and ticket.status in (Status.SOLVED, Status.CLOSED)
        and ticket.csat_rating is None
    )


def reply_reserved_for_assignee(user: Any, ticket: Ticket) -> bool:
    """The ticket's group lets only the assignee answer the customer, and `user` is not it.

    Unassigned tickets of such a group are reserved too: an agent takes the ticket first,
    which is what keeps two people from answering at once. Administrators are exempt: they
    step in when the assignee is away, and the assignee must be a member of the group,
    which an administrator often is not. madoguchi itself (`user` None) is not bound either.
    """
    return (
        user is not None
        and not is_admin(user)
        and ticket.group_id is not None
        and ticket.assignee_id != user.pk
        and _only_assignee_replies(ticket)
    )


def _only_assignee_replies(ticket: Ticket) -> bool:
    # access_ticket has the group at hand already; a ticket read without it asks once.
    if Ticket.group.is_cached(ticket):
        return ticket.group is not None and ticket.group.only_assignee_replies
    if ticket.group_id is None:
        return False
    return SupportGroup.objects.filter(pk=ticket.group_id, only_assignee_replies=True).exists()


def can_reply_as_agent(user: Any, ticket: Ticket) -> bool:
    return (
        works_on(user, ticket)
        and ticket.status != Status.CLOSED
        and not reply_reserved_for_assignee(user, ticket)
    )


def can_add_note(user: Any, ticket: Ticket) -> bool:
    return works_on(user, ticket)


def can_change_status(user: Any, ticket: Ticket) -> bool:
    return works_on(user, ticket) and ticket.status != Status.CLOSED


def can_export_evidence(user: Any, ticket: Ticket) -> bool:
    return works_on(user, ticket)
