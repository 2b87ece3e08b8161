"""The mails a ticket sends by itself: acknowledgement, email confirmation, security alert, SLA
warning and breach.

Plain text, in the ticket's language, with the warning that the exchange never asks for
passwords, codes or recovery phrases. Sending with its channel headers (Message-ID,
Reply-To with the ticket's address) is the mail adapter's work; these are the contents.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from madoguchi.tickets.confirmation import access_token, confirmation_token
from madoguchi.tickets.models import SlaTarget, Ticket
from madoguchi.tickets.selectors import expected_first_response, security_group


@dataclass(frozen=True)
class Mail:
    to: list[str]
    subject: str
    body: str


def _url(name: str, **kwargs: object) -> str:
    return settings.MADOGUCHI_BASE_URL + reverse(name, kwargs=kwargs)


def _ticket_url(ticket: Ticket) -> str:
    if ticket.customer_id is not None:
        return _url("support:ticket", ticket_id=ticket.pk)
    return _url("support:visitor_access", token=access_token(ticket))


def acknowledgement(ticket: Ticket) -> Mail:
    with translation.override(ticket.language or "ja"):
        context = {
            "ticket": ticket,
            "expected": expected_first_response(ticket.problem_type, ticket.priority),
            "url": _ticket_url(ticket),
        }
        return Mail(
            to=[ticket.requester_email],
            subject=_("[#%(id)s] We received your request: %(subject)s")
            % {"id": ticket.pk, "subject": ticket.subject},
            body=render_to_string("tickets/mail/acknowledgement.txt", context),
        )


def email_confirmation(ticket: Ticket) -> Mail:
    with translation.override(ticket.language or "ja"):
        context = {
            "ticket": ticket,
            "expected": expected_first_response(ticket.problem_type, ticket.priority),
            "url": _url("support:confirm_email", token=confirmation_token(ticket)),
        }
        return Mail(
            to=[ticket.requester_email],
            subject=_("[#%(id)s] Please confirm your email address") % {"id": ticket.pk},
            body=render_to_string("tickets/mail/confirm_email.txt", context),
        )


def solved(ticket: Ticket) -> Mail:
    """An agent marked the request solved without writing: say so, how to reopen it (just
    reply), and where to rate the answer."""
    with translation.override(ticket.language or "ja"):
        return Mail(
            to=[ticket.requester_email],
            subject=_("[#%(id)s] Your request was marked solved: %(subject)s")
            % {"id": ticket.pk, "subject": ticket.subject},
            body=render_to_string(
                "tickets/mail/solved.txt", {"ticket": ticket, "url": _ticket_url(ticket)}
            ),
        )


def security_alert(ticket: Ticket, reasons: list[str]) -> Mail:
    """For the security group, wherever the ticket is: which ticket, why; never the customer's
    words."""
    group = security_group()
    members = group.members.filter(is_active=True) if group else []
    recipients = sorted({user.email for user in members})
    with translation.override("ja"):
        return Mail(
            to=recipients,
            subject=_("[Urgent] Security ticket #%(id)s") % {"id": ticket.pk},
            body=render_to_string(
                "tickets/mail/security_alert.txt",
                {
                    "ticket": ticket,
                    "reasons": reasons,
                    "url": _url("tickets:agent_ticket", ticket_id=ticket.pk),
                },
            ),
        )


def _agents_of(ticket: Ticket, *, whole_group: bool) -> list[str]:
    """The assignee, and the group's members when `whole_group` or nobody is assigned."""
    recipients = set()
    if ticket.assignee is not None and ticket.assignee.is_active:
        recipients.add(ticket.assignee.email)
    if (whole_group or not recipients) and ticket.group is not None:
        recipients |= {user.email for user in ticket.group.members.filter(is_active=True)}
    return sorted(recipients)


def sla_alert(ticket: Ticket, targets: list[str], *, breached: bool) -> Mail:
    """For the people working on the ticket: a target is close (the assignee, or the group when
    nobody is) or missed (the assignee and the whole group, after escalation)."""
    names = [SlaTarget(target).label for target in targets if target in SlaTarget.values]
    due_field = {
        SlaTarget.FIRST_RESPONSE: ticket.first_response_due_at,
        SlaTarget.NEXT_RESPONSE: ticket.next_response_due_at,
        SlaTarget.RESOLUTION: ticket.resolution_due_at,
    }
    dues = [due_field[SlaTarget(t)] for t in targets if t in SlaTarget.values]
    with translation.override("ja"):
        target_names = ", ".join(str(name) for name in names)
        if breached:
            subject = _("[SLA breached] Ticket #%(id)s: %(target)s")
        else:
            subject = _("[SLA warning] Ticket #%(id)s: %(target)s")
        return Mail(
            to=_agents_of(ticket, whole_group=breached),
            subject=subject % {"id": ticket.pk, "target": target_names},
            body=render_to_string(
                "tickets/mail/sla_alert.txt",
                {
                    "ticket": ticket,
                    "breached": breached,
                    "target_names": target_names,
                    "due": min((due for due in dues if due), default=None),
                    "url": _url("tickets:agent_ticket", ticket_id=ticket.pk),
                },
            ),
        )
