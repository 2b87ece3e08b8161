"""Error codes of the search service, each with a message in the user's language."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class SearchErrorCode(StrEnum):
    EMPTY = "empty"
    INVALID_LOCALE = "invalid_locale"
    RATE_LIMITED = "rate_limited"


MESSAGES = {
    SearchErrorCode.EMPTY: _("Type a word or a question to search for."),
    SearchErrorCode.INVALID_LOCALE: _("Choose Japanese (ja) or English (en) for the search."),
    SearchErrorCode.RATE_LIMITED: _(
        "Too many searches in a short time. Wait a moment and try again."
    ),
}


class QueryError(Exception):
    """A query that cannot be searched; `message` is translated into the active language."""

    def __init__(self, code: SearchErrorCode | str) -> None:
        self.code = SearchErrorCode(code)
        super().__init__(self.code.value)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])
