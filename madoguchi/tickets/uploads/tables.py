"""CSV transaction histories: UTF-8 or Shift_JIS text that reads as a table of 2+ columns."""

from __future__ import annotations

import csv
import io
import re

from madoguchi.tickets.uploads.errors import UploadErrorCode, UploadRejected

# Tags a browser would act on if it ever rendered the text as HTML; in a table of
# transactions a "<" is followed by a digit or a space, not by these.
_TAGS = re.compile(
    r"<(?:a|img|svg|math|div|form|input|link|base|video|audio|details|style|script|iframe|"
    r"object|embed|html|body|head|meta|!doctype|\?php|\?xml)\b",
    re.IGNORECASE,
)
# Tab, line feed and carriage return belong in a CSV file; other C0 controls and DEL do
# not, and a run of them means a binary file. Ctrl-Z ends some files written on DOS.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DELIMITERS = (",", "\t", ";")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def check_table(data: bytes) -> str:
    """The charset of a CSV file ("utf-8" or "shift_jis"); raises UploadRejected otherwise."""
    if b"\x00" in data:
        # UTF-16 is what Excel's "Unicode text" writes: a table, in the wrong encoding.
        if data.startswith(_UTF16_BOMS):
            raise UploadRejected(UploadErrorCode.CSV_ENCODING)
        raise UploadRejected(UploadErrorCode.UNSUPPORTED_TYPE)
    text, charset = _decode(data)
    text = text.removesuffix("\x1a")
    if _CONTROL.search(text):
        raise UploadRejected(UploadErrorCode.UNSUPPORTED_TYPE)
    if not text.strip():
        raise UploadRejected(UploadErrorCode.EMPTY)
    # HTML, SVG and XML are text too; a viewer that sniffs would render them.
    if text.lstrip().startswith("<") or _TAGS.search(text):
        raise UploadRejected(UploadErrorCode.UNSUPPORTED_TYPE)
    _check_rows(text)
    return charset


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # CP932 (Windows-31J) is the Shift_JIS that Japanese Excel and exchanges write.
        return data.decode("cp932"), "shift_jis"
    except UnicodeDecodeError:
        pass
    # Neither encoding: text in another one (EUC-JP, Latin-1) or a binary file.
    if _CONTROL.search(data.decode("latin-1")):
        raise UploadRejected(UploadErrorCode.UNSUPPORTED_TYPE)
    raise UploadRejected(UploadErrorCode.CSV_ENCODING)


def _check_rows(text: str) -> None:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0:
        raise UploadRejected(UploadErrorCode.CSV_MALFORMED)
    # strict: a stray quote or a quoted field left open is an error, not a guess; a field
    # beyond csv.field_size_limit() (128 KiB) is an error too.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        widest = max((len(row) for row in reader), default=0)
    except csv.Error as error:
        raise UploadRejected(UploadErrorCode.CSV_MALFORMED) from error
    if widest < 2:
        raise UploadRejected(UploadErrorCode.CSV_MALFORMED)
