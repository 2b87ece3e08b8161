"""Why an accounts write was refused, each code with a message for the person who tried."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class AccountErrorCode(StrEnum):
    CODE_LENGTH = "anti_phishing_code_length"
    CODE_AT_SIGN = "anti_phishing_code_at_sign"
    CODE_LOOKS_LIKE_ADDRESS = "anti_phishing_code_looks_like_address"
    CODE_CHARACTERS = "anti_phishing_code_characters"


MESSAGES = {
    AccountErrorCode.CODE_LENGTH: _("Use between 4 and 20 characters."),
    AccountErrorCode.CODE_AT_SIGN: _("The code cannot contain “@”."),
    AccountErrorCode.CODE_LOOKS_LIKE_ADDRESS: _(
        "The code cannot look like a web or email address."
    ),
    AccountErrorCode.CODE_CHARACTERS: _(
        "Use only letters, digits, hiragana, katakana and kanji, without spaces or symbols."
    ),
}


class AccountError(Exception):
    """A refused write; `message` is translated for the person who tried."""

    def __init__(self, code: AccountErrorCode) -> None:
        self.code = code
        super().__init__(code.value)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])
