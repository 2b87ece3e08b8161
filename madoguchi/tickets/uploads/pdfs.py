"""PDF attachments: a header where it belongs, a trailer at the end, and no active content.

A PDF is stored as sent (it is evidence), so the check reads it instead of rewriting it.
Actions that run code or open other files (ISO 32000-1 §12.6.4: JavaScript, Launch,
GoToR, GoToE, SubmitForm, ImportData), embedded files and RichMedia refuse the file: an
exchange statement never needs them, and agents open what customers send. The names are
looked for in the file's own bytes and inside its Flate-compressed object streams
(§7.5.7), with `#xx` escapes decoded (§7.3.5). It is a screen, not a PDF parser: an
encrypted object stream cannot be read, so every PDF is still served as a download.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

from madoguchi.tickets.uploads.errors import UploadErrorCode, UploadRejected

_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
# §7.5.5: the file ends with startxref, the byte offset of the last cross-reference
# section, and %%EOF; writers may leave line ends (some pad with NUL) after it.
_TRAILER = re.compile(rb"startxref\s+[0-9]+\s+%%EOF[\s\x00]*\Z")
_TAIL = 1024
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}\x00]+)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n)")
_ACTIVE = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"GoToR",
        b"GoToE",
        b"SubmitForm",
        b"ImportData",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
    }
)
# Object streams hold dictionaries only, a few megabytes even in a long statement; a
# stream that inflates beyond this is a compression bomb.
MAX_INFLATED = 64 * 1024 * 1024


def check_pdf(data: bytes) -> None:
    """Raise UploadRejected unless `data` is a complete PDF without active content."""
    if not _HEADER.match(data) or not _TRAILER.search(data[-_TAIL:]):
        raise UploadRejected(UploadErrorCode.PDF_DAMAGED)
    if b"obj" not in data:
        raise UploadRejected(UploadErrorCode.PDF_DAMAGED)
    for readable in _readable_parts(data):
        if any(name in _ACTIVE for name in _names(readable)):
            raise UploadRejected(UploadErrorCode.PDF_ACTIVE_CONTENT)


def _readable_parts(data: bytes) -> Iterator[bytes]:
    """The file's text between streams, and the inflated content of its object streams.

    Other streams (page content, images, fonts) are skipped: they hold no dictionaries, and
    their compressed bytes would spell "/JS " by chance in a few percent of large files.
    """
    budget = MAX_INFLATED
    position = 0
    while match := _STREAM.search(data, position):
        yield data[position : match.start()]
        end = data.find(b"endstream", match.end())
        if end < 0:
            raise UploadRejected(UploadErrorCode.PDF_DAMAGED)
        window = data[max(position, match.start() - 4096) : match.start()]
        dictionary = window[max(0, window.rfind(b"obj")) :]
        if b"ObjStm" in set(_names(dictionary)):
            inflater = zlib.decompressobj()
            try:
                content = inflater.decompress(data[match.end() : end], budget + 1)
            except zlib.error:
                content = b""  # another filter, or encrypted: see the module docstring
            budget -= len(content)
            if budget < 0:
                raise UploadRejected(UploadErrorCode.PDF_DAMAGED)
            yield content
        position = end + len(b"endstream")
    yield data[position:]


def _names(data: bytes) -> Iterator[bytes]:
    for match in _NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), name)
        yield name
