"""Tickets and messages as the API shows them: public messages only, files as metadata."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from madoguchi.tickets.models import Attachment, Message, Ticket
from madoguchi.tickets.selectors import ticket_messages

API_PREFIX = "/api/v1/tickets"


def for_listing(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The query a page of summaries needs: one for the tickets, one for their tags."""
    return tickets.select_related("problem_type", "group").prefetch_related("tags")


def attachment_json(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "url": f"{API_PREFIX}/{attachment.ticket_id}/attachments/{attachment.pk}",
    }


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author_kind": message.author_kind,
        "channel": message.channel,
        "body": message.body,
        "redacted_kinds": list(message.redacted_kinds or []),
        "created_at": message.created_at,
        "attachments": [attachment_json(item) for item in message.attachments.all()],
    }


def summary_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "language": ticket.language,
        "problem_type": ticket.problem_type.slug if ticket.problem_type else None,
        "group": ticket.group.slug if ticket.group else None,
        "requester_email": ticket.requester_email,
        "requester_name": ticket.requester_name,
        "external_user_id": ticket.external_user_id,
        "tags": sorted(tag.name for tag in ticket.tags.all()),
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_response_due_at": ticket.first_response_due_at,
        "first_response_at": ticket.first_response_at,
        "solved_at": ticket.solved_at,
        "closed_at": ticket.closed_at,
    }


def public_messages(ticket: Ticket) -> QuerySet[Message]:
    return ticket_messages(ticket, include_internal=False)


def ticket_json(ticket: Ticket, messages: Iterable[Message] | None = None) -> dict[str, Any]:
    """The whole ticket: summary, answers, account context and its public messages."""
    shown = public_messages(ticket) if messages is None else messages
    return {
        **summary_json(ticket),
        "fields": dict(ticket.details or {}),
        "account_context": dict(ticket.account_context or {}),
        "csat_rating": ticket.csat_rating,
        "messages": [message_json(message) for message in shown],
    }


def full_ticket(ticket_id: int) -> Ticket:
    return for_listing(Ticket.objects.filter(pk=ticket_id)).get()
