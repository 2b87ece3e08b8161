"""Step 6: the ticket and its message are written, with files and safety flags, in one go."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from madoguchi.intake.inbound import InboundMessage, Triage
from madoguchi.tickets import services
from madoguchi.tickets.models import AuthorKind, Message, ProblemType, Ticket


def _author(message: InboundMessage):  # type: ignore[no-untyped-def]
    if message.customer_id is None:
        return None
    return get_user_model().objects.filter(pk=message.customer_id).first()


def _author_kind(message: InboundMessage) -> str:
    return AuthorKind.INTEGRATION if message.integration else AuthorKind.CUSTOMER


def _subject(message: InboundMessage) -> str:
    if message.subject:
        return message.subject
    first_line = next((line for line in message.body.splitlines() if line.strip()), "")
    return first_line[:80] or _("(no subject)")


def _body(message: InboundMessage) -> str:
    if message.body:
        return message.body
    return _("(no text; see the attached files)") if message.files else _("(no text)")


def _problem_type(triage: Triage | None) -> ProblemType | None:
    # Triage read the row a moment ago; its id and slug are all the ticket needs of it.
    if triage is None or triage.problem_type_id is None:
        return None
    return ProblemType(pk=triage.problem_type_id, slug=triage.problem_type)


def store(message: InboundMessage) -> InboundMessage:
    author = _author(message)
    stored: Message | None
    link_findings = [dict(finding) for finding in message.link_findings]
    with transaction.atomic(), translation.override(message.language or "ja"):
        if message.ticket_id is not None:
            ticket = Ticket.objects.get(pk=message.ticket_id)
            stored = services.add_customer_message(
                ticket=ticket,
                body=_body(message),
                by=author,
                channel=message.channel,
                author_kind=_author_kind(message),
                redacted_kinds=message.redacted_kinds,
                link_findings=link_findings,
                external_id=message.message_id,
            )
            created = False
        else:
            triage = message.triage
            ticket = services.open_ticket(
                subject=_subject(message),
                body=_body(message),
                requester_email=message.sender_email,
                requester_name=message.sender_name,
                customer=author,
                problem_type=_problem_type(triage),
                details=dict(message.fields),
                channel=message.channel,
                language=message.language,
                priority=triage.priority if triage else "normal",
                external_user_id=message.external_user_id,
                email_confirmed=message.email_verified,
                suggestions_shown=message.suggestions_shown,
                suggestions_opened=message.suggestions_opened,
                redacted_kinds=message.redacted_kinds,
                link_findings=link_findings,
                author_kind=_author_kind(message),
                by=author,
                external_id=message.message_id,
                brand=message.brand,
            )
            stored = ticket.opening_message  # type: ignore[attr-defined]
            created = True
        for file in message.files:
            services.store_attachment(ticket=ticket, upload=file, message=stored, by=author)
        flags = (
            [{"kind": "secret", "types": list(message.redacted_kinds)}]
            if (message.redacted_kinds)
            else []
        )
        flags += [{**finding, "kind": "lookalike_link"} for finding in link_findings]
        flags += [{**flag, "kind": "suspicious_sender"} for flag in message.sender_flags]
        services.flag_ticket(ticket=ticket, flags=flags)
        if message.cc:
            # A ticket opened just now is the row as it stands, and no one else sees it yet.
            services.copy_in(ticket=ticket, emails=message.cc, locked=created)
        for notice in message.notices:
            services.add_system_message(ticket=ticket, body=notice)
    return message.with_changes(
        stored_ticket_id=ticket.pk,
        stored_message_id=stored.pk if stored else None,
        ticket_id=ticket.pk,
        created=created,
    )
