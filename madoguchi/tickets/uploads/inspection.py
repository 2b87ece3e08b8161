"""`inspect_upload`: one attachment checked, cleaned and fingerprinted before anything stores it."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from madoguchi.tickets.uploads.errors import UploadRejected
from madoguchi.tickets.uploads.images import reencode
from madoguchi.tickets.uploads.limits import check_size
from madoguchi.tickets.uploads.names import safe_name
from madoguchi.tickets.uploads.pdfs import check_pdf
from madoguchi.tickets.uploads.sniffing import CSV, IMAGES, PDF, check_nothing_hidden, detect
from madoguchi.tickets.uploads.tables import check_table

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckedUpload:
    """An attachment ready to store.

    `data` is what to store: re-encoded pixels for an image, the bytes as sent for a PDF
    or CSV. `sha256` is the hex digest of `data`; `original_sha256` that of the bytes the
    customer sent, kept as evidence of what arrived.
    """

    name: str
    content_type: str
    data: bytes
    size: int
    sha256: str
    original_sha256: str


def inspect_upload(*, name: str, data: bytes, declared_type: str = "") -> CheckedUpload:
    """Check one attachment by its content and return what to store.

    The type comes from the bytes alone: `name` only gives the stored name its stem, and
    `declared_type` (what the browser or the mail said) is never trusted. Raises
    UploadRejected, and nothing else, for any file that is not accepted.
    """
    try:
        return _inspect(name, data)
    except UploadRejected as rejection:
        # Sizes and codes only: names and contents are the customer's.
        logger.debug(
            "attachment refused: %s (%d bytes, declared %.40r)",
            rejection.code,
            len(data),
            declared_type,
        )
        raise


def _inspect(name: str, data: bytes) -> CheckedUpload:
    check_size(len(data))
    original_sha256 = hashlib.sha256(data).hexdigest()
    kind = detect(data)
    stored = data
    content_type = kind.content_type
    if kind is CSV:
        charset = check_table(data)
        content_type = f"{CSV.content_type}; charset={charset}"
    else:
        check_nothing_hidden(data)
        if kind is PDF:
            check_pdf(data)
        elif kind in IMAGES:
            stored, kind = reencode(data, kind)
            content_type = kind.content_type
    return CheckedUpload(
        name=safe_name(name, extension=kind.extension),
        content_type=content_type,
        data=stored,
        size=len(stored),
        sha256=hashlib.sha256(stored).hexdigest(),
        original_sha256=original_sha256,
    )
