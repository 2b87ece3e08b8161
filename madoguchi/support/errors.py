"""Why the support form asks the customer to change something, each in their language."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class FormErrorCode(StrEnum):
    LEAVE_EMPTY = "leave_empty"
    IN_THE_FUTURE = "in_the_future"
    BAD_AMOUNT = "bad_amount"
    BAD_COIN = "bad_coin"
    NETWORK_NEEDED = "network_needed"
    FILES_REJECTED = "files_rejected"
    NOT_AN_ARTICLE = "not_an_article"
    NOTHING_VISIBLE = "nothing_visible"


MESSAGES = {
    FormErrorCode.LEAVE_EMPTY: _("Leave this field empty."),
    FormErrorCode.IN_THE_FUTURE: _("This is in the future. Enter when it happened."),
    FormErrorCode.BAD_AMOUNT: _("Enter the amount as a number, for example 0.05 or 10000."),
    FormErrorCode.BAD_COIN: _("Enter the coin's symbol, for example BTC, ETH or USDT."),
    FormErrorCode.NETWORK_NEEDED: _(
        "Choose the network, so that the address and the transaction ID can be checked."
    ),
    FormErrorCode.FILES_REJECTED: _("These files cannot be attached:"),
    FormErrorCode.NOT_AN_ARTICLE: _("This is not an article of the Help Center."),
    FormErrorCode.NOTHING_VISIBLE: _("This holds no visible text. Please write a few words."),
}


def message(code: FormErrorCode) -> str:
    return str(MESSAGES[code])
