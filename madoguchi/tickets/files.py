"""Serving a ticket's attachment: always downloaded, never rendered or cached by the browser.

Callers authorize first (`permissions.access_attachment`); this module only builds the response.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404

from madoguchi.tickets.models import Attachment
from madoguchi.tickets.permissions import NOT_FOUND

FALLBACK_NAME = "attachment"


def _visible(name: str) -> str:
    # Stored names are already cleaned on upload; a header must still never carry a line break.
    text = "".join(c for c in name if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    return text.strip() or FALLBACK_NAME


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII `filename` and the exact UTF-8 `filename*` (RFC 6266 §4.3)."""
    name = _visible(name)
    ascii_name = "".join(
        c if c.isascii() and c not in '"\\' else "_" for c in unicodedata.normalize("NFKC", name)
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download, with headers that keep the browser from running or keeping it."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        # The row outlived its file (a storage restored from an older backup): not a 500.
        raise Http404(NOT_FOUND) from None
    response = FileResponse(
        handle, content_type=attachment.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition(attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Opened in a tab after all (a PDF viewer), the file runs no script and loads nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    return response
