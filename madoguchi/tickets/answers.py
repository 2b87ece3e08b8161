"""The answers to a problem type's fields, checked and normalized alike for every channel.

The support form and the ticket API hand over the raw text of each answer; `check_answers`
gives back the values to keep and every answer at fault, with a code and a message in the
active language. Crypto answers are checked against the type's (first) network field with
`madoguchi.tickets.networks` and kept normalized (network id, EIP-55 address, lower-case
TxID, coin symbol); amounts are kept as Decimal text, moments in ISO 8601 local time. Free
text is kept as intake stores it (NFC, without control characters, trimmed); blank and
length are judged on that form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime

from madoguchi.tickets.details import ERROR_MESSAGE, OCCURRED_AT
from madoguchi.tickets.errors import ANSWER_MESSAGES, AnswerCode
from madoguchi.tickets.models import FieldKind, ProblemField
from madoguchi.tickets.networks import (
    NETWORKS,
    CheckCode,
    CheckResult,
    Network,
    check_coin_on_network,
    check_memo,
    get_network,
    validate_address,
    validate_txid,
)
from madoguchi.tickets.text import clean_text

# Longest answers, in characters, by kind; the basics every form asks beside the type's own.
TEXT_MAX = 500
TEXTAREA_MAX = 5_000
PASTED_MAX = 1_000  # addresses and TxIDs: the checker names anything longer "too long"
MEMO_MAX = 200
ERROR_MESSAGE_MAX = 2_000
# Customers abroad type their own clock time; a day of slack keeps them from being refused.
FUTURE_SLACK = timedelta(days=1)

_NUMBER = re.compile(r"[0-9]{1,30}(?:\.[0-9]{1,30})?")
_COIN = re.compile(r"[A-Z0-9]{1,15}")
# The form's own ways of writing a moment, beside ISO 8601.
_FORM_MOMENTS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")
_CRYPTO = (FieldKind.ADDRESS, FieldKind.TXID, FieldKind.MEMO, FieldKind.COIN)


@dataclass(frozen=True)
class AnswerProblem:
    """One answer at fault: `key` is the field's key (or `occurred_at`, `error_message`)."""

    key: str
    code: str
    message: str


@dataclass(frozen=True)
class CheckedAnswers:
    """`answers`: the values to keep, by key (blank answers left out); `problems`: the faults."""

    answers: dict[str, str]
    problems: tuple[AnswerProblem, ...]


def max_length(kind: str) -> int:
    """The longest answer a field of this kind takes."""
    if kind == FieldKind.TEXTAREA:
        return TEXTAREA_MAX
    if kind in (FieldKind.ADDRESS, FieldKind.TXID):
        return PASTED_MAX
    if kind == FieldKind.MEMO:
        return MEMO_MAX
    return TEXT_MAX


def choice_options(row: ProblemField) -> list[tuple[str, str]]:
    """(value, label in the active language) of a choice field, skipping malformed entries."""
    language = (translation.get_language() or "ja")[:2]
    options: list[tuple[str, str]] = []
    for entry in row.choices if isinstance(row.choices, list) else []:
        if isinstance(entry, Mapping) and str(entry.get("value", "")):
            value = str(entry["value"])
            label = entry.get(language) or entry.get("ja") or entry.get("en") or value
            options.append((value, str(label)))
        elif isinstance(entry, str) and entry:
            options.append((entry, entry))
    return options


def parse_moment(text: str) -> datetime | None:
    """ISO 8601 (with or without an offset) or the form's 2025/01/31 09:30; naive is local time."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not value or len(value) > 64:
        return None
    moment: datetime | None = None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    for pattern in _FORM_MOMENTS:
        if moment is not None:
            break
        try:
            moment = datetime.strptime(value, pattern)  # noqa: DTZ007 - made aware below
        except ValueError:
            continue
    if moment is None:
        return None
    if timezone.is_naive(moment):
        try:
            moment = timezone.make_aware(moment)
        except (ValueError, OverflowError):
            return None
    return moment


def _stored(text: str) -> str:
    """`text` as intake will store an answer: in the one text form, trimmed."""
    return clean_text(text).strip()


def _amount(text: str) -> str | None:
    folded = re.sub(r"[\s,_']", "", unicodedata.normalize("NFKC", text))
    if not _NUMBER.fullmatch(folded):
        return None
    try:
        amount = Decimal(folded)
    except InvalidOperation:
        return None
    return format(amount.normalize(), "f") if amount > 0 else None


class _Checker:
    """Checks one set of answers; `problems` collects every fault, `kept` the values to keep."""

    def __init__(self, rows: Sequence[ProblemField], answers: Mapping[str, str]) -> None:
        self.rows = rows
        self.answers = answers
        self.kept: dict[str, str] = {}
        self.problems: list[AnswerProblem] = []

    def fail(self, key: str, code: AnswerCode, **params: Any) -> None:
        text = str(ANSWER_MESSAGES[code])
        self.problems.append(AnswerProblem(key, code.value, text % params if params else text))

    def refuse(self, key: str, result: CheckResult) -> None:
        self.problems.append(AnswerProblem(key, result.code.value, result.message))

    def at_fault(self, key: str) -> bool:
        return any(item.key == key for item in self.problems)

    def run(self) -> None:
        known = {row.key for row in self.rows} | {OCCURRED_AT, ERROR_MESSAGE}
        for key in self.answers:
            if key not in known:
                self.fail(key[:40], AnswerCode.UNKNOWN_FIELD, valid=", ".join(sorted(known)))
        self._basics()
        for row in self.rows:
            self._one(row)
        self._crypto()

    def _basics(self) -> None:
        moment = _stored(self.answers.get(OCCURRED_AT, ""))
        if moment:
            self._moment(OCCURRED_AT, moment)
        text = _stored(self.answers.get(ERROR_MESSAGE, ""))
        if len(text) > ERROR_MESSAGE_MAX:
            self.fail(ERROR_MESSAGE, AnswerCode.TOO_LONG, limit=ERROR_MESSAGE_MAX)
        elif text:
            self.kept[ERROR_MESSAGE] = text

    def _moment(self, key: str, text: str) -> None:
        moment = parse_moment(text)
        if moment is None:
            self.fail(key, AnswerCode.BAD_DATETIME)
        elif moment > timezone.now() + FUTURE_SLACK:
            self.fail(key, AnswerCode.IN_THE_FUTURE)
        else:
            self.kept[key] = timezone.localtime(moment).isoformat(timespec="minutes")

    def _one(self, row: ProblemField) -> None:
        value = _stored(self.answers.get(row.key, ""))
        if not value:
            if row.required:
                self.fail(row.key, AnswerCode.REQUIRED)
            return
        limit = max_length(row.kind)
        if len(value) > limit:
            self.fail(row.key, AnswerCode.TOO_LONG, limit=limit)
            return
        kind = row.kind
        if kind == FieldKind.DATETIME:
            self._moment(row.key, value)
        elif kind == FieldKind.CHOICE:
            choices = [option for option, _label in choice_options(row)]
            if value in choices:
                self.kept[row.key] = value
            else:
                self.fail(row.key, AnswerCode.BAD_CHOICE, valid=", ".join(choices))
        elif kind == FieldKind.NETWORK:
            network = get_network(value[:32])
            if network is None:
                # The code POST /api/v1/validate gives; the words of a choice, listing the ids.
                text = str(ANSWER_MESSAGES[AnswerCode.BAD_CHOICE]) % {"valid": ", ".join(NETWORKS)}
                self.problems.append(AnswerProblem(row.key, CheckCode.UNKNOWN_NETWORK.value, text))
            else:
                self.kept[row.key] = network.id
        elif kind == FieldKind.AMOUNT:
            amount = _amount(value)
            if amount is None:
                self.fail(row.key, AnswerCode.BAD_AMOUNT)
            else:
                self.kept[row.key] = amount
        elif kind == FieldKind.COIN:
            symbol = unicodedata.normalize("NFKC", value).strip().upper()
            if _COIN.fullmatch(symbol):
                self.kept[row.key] = symbol
            else:
                self.fail(row.key, AnswerCode.BAD_COIN)
        else:
            # Free text, and addresses, TxIDs and memos until the network is known.
            self.kept[row.key] = value

    def _of(self, *kinds: str) -> list[ProblemField]:
        return [row for row in self.rows if row.kind in kinds]

    def _crypto(self) -> None:
        """Coins, addresses, TxIDs and memos against the (first) network field of the type."""
        network_rows = self._of(FieldKind.NETWORK)
        pasted = self._of(*_CRYPTO)
        if not network_rows or not pasted or self.at_fault(network_rows[0].key):
            return
        network = get_network(self.kept.get(network_rows[0].key, ""))
        if network is None:
            if any(row.key in self.kept for row in pasted if row.kind != FieldKind.COIN):
                self.fail(network_rows[0].key, AnswerCode.NETWORK_NEEDED)
            return
        for row in self._of(FieldKind.COIN):
            coin = self.kept.get(row.key, "")
            result = check_coin_on_network(coin, network) if coin else None
            if result is not None and not result.valid:
                del self.kept[row.key]
                self.refuse(row.key, result)
        address = ""
        for row in self._of(FieldKind.ADDRESS, FieldKind.TXID):
            value = self.kept.get(row.key, "")
            if not value:
                continue
            check = validate_address if row.kind == FieldKind.ADDRESS else validate_txid
            result = check(network, value)
            if not result.valid or result.normalized is None:
                del self.kept[row.key]
                self.refuse(row.key, result)
                continue
            self.kept[row.key] = result.normalized
            if row.kind == FieldKind.ADDRESS and not address:
                address = result.normalized
        for row in self._of(FieldKind.MEMO):
            self._memo(row, network, address)

    def _memo(self, row: ProblemField, network: Network, address: str) -> None:
        if self.at_fault(row.key):
            return
        result = check_memo(network, self.kept.get(row.key, ""), address=address)
        if not result.valid:
            self.kept.pop(row.key, None)
            self.refuse(row.key, result)
        elif result.code is CheckCode.MEMO_NOT_USED:
            pass  # not needed on this network, but what was written is kept
        elif result.normalized:
            self.kept[row.key] = result.normalized
        else:
            self.kept.pop(row.key, None)


def check_answers(*, fields: Sequence[ProblemField], answers: Mapping[str, str]) -> CheckedAnswers:
    """Check `answers` (raw text by field key) against a problem type's `fields`, in order.

    Every fault is named, in the order of the fields; the answers to keep are those without
    one. `occurred_at` and `error_message`, the basics every form asks, are taken too; any
    other key the type has no field for is a fault (`unknown_field`).
    """
    checker = _Checker(fields, answers)
    checker.run()
    return CheckedAnswers(answers=checker.kept, problems=tuple(checker.problems))
