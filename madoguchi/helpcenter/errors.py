"""Why a Help Center write was refused, each code with a message for the person who tried."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class HelpCenterErrorCode(StrEnum):
    SAME_LANGUAGE_TRANSLATION = "same_language_translation"
    GUIDE_INVALID = "guide_invalid"
    IMAGE_INVALID = "image_invalid"
    IMAGE_TOO_LARGE = "image_too_large"


MESSAGES = {
    HelpCenterErrorCode.SAME_LANGUAGE_TRANSLATION: _(
        "A translation must be written in the other language."
    ),
    HelpCenterErrorCode.GUIDE_INVALID: _("This guide cannot be saved."),
    HelpCenterErrorCode.IMAGE_INVALID: _("This file is not a PNG, JPEG, GIF or WebP image."),
    HelpCenterErrorCode.IMAGE_TOO_LARGE: _("This image is too large."),
}


class HelpCenterError(Exception):
    """A refused write; `message` is translated, `details` say what exactly was wrong."""

    def __init__(self, code: HelpCenterErrorCode, details: list[str] | None = None) -> None:
        self.code = code
        self.details = details or []
        super().__init__(code.value)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])
