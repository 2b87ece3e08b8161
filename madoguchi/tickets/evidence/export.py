"""Exporting a ticket's whole record as one archive, and writing the export into its history."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from madoguchi.tickets.events import SYSTEM_LABEL, actor_label, record, verify_history
from madoguchi.tickets.evidence import archive
from madoguchi.tickets.models import (
    Attachment,
    AuthorKind,
    Channel,
    EventKind,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)


@dataclass(frozen=True)
class EvidenceExport:
    """What was exported: the archive's name, hashes and size, and the history entry saying so."""

    ticket_id: int
    filename: str
    sha256: str
    size: int
    manifest_sha256: str
    exported_at: datetime
    event_sequence: int


def madoguchi_version() -> str:
    try:
        return metadata.version("madoguchi")
    except metadata.PackageNotFoundError:
        return "unknown"


def archive_filename(ticket_id: int, exported_at: datetime) -> str:
    return f"ticket-{ticket_id}-evidence-{exported_at.astimezone(UTC):%Y%m%dT%H%M%SZ}.zip"


def export_evidence(ticket: Ticket, *, by: Any) -> bytes:
    """The archive of `ticket` as bytes; see `write_evidence`."""
    buffer = io.BytesIO()
    write_evidence(ticket, by=by, into=buffer)
    return buffer.getvalue()


def write_evidence(ticket: Ticket, *, by: Any, into: archive.BinaryOutput) -> EvidenceExport:
    """Write `ticket`'s record as a ZIP to `into` and append EXPORTED to its history.

    One transaction with the ticket locked, so the archive holds the history exactly up to
    the export, and the entry that records the export (actor, manifest and archive SHA-256)
    commits only with it. `by` is a user, or a label such as "command line (alice)".
    A broken history or a missing file does not stop the export: the manifest says so.
    """
    with transaction.atomic():
        # Locked before anything is read: no other write lands between the archive and its entry.
        Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk").first()
        ticket = Ticket.objects.select_related("problem_type", "group", "assignee", "customer").get(
            pk=ticket.pk
        )
        exported_at = timezone.now()
        events = list(TicketEvent.objects.filter(ticket=ticket).order_by("sequence"))
        check = verify_history(ticket)
        messages = list(Message.objects.filter(ticket=ticket).select_related("author"))
        attachments = list(Attachment.objects.filter(ticket=ticket).order_by("created_at", "id"))

        writer = archive.ArchiveWriter(into)
        attachment_rows = [
            _write_attachment(writer, number, attachment)
            for number, attachment in enumerate(attachments, start=1)
        ]
        paths = {row["attachment_id"]: row["path"] for row in attachment_rows}
        message_rows = _message_rows(ticket, messages, attachments, paths, events)
        writer.add(archive.TICKET, archive.json_bytes(_ticket_row(ticket)))
        writer.add(archive.MESSAGES, archive.json_bytes(message_rows))
        writer.add(archive.TRANSCRIPT, _transcript(ticket, message_rows).encode())
        writer.add(archive.HISTORY, archive.json_bytes([_event_row(e) for e in events]))
        head = events[-1].hash if events else None
        manifest = {
            "format": archive.FORMAT,
            "ticket": {
                "id": ticket.pk,
                "subject": ticket.subject,
                "requester": {"email": ticket.requester_email, "name": ticket.requester_name},
                "status": ticket.status,
                "created_at": archive.utc_iso(ticket.created_at),
            },
            "exported_at": archive.utc_iso(exported_at),
            "exported_by": actor_label(by),
            "madoguchi_version": madoguchi_version(),
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in writer.files],
            "attachments": attachment_rows,
            "history": {
                "entries": len(events),
                "head_hash": head,
                "check": {
                    "ok": check.ok,
                    "entries": check.entries,
                    "first_bad_sequence": check.first_bad_sequence,
                    "problem": check.problem,
                },
            },
        }
        manifest_file = writer.add(archive.MANIFEST, archive.json_bytes(manifest))
        writer.add(archive.SUMS, archive.sums_text((f.path, f.sha256) for f in writer.files))
        sha256, size = writer.close()
        entry = record(
            ticket,
            EventKind.EXPORTED,
            actor=by,
            manifest_sha256=manifest_file.sha256,
            archive_sha256=sha256,
            archive_bytes=size,
            history_entries=len(events),
            history_head=head,
            history_intact=check.ok,
        )
    return EvidenceExport(
        ticket_id=ticket.pk,
        filename=archive_filename(ticket.pk, exported_at),
        sha256=sha256,
        size=size,
        manifest_sha256=manifest_file.sha256,
        exported_at=exported_at,
        event_sequence=entry.sequence,
    )


def _chunks(stored: Any) -> Iterator[bytes]:
    while chunk := stored.read(archive.CHUNK_BYTES):
        yield chunk


def _write_attachment(
    writer: archive.ArchiveWriter, number: int, attachment: Attachment
) -> dict[str, Any]:
    path = archive.attachment_path(number, attachment.name)
    row: dict[str, Any] = {
        "path": path,
        "attachment_id": attachment.pk,
        "message_id": attachment.message_id,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "added_at": archive.utc_iso(attachment.created_at),
        "recorded_size": attachment.size,
        "recorded_sha256": attachment.sha256,
        "original_sha256": attachment.original_sha256,
    }
    try:
        # Opened before its entry starts: an entry cannot be taken back once begun.
        stored = attachment.file.storage.open(attachment.file.name or "", "rb")
    except (OSError, SuspiciousFileOperation):
        # Gone from storage: the record says what it was, the archive that it is missing.
        return {**row, "stored": False, "sha256": None, "size": None, "matches_record": False}
    with stored:
        archived = writer.add_chunks(path, _chunks(stored))
    return {
        **row,
        "stored": True,
        "sha256": archived.sha256,
        "size": archived.size,
        "matches_record": archived.sha256 == attachment.sha256,
    }


def _ticket_row(ticket: Ticket) -> dict[str, Any]:
    # The reply token is a secret that lets mail join the ticket; it stays out.
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "language": ticket.language,
        "problem_type": ticket.problem_type.slug if ticket.problem_type else None,
        "group": ticket.group.slug if ticket.group else None,
        "assignee": ticket.assignee.email if ticket.assignee else None,
        "customer": (
            {"id": ticket.customer.pk, "email": ticket.customer.email} if ticket.customer else None
        ),
        "requester_email": ticket.requester_email,
        "requester_name": ticket.requester_name,
        "external_user_id": ticket.external_user_id,
        "details": ticket.details,
        "account_context": ticket.account_context,
        "safety_flags": ticket.safety_flags,
        "tags": sorted(ticket.tags.values_list("name", flat=True)),
        "suggestions_shown": ticket.suggestions_shown,
        "suggestions_opened": ticket.suggestions_opened,
        "email_confirmed_at": archive.utc_iso(ticket.email_confirmed_at),
        "created_at": archive.utc_iso(ticket.created_at),
        "updated_at": archive.utc_iso(ticket.updated_at),
        "first_response_due_at": archive.utc_iso(ticket.first_response_due_at),
        "first_response_at": archive.utc_iso(ticket.first_response_at),
        "solved_at": archive.utc_iso(ticket.solved_at),
        "closed_at": archive.utc_iso(ticket.closed_at),
        "csat_rating": ticket.csat_rating,
        "csat_comment": ticket.csat_comment,
        "csat_at": archive.utc_iso(ticket.csat_at),
    }


def _author_label(ticket: Ticket, message: Message, recorded: dict[int, str]) -> str:
    """Who wrote it, as the history named them at the time when it named anyone."""
    if message.author is not None:
        return str(message.author.email)
    label = recorded.get(message.pk, "")
    if label and label != SYSTEM_LABEL:
        return label
    if message.author_kind in (AuthorKind.CUSTOMER, AuthorKind.INTEGRATION):
        return ticket.requester_email
    return label or str(message.author_kind)


def _message_rows(
    ticket: Ticket,
    messages: list[Message],
    attachments: list[Attachment],
    paths: dict[int, str],
    events: list[TicketEvent],
) -> list[dict[str, Any]]:
    recorded = {
        event.data["message"]: event.actor_label
        for event in events
        if event.kind in (EventKind.MESSAGE_ADDED, EventKind.NOTE_ADDED)
        and isinstance(event.data, dict)
        and isinstance(event.data.get("message"), int)
    }
    files: dict[int | None, list[str]] = {}
    for attachment in attachments:
        files.setdefault(attachment.message_id, []).append(paths[attachment.pk])
    return [
        {
            "id": message.pk,
            "created_at": archive.utc_iso(message.created_at),
            "author_kind": message.author_kind,
            "author_label": _author_label(ticket, message, recorded),
            "channel": message.channel,
            "internal": message.is_internal,
            "body": message.body,
            "redacted_kinds": message.redacted_kinds,
            "link_findings": message.link_findings,
            "external_id": message.external_id,
            "attachments": files.get(message.pk, []),
        }
        for message in messages
    ]


def _event_row(event: TicketEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "kind": event.kind,
        "actor_label": event.actor_label,
        "data": event.data,
        # Exactly the text the hash was computed over (`events.entry_hash`).
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "previous_hash": event.previous_hash,
        "hash": event.hash,
    }


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _transcript(ticket: Ticket, rows: list[dict[str, Any]]) -> str:
    """The conversation to read, in the site's language; messages.json is the record."""
    with translation.override(settings.LANGUAGE_CODE):
        requester = ticket.requester_email
        if ticket.requester_name:
            requester = f"{ticket.requester_name} <{ticket.requester_email}>"
        lines = [
            _("Ticket #%(id)s: %(subject)s") % {"id": ticket.pk, "subject": ticket.subject},
            _("Requester: %(requester)s") % {"requester": requester},
            _("Status: %(status)s / Priority: %(priority)s")
            % {
                "status": _label(Status, ticket.status),
                "priority": _label(Priority, ticket.priority),
            },
            _("Created: %(time)s (UTC)") % {"time": _readable(archive.utc_iso(ticket.created_at))},
            _("Internal notes are included and marked. messages.json is the exact record."),
            "",
        ]
        for number, row in enumerate(rows, start=1):
            who = _label(AuthorKind, row["author_kind"])
            if row["internal"]:
                who = _("%(author)s, internal note") % {"author": who}
            lines.append(
                f"==== {number} · {_readable(row['created_at'])} UTC · {who} · "
                f"{row['author_label']} · {_label(Channel, row['channel'])} ===="
            )
            lines.append(row["body"])
            for path in row["attachments"]:
                lines.append(_("Attached: %(path)s") % {"path": path})
            if row["redacted_kinds"]:
                lines.append(
                    _("Secrets removed before storing: %(kinds)s")
                    % {"kinds": ", ".join(map(str, row["redacted_kinds"]))}
                )
            if row["link_findings"]:
                lines.append(
                    _("Look-alike links flagged: %(count)s") % {"count": len(row["link_findings"])}
                )
            lines.append("")
    return "\n".join(lines)


def _readable(iso: str | None) -> str:
    return (iso or "").replace("T", " ").removesuffix("+00:00")
