"""Checks on ticket attachments: type by content, limits, re-encoded images, safe names.

A pure module: it stores nothing. The ticket services call `inspect_upload` for each file
and `check_count` for each message, and store the `CheckedUpload` they get back.
"""

from madoguchi.tickets.uploads.errors import UploadErrorCode, UploadRejected
from madoguchi.tickets.uploads.inspection import CheckedUpload, inspect_upload
from madoguchi.tickets.uploads.limits import check_count, max_bytes, max_per_message
from madoguchi.tickets.uploads.names import safe_name

__all__ = [
    "CheckedUpload",
    "UploadErrorCode",
    "UploadRejected",
    "check_count",
    "inspect_upload",
    "max_bytes",
    "max_per_message",
    "safe_name",
]
