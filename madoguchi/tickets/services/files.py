"""Storing a checked upload on a ticket, with its SHA-256 kept as evidence."""

from __future__ import annotations

from typing import Any, Protocol

from django.core.files.base import ContentFile
from django.db import transaction

from madoguchi.tickets import events
from madoguchi.tickets.models import Attachment, EventKind, Message, Ticket


class CheckedFile(Protocol):
    """What `madoguchi.tickets.uploads.inspect_upload` returns: a file safe to keep."""

    @property
    def name(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def size(self) -> int: ...
    @property
    def sha256(self) -> str: ...
    @property
    def original_sha256(self) -> str: ...


def store_attachment(
    *, ticket: Ticket, upload: CheckedFile, message: Message | None = None, by: Any = None
) -> Attachment:
    """Keep `upload` on `ticket` (and `message`); its file name on disk is random."""
    with transaction.atomic():
        attachment = Attachment(
            ticket=ticket,
            message=message,
            name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            original_sha256=upload.original_sha256,
            uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        attachment.file.save(upload.name, ContentFile(upload.data), save=False)
        try:
            attachment.save()
        except BaseException:
            attachment.file.delete(save=False)  # no row, so no file either
            raise
        events.record(
            ticket,
            EventKind.ATTACHMENT_ADDED,
            actor=by,
            attachment=attachment.pk,
            message=message.pk if message else None,
            name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
        )
    return attachment
