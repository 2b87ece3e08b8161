"""What a file really is, read from its bytes: the type, and other files hidden inside it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import filetype

from madoguchi.tickets.uploads.errors import UploadErrorCode, UploadRejected


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extension: str


PNG = FileType("PNG", "image/png", "png")
JPEG = FileType("JPEG", "image/jpeg", "jpg")
WEBP = FileType("WebP", "image/webp", "webp")
HEIC = FileType("HEIC", "image/heic", "heic")
PDF = FileType("PDF", "application/pdf", "pdf")
CSV = FileType("CSV", "text/csv", "csv")
IMAGES = frozenset({PNG, JPEG, WEBP, HEIC})

_BY_MIME = {
    "image/png": PNG,
    "image/jpeg": JPEG,
    "image/webp": WEBP,
    "image/heic": HEIC,
    "application/pdf": PDF,
}
_SPREADSHEETS = frozenset({"xls", "xlsx", "ods"})
# ISO/IEC 23008-12 brands of HEVC-coded HEIF; "mif1" alone may just as well be AVIF,
# which is not accepted.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})

# Markup that a browser would run or render if it ever sniffed the file as HTML or SVG
# (tags of the WHATWG sniffing table, standalone SVG, PHP for a misconfigured server).
# Tags of four letters or more only: compressed pixels spell a shorter one by chance.
_MARKUP = re.compile(
    rb"<(?:script|iframe|object|embed|html|body|head|meta|style|!doctype\s+html|\?php)[\s>/]"
    rb"|<svg\s[^>]{0,512}?xmlns",
    re.IGNORECASE,
)
_TEXT_HEAD_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZIP_END = b"PK\x05\x06"
_ZIP_CENTRAL = b"PK\x01\x02"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP_SEARCH = 22 + 65535  # end-of-central-directory record plus the longest comment


def detect(data: bytes) -> FileType:
    """The type the bytes say; CSV for anything without a binary signature (checked later).

    Raises UploadRejected for a file whose signature names a type that is not accepted.
    """
    if _is_heic(data):
        return HEIC
    kind = filetype.guess(data)
    if kind is None:
        return CSV
    if kind.mime in _BY_MIME:
        return _BY_MIME[kind.mime]
    if kind.extension in _SPREADSHEETS:
        raise UploadRejected(UploadErrorCode.SPREADSHEET_NOT_CSV)
    # Some signatures are two printable letters ("BM" for BMP, "MZ" for EXE) that a CSV
    # may start with too; a real file of those types has control bytes near its start.
    if not _TEXT_HEAD_CONTROL.search(data[:8192]):
        return CSV
    raise UploadRejected(UploadErrorCode.UNSUPPORTED_TYPE)


def has_markup(data: bytes) -> bool:
    """True when the bytes carry HTML, SVG or script tags anywhere."""
    return _MARKUP.search(data) is not None


def has_zip_directory(data: bytes) -> bool:
    """True when a ZIP reader would find an archive in the file (read from its end, APPNOTE 4.3.16).

    A ZIP is read from its end, so an archive appended to an image or a PDF opens as a
    ZIP (a "GIFAR"). The record only counts when the central directory it announces sits
    right before it, which random bytes inside compressed pixels never arrange.
    """
    start = max(0, len(data) - _ZIP_SEARCH)
    position = data.rfind(_ZIP_END, start)
    while position >= 0:
        if position + 22 <= len(data):
            directory_size = int.from_bytes(data[position + 12 : position + 16], "little")
            directory_start = position - directory_size
            if directory_start >= 0 and (
                data.startswith(_ZIP_CENTRAL, directory_start)
                or (position >= 20 and data.startswith(_ZIP64_LOCATOR, position - 20))
            ):
                return True
        position = data.rfind(_ZIP_END, start, position)
    return False


def check_nothing_hidden(data: bytes) -> None:
    """Raise UploadRejected(HIDDEN_CONTENT) for an image or PDF that is also another file."""
    if has_zip_directory(data) or has_markup(data):
        raise UploadRejected(UploadErrorCode.HIDDEN_CONTENT)


def _is_heic(data: bytes) -> bool:
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(data[0:4], "big")
    if box_size < 16 or box_size > min(len(data), 4096):
        return False
    major = data[8:12]
    compatible = {data[i : i + 4] for i in range(16, box_size - 3, 4)}
    return major in _HEIC_BRANDS or (
        major in {b"mif1", b"msf1"} and bool(compatible & _HEIC_BRANDS)
    )
