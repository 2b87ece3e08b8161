"""Which tickets an API token may touch: the one door of every ticket endpoint.

A token sees confirmed tickets only (tickets the API opens are confirmed: the exchange vouches
for its customer), and, when it is limited to support groups, only the tickets of those
groups. A ticket it may not see and a ticket that does not exist answer the same 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from madoguchi.api.models import ApiToken
from madoguchi.api.tickets.errors import RefusalCode, Refused
from madoguchi.tickets.models import Attachment, ProblemType, Ticket
from madoguchi.tickets.selectors import default_group

# Ids beyond a 64-bit column are refused before the database sees them.
_MAX_ID = 2**63 - 1


def visible_tickets(token: ApiToken) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(email_confirmed_at__isnull=False)
    if token.groups:
        tickets = tickets.filter(group__slug__in=list(token.groups))
    return tickets


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Refused(RefusalCode.NOT_FOUND) from None
    if not 1 <= pk <= _MAX_ID:
        raise Refused(RefusalCode.NOT_FOUND)
    return pk


def access_ticket(token: ApiToken, ticket_id: Any) -> Ticket:
    """The ticket `token` names, or Refused(NOT_FOUND) whether it is missing or forbidden."""
    ticket = (
        visible_tickets(token)
        .select_related("problem_type", "group")
        .filter(pk=_pk(ticket_id))
        .first()
    )
    if ticket is None:
        raise Refused(RefusalCode.NOT_FOUND)
    return ticket


def access_attachment(token: ApiToken, ticket_id: Any, attachment_id: Any) -> Attachment:
    """A file of a public message of a ticket `token` may see; notes' files stay inside."""
    ticket = access_ticket(token, ticket_id)
    attachment = (
        Attachment.objects.filter(ticket=ticket, pk=_pk(attachment_id))
        .exclude(message__is_internal=True)
        .first()
    )
    if attachment is None:
        raise Refused(RefusalCode.NOT_FOUND)
    return attachment


def check_may_open(token: ApiToken, problem_type: ProblemType) -> None:
    """A token limited to groups opens tickets only of types that are routed to them."""
    if not token.groups:
        return
    group = problem_type.group or default_group()
    slug = group.slug if group else ""
    if not token.allows_group(slug):
        raise Refused(RefusalCode.GROUP_NOT_ALLOWED, group=slug)
