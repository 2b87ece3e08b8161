"""The mails a ticket sends by itself: acknowledgement, email confirmation, security alert.

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
from madoguchi.tickets.models import Ticket
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
