"""Why the support form asks the customer to change something, each in their language."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class FormErrorCode(StrEnum):
    LEAVE_EMPTY = "leave_empty"
    FILES_REJECTED = "files_rejected"
    NOT_AN_ARTICLE = "not_an_article"
    NOTHING_VISIBLE = "nothing_visible"


MESSAGES = {
    FormErrorCode.LEAVE_EMPTY: _("Leave this field empty."),
    FormErrorCode.FILES_REJECTED: _("These files cannot be attached:"),
    FormErrorCode.NOT_AN_ARTICLE: _("This is not an article of the Help Center."),
    FormErrorCode.NOTHING_VISIBLE: _("This holds no visible text. Please write a few words."),
}


def message(code: FormErrorCode) -> str:
    return str(MESSAGES[code])
