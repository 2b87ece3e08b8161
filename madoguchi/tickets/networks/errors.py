"""Result codes of the address, TxID, coin and memo checks, with messages in the user's language.

Messages take named parameters: `network` and `other` (network names), `memo` (the memo's
name on that network, such as "destination tag"), `coin`, `format` (what a valid value looks
like) and `embedded` (the tag an X-address carries).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class CheckCode(StrEnum):
    VALID = "valid"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    INVALID_CHARACTERS = "invalid_characters"
    BAD_FORMAT = "bad_format"
    BAD_CHECKSUM = "bad_checksum"
    WRONG_NETWORK = "wrong_network"
    TESTNET = "testnet"
    TXID_BAD_FORMAT = "txid_bad_format"
    TXID_WRONG_NETWORK = "txid_wrong_network"
    COIN_NOT_ON_NETWORK = "coin_not_on_network"
    MEMO_REQUIRED = "memo_required"
    MEMO_INVALID = "memo_invalid"
    MEMO_CONFLICT = "memo_conflict"
    MEMO_NOT_USED = "memo_not_used"
    UNKNOWN_NETWORK = "unknown_network"
    UNKNOWN_KIND = "unknown_kind"
    RATE_LIMITED = "rate_limited"


MESSAGES: dict[CheckCode, Promise] = {
    CheckCode.VALID: _("This looks right."),
    CheckCode.EMPTY: _("Nothing was entered. Paste the value here."),
    CheckCode.TOO_LONG: _(
        "This is far longer than any %(network)s address or transaction ID. "
        "Paste only the value itself."
    ),
    CheckCode.INVALID_CHARACTERS: _(
        "This contains characters that never appear in %(network)s addresses or transaction "
        "IDs (spaces, symbols, emoji or letters from other scripts). Copy it again from where "
        "it was shown."
    ),
    CheckCode.BAD_FORMAT: _(
        "This is not a valid %(network)s address (%(format)s). Check that it was copied completely."
    ),
    CheckCode.BAD_CHECKSUM: _(
        "The checksum of this address does not match, so one or more characters are wrong. "
        "Copy the address again instead of typing it."
    ),
    CheckCode.WRONG_NETWORK: _(
        "This looks like an address on %(other)s, not on %(network)s. Check which network was used."
    ),
    CheckCode.TESTNET: _(
        "This is a test network address. %(network)s deposits and withdrawals use mainnet "
        "addresses only."
    ),
    CheckCode.TXID_BAD_FORMAT: _(
        "This is not a valid %(network)s transaction ID (%(format)s). Check that it was "
        "copied completely."
    ),
    CheckCode.TXID_WRONG_NETWORK: _(
        "This looks like a transaction ID of another network. A %(network)s transaction ID "
        "is %(format)s."
    ),
    CheckCode.COIN_NOT_ON_NETWORK: _(
        "%(coin)s is not carried on %(network)s. A coin sent on a network that does not carry "
        "it can be lost: check the coin and the network that were used."
    ),
    CheckCode.MEMO_REQUIRED: _(
        "%(network)s needs a %(memo)s. Without it the transfer cannot be matched to an account."
    ),
    CheckCode.MEMO_INVALID: _("This %(memo)s is not valid: it must be %(format)s."),
    CheckCode.MEMO_CONFLICT: _(
        "The address already carries %(memo)s %(embedded)s, which differs from the one "
        "entered. Check which one is right."
    ),
    CheckCode.MEMO_NOT_USED: _("%(network)s does not use a memo or tag; it can be left empty."),
    CheckCode.UNKNOWN_NETWORK: _(
        "This network is not known. Choose one of the networks listed at /api/v1/networks."
    ),
    CheckCode.UNKNOWN_KIND: _('Choose what to check: "address" or "txid".'),
    CheckCode.RATE_LIMITED: _("Too many checks in a short time. Wait a moment and try again."),
}
