"""Messages on a ticket: the customer's, an agent's reply, an internal note, a system notice.

Each message moves the ticket the way a support team expects: the customer writing reopens it,
an agent's first public reply is the first response, and a note changes nothing the customer sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from madoguchi.tickets import events, outbound
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.models import (
    AuthorKind,
    Channel,
    EventKind,
    Message,
    Status,
    Ticket,
    TicketEvent,
)
from madoguchi.tickets.permissions import reply_reserved_for_assignee
from madoguchi.tickets.services import sla
from madoguchi.tickets.text import has_visible_text

MAX_BODY_CHARS = 100_000


def clean_body(body: str) -> str:
    """Line endings unified and trailing space trimmed; every other character kept as sent."""
    return body.replace("\r\n", "\n").replace("\r", "\n").strip()


def checked_body(body: str) -> str:
    """The body to store, or `TicketError` when it is blank or too long."""
    body = clean_body(body)
    if not has_visible_text(body):
        raise TicketError(TicketErrorCode.EMPTY_MESSAGE)
    if len(body) > MAX_BODY_CHARS:
        raise TicketError(TicketErrorCode.MESSAGE_TOO_LONG)
    return body


def append_message(
    ticket: Ticket,
    *,
    body: str,
    author_kind: str,
    by: Any,
    channel: str,
    is_internal: bool = False,
    redacted_kinds: Sequence[str] = (),
    link_findings: Sequence[Mapping[str, Any]] = (),
    external_id: str = "",
    after: TicketEvent | None = None,
) -> Message:
    """Add one message and its history entries; the caller holds the transaction (and passes
    `after`, the history entry it wrote just before, when it has one)."""
    message = Message.objects.create(
        ticket=ticket,
        author=by if getattr(by, "is_authenticated", False) else None,
        author_kind=author_kind,
        channel=channel,
        body=body,
        is_internal=is_internal,
        redacted_kinds=list(redacted_kinds),
        link_findings=[dict(finding) for finding in link_findings],
        external_id=external_id[:255],
    )
    events.record(
        ticket,
        EventKind.NOTE_ADDED if is_internal else EventKind.MESSAGE_ADDED,
        actor=by,
        after=after,
        message=message.pk,
        author_kind=author_kind,
        channel=channel,
    )
    if redacted_kinds:
        events.record(
            ticket, EventKind.SECRETS_REDACTED, message=message.pk, kinds=list(redacted_kinds)
        )
    lookalikes = [f for f in link_findings if f.get("kind") == "lookalike"]
    if lookalikes:
        events.record(
            ticket,
            EventKind.LOOKALIKE_LINK,
            message=message.pk,
            hosts=sorted({str(f.get("host", "")) for f in lookalikes}),
        )
    return message


def set_status(ticket: Ticket, status: str, *, by: Any, fields: list[str]) -> None:
    """Move `ticket` to `status` in memory, record it, and name the fields to save."""
    if ticket.status == status:
        return
    events.record(ticket, EventKind.STATUS_CHANGED, actor=by, old=ticket.status, new=status)
    old = ticket.status
    ticket.status = status
    fields.append("status")
    now = timezone.now()
    sla.status_changed(ticket, old, now=now, by=by, fields=fields)
    if status == Status.SOLVED:
        ticket.solved_at = now
        fields.append("solved_at")
    if status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")


def add_customer_message(
    *,
    ticket: Ticket,
    body: str,
    by: Any = None,
    channel: str = Channel.WEB,
    author_kind: str = AuthorKind.CUSTOMER,
    redacted_kinds: Sequence[str] = (),
    link_findings: Sequence[Mapping[str, Any]] = (),
    external_id: str = "",
) -> Message:
    """The customer writes again: a waiting or solved ticket opens again; a closed one refuses."""
    body = checked_body(body)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status == Status.CLOSED:
            raise TicketError(TicketErrorCode.CLOSED)
        message = append_message(
            ticket,
            body=body,
            author_kind=author_kind,
            by=by,
            channel=channel,
            redacted_kinds=redacted_kinds,
            link_findings=link_findings,
            external_id=external_id,
        )
        fields = ["updated_at"]
        if ticket.status in (Status.PENDING, Status.SOLVED):
            set_status(ticket, Status.OPEN, by=by, fields=fields)
        sla.customer_wrote(ticket, now=message.created_at, fields=fields)
        ticket.save(update_fields=fields)
    return message


def add_agent_reply(
    *,
    ticket: Ticket,
    body: str,
    by: Any,
    status: str | None = Status.PENDING,
    channel: str = Channel.WEB,
    external_id: str = "",
) -> Message:
    """An agent answers the customer; the first answer is the first response.

    `status` is where the ticket goes after the answer (waiting for the customer by default);
    None leaves it where it is.
    """
    body = checked_body(body)
    if status is not None and status not in Status.values:
        raise TicketError(TicketErrorCode.BAD_STATUS)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status == Status.CLOSED:
            raise TicketError(TicketErrorCode.CLOSED)
        if reply_reserved_for_assignee(by, ticket):
            raise TicketError(TicketErrorCode.ASSIGNEE_ONLY)
        message = append_message(
            ticket,
            body=body,
            author_kind=AuthorKind.AGENT,
            by=by,
            channel=channel,
            external_id=external_id,
        )
        # The customer's copy (and the copied-in people's) leave after commit, by the worker.
        outbound.queue_reply(message)
        fields = ["updated_at"]
        if ticket.first_response_at is None:
            ticket.first_response_at = message.created_at
            fields.append("first_response_at")
        sla.agent_answered(ticket, fields=fields)
        if status is not None:
            set_status(ticket, status, by=by, fields=fields)
        elif ticket.status == Status.NEW:
            set_status(ticket, Status.OPEN, by=by, fields=fields)
        ticket.save(update_fields=fields)
    return message


def add_internal_note(*, ticket: Ticket, body: str, by: Any) -> Message:
    """A note for the team; the customer never sees it and the ticket does not move."""
    body = checked_body(body)
    with transaction.atomic():
        if Ticket.objects.select_for_update().filter(pk=ticket.pk, status=Status.CLOSED).exists():
            raise TicketError(TicketErrorCode.CLOSED)
        message = append_message(
            ticket,
            body=body,
            author_kind=AuthorKind.AGENT,
            by=by,
            channel=Channel.WEB,
            is_internal=True,
        )
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return message


def add_system_message(*, ticket: Ticket, body: str, is_internal: bool = False) -> Message:
    """A notice written by madoguchi itself, such as why part of a message was removed."""
    body = checked_body(body)
    with transaction.atomic():
        return append_message(
            ticket,
            body=body,
            author_kind=AuthorKind.SYSTEM,
            by=None,
            channel=Channel.WEB,
            is_internal=is_internal,
        )
