"""Opening a ticket: the ticket, its first message and the first entries of its history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from madoguchi.tickets import events
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.models import (
    AuthorKind,
    Channel,
    EventKind,
    Priority,
    ProblemType,
    Ticket,
)
from madoguchi.tickets.services.conversation import append_message, checked_body

SUBJECT_CHARS = Ticket._meta.get_field("subject").max_length or 200


def open_ticket(
    *,
    subject: str,
    body: str,
    requester_email: str,
    requester_name: str = "",
    customer: Any = None,
    problem_type: ProblemType | None = None,
    details: Mapping[str, Any] | None = None,
    channel: str = Channel.WEB,
    language: str = "ja",
    priority: str = Priority.NORMAL,
    external_user_id: str = "",
    email_confirmed: bool = False,
    suggestions_shown: Sequence[str] = (),
    suggestions_opened: Sequence[str] = (),
    redacted_kinds: Sequence[str] = (),
    link_findings: Sequence[Mapping[str, Any]] = (),
    safety_flags: Sequence[Mapping[str, Any]] = (),
    author_kind: str = AuthorKind.CUSTOMER,
    by: Any = None,
    external_id: str = "",
    brand: str = "",
) -> Ticket:
    """Open a ticket from what the customer sent.

    `email_confirmed` is True when the channel already proved the email belongs to the sender
    (a signed-in customer, an integration vouching for its user); a visitor's ticket stays
    hidden from agents until `confirm_requester_email`. The subject is cut to its column
    (the whole text is in the body); an empty body is refused. The first message is on the
    returned ticket as `opening_message`.
    """
    subject = " ".join(subject.split())[:SUBJECT_CHARS]
    if not subject:
        raise TicketError(TicketErrorCode.SUBJECT_REQUIRED)
    body = checked_body(body)
    if priority not in Priority.values:
        raise TicketError(TicketErrorCode.BAD_PRIORITY)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            subject=subject,
            problem_type=problem_type,
            priority=priority,
            channel=channel,
            language=language,
            customer=customer if getattr(customer, "is_authenticated", False) else None,
            requester_email=requester_email,
            requester_name=requester_name[:200],
            external_user_id=external_user_id[:64],
            details=dict(details or {}),
            safety_flags=[dict(flag) for flag in safety_flags],
            email_confirmed_at=timezone.now() if email_confirmed else None,
            suggestions_shown=list(suggestions_shown),
            suggestions_opened=list(suggestions_opened),
            brand=brand[:40],
        )
        created = events.record(
            ticket,
            EventKind.CREATED,
            actor=by,
            fresh_ticket=True,
            channel=channel,
            problem_type=problem_type.slug if problem_type else None,
            priority=priority,
            language=language,
            email_confirmed=email_confirmed,
        )
        ticket.opening_message = append_message(  # type: ignore[attr-defined]
            ticket,
            body=body,
            author_kind=author_kind,
            by=by,
            channel=channel,
            redacted_kinds=redacted_kinds,
            link_findings=link_findings,
            external_id=external_id,
            after=created,
        )
    return ticket
