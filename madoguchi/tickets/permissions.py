"""One door to every ticket: fetch and authorize, with the same "not found" for both.

An agent sees the confirmed tickets of their groups; an administrator sees every ticket; a
customer sees their own; a visitor sees the tickets their session was granted by a signed link.
Predicates take any user, anonymous included, and state one condition per line.
"""

from __future__ import annotations

from collections.abc import Collection
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


def in_security_group(user: Any) -> bool:
    return (
        is_agent(user) and SupportGroup.objects.filter(members=user, handles_security=True).exists()
    )


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
        mine = Q(group_id__in=SupportGroup.objects.filter(members=user).values("pk"))
        if in_security_group(user):
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
    ticket = (
        visible_tickets(user, granted=granted)
        .select_related("problem_type", "group", "assignee", "customer")
        .filter(pk=pk)
        .first()
    )
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
    return is_admin(user) or (
        is_agent(user)
        and (
            (
                ticket.group_id is not None
                and SupportGroup.objects.filter(pk=ticket.group_id, members=user).exists()
            )
            or (
                in_security_group(user)
                and ticket.events.filter(kind=EventKind.SECURITY_ALERT).exists()
            )
        )
    )


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
