"""Payment card numbers (Luhn) and Japanese Individual Numbers (My Number, check digit).

A check digit passes for one number in ten by chance, and support messages are full of long
numbers (order IDs, timestamps, amounts), so each check also asks for the shape of the real
thing: a card number starts with a known issuer prefix or follows a card label; a My Number
follows its label or is written in three groups of four.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import luhn
from stdnum.jp import in_ as my_number

from madoguchi.safety.redaction.kinds import SecretKind

# The lookarounds keep a match from starting or ending inside a longer group of digits or
# inside an identifier ("boundary====4111...", "ref_4111...", "a/b/4111...").
_BEFORE = r"(?<![0-9A-Za-z=_/.@&?+])(?<![0-9][ -])"
_AFTER = r"(?![0-9A-Za-z=_/@&])(?![ .-][0-9])"
_CARD = re.compile(_BEFORE + r"\d(?:[ -]?\d){12,18}" + _AFTER)
# Visa, Mastercard, American Express, JCB, Diners, Discover, UnionPay.
_ISSUER = re.compile(r"4|5[1-5]|2[2-7]|3[47]|35|30|36|38|6011|64[4-9]|65|62")
_CARD_LABEL = re.compile(r"card|カード|クレジット|デビット", re.IGNORECASE)
# Numbers after these are identifiers the customer should send, not card numbers.
_ID_LABEL = re.compile(
    r"order|trade|ticket|txid|tx\s*id|hash|(?<![a-z])u?id(?![a-z])|\bno\.|注文|約定|取引|出金|"
    r"入金|ユーザー|会員|番号",
    re.IGNORECASE,
)
_MY_NUMBER = re.compile(_BEFORE + r"\d{4}([ -]?)\d{4}\1\d{4}" + _AFTER)
_MY_NUMBER_LABEL = re.compile(r"マイナンバー|個人番号|my\s*number|individual\s*number", re.I)
_CONTEXT = 24  # characters before a number searched for its label


def _label_before(text: str, start: int, label: re.Pattern[str]) -> bool:
    before = text[max(0, start - _CONTEXT) : start]
    return label.search(before.rsplit("\n", 1)[-1]) is not None


def find_numbers(text: str) -> Iterator[tuple[SecretKind, int, int]]:
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if not 13 <= len(digits) <= 19 or not luhn.is_valid(digits):
            continue
        if _label_before(text, match.start(), _CARD_LABEL) or (
            _ISSUER.match(digits) and not _label_before(text, match.start(), _ID_LABEL)
        ):
            yield SecretKind.CARD_NUMBER, *match.span()
    for match in _MY_NUMBER.finditer(text):
        if not my_number.is_valid(match.group()):
            continue
        if match.group(1) or _label_before(text, match.start(), _MY_NUMBER_LABEL):
            yield SecretKind.MY_NUMBER, *match.span()
