"""The evidence download on the agent page: the ticket's archive, recorded in its history."""

from __future__ import annotations

import base64
import tempfile

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_POST

from madoguchi.tickets.evidence import write_evidence
from madoguchi.tickets.permissions import NOT_FOUND, access_ticket, can_export_evidence

# Archives up to this size stay in memory; larger ones go to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


@require_POST
def evidence_download(request: HttpRequest, ticket_id: int) -> FileResponse:
    """POST, because every export is written into the ticket's history (a form with CSRF)."""
    ticket = access_ticket(request.user, ticket_id)
    if not can_export_evidence(request.user, ticket):
        raise Http404(NOT_FOUND)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    try:
        export = write_evidence(ticket, by=request.user, into=spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = FileResponse(
        spool, as_attachment=True, filename=export.filename, content_type="application/zip"
    )
    response["Content-Length"] = str(export.size)
    response["Cache-Control"] = "no-store"
    # RFC 9530: the archive's SHA-256, the same value the history records.
    digest = base64.b64encode(bytes.fromhex(export.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
