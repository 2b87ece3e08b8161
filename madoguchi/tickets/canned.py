"""Canned replies: the ones offered on a ticket, and their placeholders filled for it.

The placeholders are a fixed set (PLACEHOLDERS). Filling is a single pass of a regular
expression over the admin's text, looking each name up in a dictionary of plain strings: no
`str.format` or `string.Template`, so "{ticket.__class__}" or "{0.__init__}" can never reach
an attribute, and a value that itself looks like a placeholder (a customer named
"{agent_name}") is inserted as it is, never filled again. A placeholder that is not in the set
stays in the text as written, where the agent sees it before sending; the admin refuses to
save one (`unknown_placeholders`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.tickets.confirmation import access_token
from madoguchi.tickets.models import CannedReply, Ticket

# What admins may write in a canned reply, with what each becomes (shown in the admin and
# the agent console's guide).
PLACEHOLDERS: Mapping[str, Any] = {
    "customer_name": gettext_lazy(
        "The customer's name; in Japanese with 様. Without a name: お客様 / customer."
    ),
    "ticket_id": gettext_lazy("The ticket's number, such as 1234."),
    "ticket_subject": gettext_lazy("The ticket's subject as the customer wrote it."),
    "agent_name": gettext_lazy("The replying agent's name, or “the support team”."),
    "ticket_url": gettext_lazy("The customer's page for the ticket (full address)."),
    "group_name": gettext_lazy("The name of the ticket's group."),
}

# A name in braces, as a placeholder is written; anything else in braces is left alone.
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# What looks like an attempt at a placeholder, for the admin's check: braces around a short
# run without braces or line breaks ("{customer name}", "{ticket.__class__}", "{0}").
_CANDIDATE = re.compile(r"\{([^{}\n]{1,60})\}")


@dataclass(frozen=True, slots=True)
class FilledReply:
    """A canned reply as the agent inserts it on one ticket: in the ticket's language, filled."""

    id: int
    title: str
    shortcut: str
    text: str


def wants_english(ticket: Ticket) -> bool:
    return (ticket.language or "ja").lower().startswith("en")


def body_for(reply: CannedReply, ticket: Ticket) -> str:
    """The reply's text in the ticket's language (Japanese unless the ticket is English); the
    other language when that one is empty."""
    first, second = (
        (reply.body_en, reply.body_ja) if wants_english(ticket) else (reply.body_ja, reply.body_en)
    )
    return first or second


def unknown_placeholders(text: str) -> list[str]:
    """The brace expressions in `text` that are not placeholders of the set, each once."""
    found: list[str] = []
    for match in _CANDIDATE.finditer(text):
        if match[1] not in PLACEHOLDERS and match[0] not in found:
            found.append(match[0])
    return found


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each known `{name}` replaced by values[name]; everything else kept."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match[1])
        return match[0] if value is None else value

    return _PLACEHOLDER.sub(replace, text)


def customer_ticket_url(ticket: Ticket) -> str:
    """Where the customer opens the ticket: their request page, or for a visitor without an
    account the signed link the acknowledgement mail carries (nothing else lets them in)."""
    if ticket.customer_id is not None:
        path = reverse("support:ticket", kwargs={"ticket_id": ticket.pk})
    else:
        path = reverse("support:visitor_access", kwargs={"token": access_token(ticket)})
    return settings.MADOGUCHI_BASE_URL + path


def _agent_name(agent: Any) -> str:
    name = agent.get_full_name().strip() if hasattr(agent, "get_full_name") else ""
    return name or _("the support team")


def _customer_name(ticket: Ticket, *, english: bool) -> str:
    name = ticket.requester_name
    if not name.strip() and ticket.customer is not None:
        name = ticket.customer.get_full_name()
    name = " ".join(name.split())
    # The ticket's language, not the agent's: written out rather than translated.
    if english:
        return name or "customer"
    return f"{name} 様" if name else "お客様"


def placeholder_values(ticket: Ticket, *, agent: Any) -> dict[str, str]:
    """Each placeholder's value on `ticket` answered by `agent`, in the ticket's language."""
    english = wants_english(ticket)
    with translation.override("en" if english else "ja"):
        return {
            "customer_name": _customer_name(ticket, english=english),
            "ticket_id": str(ticket.pk),
            "ticket_subject": ticket.subject,
            "agent_name": _agent_name(agent),
            "ticket_url": customer_ticket_url(ticket),
            "group_name": ticket.group.name if ticket.group else "",
        }


def offered_replies(ticket: Ticket) -> QuerySet[CannedReply]:
    """The active canned replies for `ticket`: its group's and those of every group."""
    mine = Q(group__isnull=True)
    if ticket.group_id is not None:
        mine |= Q(group_id=ticket.group_id)
    return CannedReply.objects.filter(mine, is_active=True).order_by("title", "pk")


def filled_replies(ticket: Ticket, *, agent: Any) -> list[FilledReply]:
    """The offered canned replies, each in the ticket's language with its placeholders filled
    for `agent` answering `ticket`; one query."""
    values = placeholder_values(ticket, agent=agent)
    return [
        FilledReply(
            id=reply.pk,
            title=reply.title,
            shortcut=reply.shortcut,
            text=fill(body_for(reply, ticket), values),
        )
        for reply in offered_replies(ticket)
    ]


def filled_reply(ticket: Ticket, reply_id: Any, *, agent: Any) -> FilledReply | None:
    """One offered reply by id, filled; None when it is not offered on this ticket (another
    group's, inactive, missing, or not an id)."""
    try:
        pk = int(reply_id)
    except (TypeError, ValueError):
        return None
    reply = offered_replies(ticket).filter(pk=pk).first()
    if reply is None:
        return None
    return FilledReply(
        id=reply.pk,
        title=reply.title,
        shortcut=reply.shortcut,
        text=fill(body_for(reply, ticket), placeholder_values(ticket, agent=agent)),
    )
