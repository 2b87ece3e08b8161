"""How large and how many attachments may be: settings with defaults, and the count check."""

from __future__ import annotations

from django.conf import settings

from madoguchi.tickets.uploads.errors import UploadErrorCode, UploadRejected

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_PER_MESSAGE = 10
# Far above any phone or desktop screenshot (a 6K display is 20 megapixels), far below
# what a decompression bomb asks for: 40 million RGBA pixels are 160 MB of memory.
MAX_PIXELS = 40_000_000


def max_bytes() -> int:
    """The largest attachment accepted, in bytes (MADOGUCHI_ATTACHMENT_MAX_BYTES)."""
    return int(getattr(settings, "MADOGUCHI_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_per_message() -> int:
    """How many attachments one message may carry (MADOGUCHI_ATTACHMENTS_PER_MESSAGE)."""
    return int(getattr(settings, "MADOGUCHI_ATTACHMENTS_PER_MESSAGE", DEFAULT_PER_MESSAGE))


def check_count(count: int) -> None:
    """Raise UploadRejected(TOO_MANY) when one message would carry more than the limit."""
    limit = max_per_message()
    if count > limit:
        raise UploadRejected(UploadErrorCode.TOO_MANY, {"limit": limit})


def check_size(size: int) -> None:
    """Raise UploadRejected for an empty file or one above the size limit."""
    if size == 0:
        raise UploadRejected(UploadErrorCode.EMPTY)
    limit = max_bytes()
    if size > limit:
        raise UploadRejected(UploadErrorCode.TOO_LARGE, {"limit": _megabytes(limit)})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.2f}".rstrip("0").rstrip(".")
