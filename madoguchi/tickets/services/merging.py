"""Merging a duplicate ticket into the one that goes on: its conversation is copied over, and the
duplicate is closed with a pointer to where the conversation continues.

Copy, not move. A message row that moved to another ticket would leave the duplicate's history
naming messages it no longer holds, and its evidence archive would change after the fact; the
target's history would hold messages that no entry of its own recorded. So the duplicate keeps
everything it had (its archive still verifies byte for byte), and the target gets new rows, each
recorded in its own history (MESSAGE_ADDED or NOTE_ADDED with `copied_from`), dated when they
arrived there, after one MERGED_FROM entry naming the duplicate. Stored files are shared: the
copy's attachment row names the same file with the same SHA-256, which cannot change.

Messages of another customer's ticket are copied as internal notes: a customer never reads
another person's words on their own request.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.tickets import events
from madoguchi.tickets.models import (
    Attachment,
    AuthorKind,
    Channel,
    EventKind,
    Message,
    Status,
    Ticket,
    TicketEvent,
)
from madoguchi.tickets.services.conversation import append_message, set_status


class MergeErrorCode(StrEnum):
    SAME_TICKET = "same_ticket"
    TARGET_CLOSED = "target_closed"
    SOURCE_CLOSED = "source_closed"
    ALREADY_MERGED = "already_merged"
    HAS_MERGED_TICKETS = "has_merged_tickets"
    SOURCE_IS_INCIDENT = "source_is_incident"
    OTHER_CUSTOMER = "other_customer"


MERGE_MESSAGES = {
    MergeErrorCode.SAME_TICKET: gettext_lazy("A ticket cannot be merged into itself."),
    MergeErrorCode.TARGET_CLOSED: gettext_lazy(
        "The ticket to merge into is closed; merge into a ticket that is still open."
    ),
    MergeErrorCode.SOURCE_CLOSED: gettext_lazy("A closed ticket cannot be merged."),
    MergeErrorCode.ALREADY_MERGED: gettext_lazy(
        "One of the two tickets was already merged into another ticket."
    ),
    MergeErrorCode.HAS_MERGED_TICKETS: gettext_lazy(
        "Other tickets were merged into this one; merge the other ticket into it instead, "
        "so that no chain of merges forms."
    ),
    MergeErrorCode.SOURCE_IS_INCIDENT: gettext_lazy(
        "An incident with reports cannot be merged; unlink its reports first."
    ),
    MergeErrorCode.OTHER_CUSTOMER: gettext_lazy(
        "The two tickets belong to different customers. Confirm to merge anyway: the other "
        "customer's messages are copied as internal notes."
    ),
}


class MergeError(Exception):
    """A refused merge; `message` is in the active language."""

    def __init__(self, code: MergeErrorCode) -> None:
        self.code = code
        super().__init__(code.value)

    @property
    def message(self) -> str:
        return str(MERGE_MESSAGES[self.code])


@dataclass(frozen=True)
class MergeResult:
    source: Ticket
    into: Ticket
    copied_messages: int
    copied_attachments: int
    other_customer: bool


def customer_key(ticket: Ticket) -> str:
    """Who the ticket belongs to: the account when there is one, otherwise the email."""
    if ticket.customer_id is not None:
        return f"user:{ticket.customer_id}"
    return f"email:{ticket.requester_email.casefold()}"


def same_customer(first: Ticket, second: Ticket) -> bool:
    return customer_key(first) == customer_key(second)


def check_merge(source: Ticket, into: Ticket, *, other_customer_confirmed: bool = False) -> None:
    """Raise `MergeError` when `source` may not be merged into `into`; the view asks first."""
    if source.pk == into.pk:
        raise MergeError(MergeErrorCode.SAME_TICKET)
    if source.merged_into_id is not None or into.merged_into_id is not None:
        raise MergeError(MergeErrorCode.ALREADY_MERGED)
    if into.status == Status.CLOSED:
        raise MergeError(MergeErrorCode.TARGET_CLOSED)
    if source.status == Status.CLOSED:
        raise MergeError(MergeErrorCode.SOURCE_CLOSED)
    # Merged tickets point at the source: merging it on would make a chain A → B → C.
    if Ticket.objects.filter(merged_into=source).exists():
        raise MergeError(MergeErrorCode.HAS_MERGED_TICKETS)
    if source.is_incident and Ticket.objects.filter(incident=source).exists():
        raise MergeError(MergeErrorCode.SOURCE_IS_INCIDENT)
    if not other_customer_confirmed and not same_customer(source, into):
        raise MergeError(MergeErrorCode.OTHER_CUSTOMER)


def _author_labels(source: Ticket) -> dict[int, str]:
    """Who added each of the source's messages, as its history named them."""
    return {
        int(event.data["message"]): event.actor_label
        for event in TicketEvent.objects.filter(
            ticket=source, kind__in=(EventKind.MESSAGE_ADDED, EventKind.NOTE_ADDED)
        ).only("data", "actor_label")
        if isinstance(event.data, dict) and isinstance(event.data.get("message"), int)
    }


def _notice_to_source(source: Ticket, into: Ticket, *, other_customer: bool) -> str:
    # Written in the customer's language: it is stored, not translated when read.
    with translation.override(source.language or "ja"):
        if other_customer:
            return _(
                "This request was closed because our team is handling the same problem in "
                "another request. If you need anything else, please send a new request."
            )
        return _(
            "This request was merged into request #%(id)s, which is about the same problem. "
            "Our answers will come there; please continue the conversation in request #%(id)s."
        ) % {"id": into.pk}


def _notice_to_target(
    source: Ticket, into: Ticket, messages: list[Message], *, other_customer: bool
) -> str:
    # The copies are dated when they arrive here; this line keeps their first dates in view.
    with translation.override(into.language or "ja"):
        if not messages:
            return _("Request #%(id)s was merged into this one; it had no messages.") % {
                "id": source.pk
            }
        first, last = (timezone.localtime(m.created_at) for m in (messages[0], messages[-1]))
        text = _(
            "Request #%(id)s was merged into this one. Its %(count)s messages follow, copied as "
            "they were; they were first sent between %(first)s and %(last)s."
        ) % {
            "id": source.pk,
            "count": len(messages),
            "first": first.strftime("%Y-%m-%d %H:%M %Z"),
            "last": last.strftime("%Y-%m-%d %H:%M %Z"),
        }
        if other_customer:
            text += " " + _("They come from another customer, so they are internal notes.")
        return text


def merge_tickets(
    *, source: Ticket, into: Ticket, by: Any, other_customer_confirmed: bool = False
) -> MergeResult:
    """Copy `source`'s conversation onto `into` and close `source` with `merged_into` set.

    Both histories record it: `into` gets a notice naming the source and its dates, then
    MERGED_FROM and one entry per copied message and file; `source` gets a notice to its
    customer naming where the conversation continues, MERGED_INTO and its closing. Refuses
    (MergeError) a merge into itself, into or from a closed ticket, chains of merges, and
    another customer's ticket unless confirmed.
    """
    with transaction.atomic():
        # Both rows locked in id order, so two merges of the same pair cannot deadlock.
        locked = {
            ticket.pk: ticket
            for ticket in Ticket.objects.select_for_update()
            .filter(pk__in=(source.pk, into.pk))
            .order_by("pk")
        }
        source, into = locked[source.pk], locked[into.pk]
        check_merge(source, into, other_customer_confirmed=other_customer_confirmed)
        other_customer = not same_customer(source, into)
        messages = list(Message.objects.filter(ticket=source).select_related("author"))
        files = list(Attachment.objects.filter(ticket=source).order_by("created_at", "id"))
        labels = _author_labels(source)

        first = append_message(
            into,
            body=_notice_to_target(source, into, messages, other_customer=other_customer),
            author_kind=AuthorKind.SYSTEM,
            by=None,
            channel=Channel.WEB,
            is_internal=other_customer,
        )
        entry = events.record(
            into,
            EventKind.MERGED_FROM,
            actor=by,
            source=source.pk,
            messages=len(messages),
            attachments=len(files),
            other_customer=other_customer,
            notice=first.pk,
        )
        copies: dict[int, Message] = {}
        for message in messages:
            internal = message.is_internal or other_customer
            copy = Message.objects.create(
                ticket=into,
                author=message.author,
                author_kind=message.author_kind,
                channel=message.channel,
                body=message.body,
                is_internal=internal,
                redacted_kinds=message.redacted_kinds,
                link_findings=message.link_findings,
                # Kept, so a mail reply to one of the duplicate's answers threads to the copy;
                # not for another customer, whose replies must stay off this ticket.
                external_id="" if other_customer else message.external_id,
            )
            copies[message.pk] = copy
            # Named as the duplicate's history named the author, so the target's evidence
            # archive attributes each copy to whoever wrote it, not to the merging agent.
            author: Any = message.author or labels.get(message.pk) or None
            if author == events.SYSTEM_LABEL:
                author = None
            entry = events.record(
                into,
                EventKind.NOTE_ADDED if internal else EventKind.MESSAGE_ADDED,
                actor=author,
                after=entry,
                message=copy.pk,
                author_kind=message.author_kind,
                channel=message.channel,
                copied_from=message.pk,
                merged_from=source.pk,
                merged_by=events.actor_label(by),
            )
        for file in files:
            copied = Attachment.objects.create(
                ticket=into,
                message=copies.get(file.message_id) if file.message_id else None,
                file=file.file.name,
                name=file.name,
                content_type=file.content_type,
                size=file.size,
                sha256=file.sha256,
                original_sha256=file.original_sha256,
                uploaded_by=file.uploaded_by,
            )
            entry = events.record(
                into,
                EventKind.ATTACHMENT_ADDED,
                actor=by,
                after=entry,
                attachment=copied.pk,
                message=copied.message_id,
                name=file.name,
                content_type=file.content_type,
                size=file.size,
                sha256=file.sha256,
                copied_from=file.pk,
                merged_from=source.pk,
            )
        into.save(update_fields=["updated_at"])

        append_message(
            source,
            body=_notice_to_source(source, into, other_customer=other_customer),
            author_kind=AuthorKind.SYSTEM,
            by=None,
            channel=Channel.WEB,
        )
        events.record(
            source,
            EventKind.MERGED_INTO,
            actor=by,
            into=into.pk,
            other_customer=other_customer,
        )
        source.merged_into = into
        fields = ["merged_into", "updated_at"]
        set_status(source, Status.CLOSED, by=by, fields=fields)
        source.save(update_fields=fields)
    return MergeResult(
        source=source,
        into=into,
        copied_messages=len(messages),
        copied_attachments=len(files),
        other_customer=other_customer,
    )
