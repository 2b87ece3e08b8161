"""Why an attachment was refused, each code with a message in the customer's language."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


class UploadErrorCode(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    TOO_MANY = "too_many"
    UNSUPPORTED_TYPE = "unsupported_type"
    SPREADSHEET_NOT_CSV = "spreadsheet_not_csv"
    HIDDEN_CONTENT = "hidden_content"
    IMAGE_DAMAGED = "image_damaged"
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
    PDF_DAMAGED = "pdf_damaged"
    PDF_ACTIVE_CONTENT = "pdf_active_content"
    CSV_ENCODING = "csv_encoding"
    CSV_MALFORMED = "csv_malformed"


MESSAGES: dict[UploadErrorCode, Promise] = {
    UploadErrorCode.EMPTY: _("This file is empty. Choose the file again."),
    UploadErrorCode.TOO_LARGE: _(
        "This file is larger than %(limit)s MB. Attach a smaller file, or send a screenshot "
        "of the part that matters."
    ),
    UploadErrorCode.TOO_MANY: ngettext_lazy(
        "Attach at most %(limit)s file to one message.",
        "Attach at most %(limit)s files to one message.",
        "limit",
    ),
    UploadErrorCode.UNSUPPORTED_TYPE: _(
        "This type of file cannot be attached (PNG, JPEG, WebP, HEIC, PDF and CSV only)."
    ),
    UploadErrorCode.SPREADSHEET_NOT_CSV: _(
        "Spreadsheet files cannot be attached. Save the transaction history as CSV and "
        "attach that file."
    ),
    UploadErrorCode.HIDDEN_CONTENT: _(
        "This file has another kind of file hidden inside it, so it cannot be attached. "
        "Take a new screenshot or export the document again."
    ),
    UploadErrorCode.IMAGE_DAMAGED: _(
        "This image cannot be read: it is damaged or incomplete. Take the screenshot again "
        "and attach the new file."
    ),
    UploadErrorCode.IMAGE_TOO_MANY_PIXELS: _(
        "This image has too many pixels (more than %(limit)s megapixels). Attach a smaller "
        "screenshot."
    ),
    UploadErrorCode.PDF_DAMAGED: _(
        "This PDF is damaged or incomplete. Download or export it again and attach the new file."
    ),
    UploadErrorCode.PDF_ACTIVE_CONTENT: _(
        "This PDF contains scripts or embedded files, so it cannot be attached. Save it again "
        "with “Print to PDF”, or attach a screenshot instead."
    ),
    UploadErrorCode.CSV_ENCODING: _(
        "This CSV file is not in UTF-8 or Shift_JIS. Export the transaction history again "
        "as CSV (UTF-8) and attach that file."
    ),
    UploadErrorCode.CSV_MALFORMED: _(
        "This file cannot be read as a CSV table. Export the transaction history again as "
        "CSV and attach that file without editing it."
    ),
}


class UploadRejected(Exception):
    """A refused attachment; `message` is translated into the active language.

    `params` fill the placeholders of the message (`limit` for the size, count and pixel
    limits); they are set by the check that refused the file.
    """

    def __init__(
        self, code: UploadErrorCode | str, params: Mapping[str, int | str] | None = None
    ) -> None:
        self.code = UploadErrorCode(code)
        self.params = dict(params or {})
        super().__init__(self.code.value)

    @property
    def message(self) -> str:
        template = MESSAGES[self.code]
        if self.params:
            return str(template % self.params)
        return str(template)
