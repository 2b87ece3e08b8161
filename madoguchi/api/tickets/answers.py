"""The answers to a problem type's fields, checked by the rules of the support form.

Crypto values are checked against the type's network field with `madoguchi.tickets.networks`
and kept normalized (network id, EIP-55 address, coin symbol), as the form keeps them;
amounts and moments are kept in the form's canonical text. Free text is passed on as sent:
intake normalizes it like every other channel's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from madoguchi.api.tickets.errors import FieldCode, FieldProblem, problem
from madoguchi.tickets.models import FieldKind, ProblemField, ProblemType
from madoguchi.tickets.networks import (
    CheckCode,
    Network,
    check_coin_on_network,
    check_memo,
    get_network,
    validate_address,
    validate_txid,
)
from madoguchi.tickets.networks.errors import MESSAGES as CHECK_MESSAGES
from madoguchi.tickets.text import clean_text

# The basics every form asks beside the type's own fields.
OCCURRED_AT = "occurred_at"
ERROR_MESSAGE = "error_message"
ERROR_MESSAGE_MAX = 2_000

TEXT_MAX = 500
TEXTAREA_MAX = 5_000
PASTED_MAX = 1_000
MEMO_MAX = 200
FUTURE_SLACK = timedelta(days=1)

_NUMBER = re.compile(r"[0-9]{1,30}(?:\.[0-9]{1,30})?")
_COIN = re.compile(r"[A-Z0-9]{1,15}")
_FORM_MOMENTS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


def _path(key: str) -> str:
    return f"fields.{key}"


def _choice_values(row: ProblemField) -> list[str]:
    values = []
    for entry in row.choices if isinstance(row.choices, list) else []:
        if isinstance(entry, dict) and str(entry.get("value", "")):
            values.append(str(entry["value"]))
        elif isinstance(entry, str) and entry:
            values.append(entry)
    return values


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


def _amount(text: str) -> str | None:
    folded = re.sub(r"[\s,_']", "", unicodedata.normalize("NFKC", text))
    if not _NUMBER.fullmatch(folded):
        return None
    try:
        amount = Decimal(folded)
    except InvalidOperation:
        return None
    return format(amount.normalize(), "f") if amount > 0 else None


def _limit(kind: str) -> int:
    if kind == FieldKind.TEXTAREA:
        return TEXTAREA_MAX
    if kind in (FieldKind.ADDRESS, FieldKind.TXID):
        return PASTED_MAX
    if kind == FieldKind.MEMO:
        return MEMO_MAX
    return TEXT_MAX


class _Checker:
    """Checks one set of answers; `problems` collects every fault, `kept` the values to send."""

    def __init__(self, rows: list[ProblemField], answers: Mapping[str, str]) -> None:
        self.rows = rows
        self.answers = answers
        self.kept: dict[str, str] = {}
        self.problems: list[FieldProblem] = []

    def fail(self, key: str, code: FieldCode, **params: object) -> None:
        self.problems.append(problem(_path(key), code, **params))

    def run(self) -> None:
        known = {row.key for row in self.rows} | {OCCURRED_AT, ERROR_MESSAGE}
        for key in self.answers:
            if key not in known:
                self.fail(key[:40], FieldCode.UNKNOWN_FIELD, valid=", ".join(sorted(known)))
        self._basics()
        for row in self.rows:
            self._one(row)
        self._crypto()

    def _basics(self) -> None:
        moment = self.answers.get(OCCURRED_AT, "")
        if moment.strip():
            self._moment(OCCURRED_AT, moment)
        text = self.answers.get(ERROR_MESSAGE, "")
        if clean_text(text).strip():
            if len(clean_text(text).strip()) > ERROR_MESSAGE_MAX:
                self.fail(ERROR_MESSAGE, FieldCode.TOO_LONG, limit=ERROR_MESSAGE_MAX)
            else:
                self.kept[ERROR_MESSAGE] = text

    def _moment(self, key: str, text: str) -> None:
        moment = parse_moment(text)
        if moment is None:
            self.fail(key, FieldCode.BAD_DATETIME)
        elif moment > timezone.now() + FUTURE_SLACK:
            self.fail(key, FieldCode.IN_THE_FUTURE)
        else:
            self.kept[key] = timezone.localtime(moment).isoformat(timespec="minutes")

    def _one(self, row: ProblemField) -> None:
        raw = self.answers.get(row.key, "")
        # Blank and length as intake will store it: NFC, without control characters.
        value = clean_text(raw).strip()
        if not value:
            if row.required:
                self.fail(row.key, FieldCode.REQUIRED)
            return
        limit = _limit(row.kind)
        if len(value) > limit:
            self.fail(row.key, FieldCode.TOO_LONG, limit=limit)
            return
        kind = row.kind
        if kind == FieldKind.DATETIME:
            self._moment(row.key, value)
        elif kind == FieldKind.CHOICE:
            choices = _choice_values(row)
            if value in choices:
                self.kept[row.key] = value
            else:
                self.fail(row.key, FieldCode.BAD_CHOICE, valid=", ".join(choices))
        elif kind == FieldKind.NETWORK:
            network = get_network(value[:32])
            if network is None:
                self.problems.append(_check_problem(row.key, CheckCode.UNKNOWN_NETWORK))
            else:
                self.kept[row.key] = network.id
        elif kind == FieldKind.AMOUNT:
            amount = _amount(value)
            if amount is None:
                self.fail(row.key, FieldCode.BAD_AMOUNT)
            else:
                self.kept[row.key] = amount
        elif kind == FieldKind.COIN:
            symbol = unicodedata.normalize("NFKC", value).strip().upper()
            if _COIN.fullmatch(symbol):
                self.kept[row.key] = symbol
            else:
                self.fail(row.key, FieldCode.BAD_COIN)
        else:
            # Free text, and addresses, TxIDs and memos until the network is known.
            self.kept[row.key] = raw

    def _of(self, *kinds: str) -> list[ProblemField]:
        return [row for row in self.rows if row.kind in kinds]

    def _crypto(self) -> None:
        network_rows = self._of(FieldKind.NETWORK)
        pasted = self._of(FieldKind.ADDRESS, FieldKind.TXID, FieldKind.MEMO, FieldKind.COIN)
        if not network_rows or not pasted:
            return
        network_key = network_rows[0].key
        if any(item.field == _path(network_key) for item in self.problems):
            return
        network = get_network(self.kept.get(network_key, ""))
        if network is None:
            if any(row.key in self.kept for row in pasted if row.kind != FieldKind.COIN):
                self.fail(network_key, FieldCode.NETWORK_NEEDED)
            return
        for row in self._of(FieldKind.COIN):
            coin = self.kept.get(row.key, "")
            if coin:
                result = check_coin_on_network(coin, network)
                if not result.valid:
                    self.problems.append(
                        FieldProblem(_path(row.key), result.code.value, result.message)
                    )
        address = ""
        for row in self._of(FieldKind.ADDRESS, FieldKind.TXID):
            value = self.kept.get(row.key, "")
            if not value:
                continue
            check = validate_address if row.kind == FieldKind.ADDRESS else validate_txid
            result = check(network, value)
            if not result.valid or result.normalized is None:
                del self.kept[row.key]
                self.problems.append(
                    FieldProblem(_path(row.key), result.code.value, result.message)
                )
                continue
            self.kept[row.key] = result.normalized
            if row.kind == FieldKind.ADDRESS and not address:
                address = result.normalized
        for row in self._of(FieldKind.MEMO):
            self._memo(row, network, address)

    def _memo(self, row: ProblemField, network: Network, address: str) -> None:
        if any(item.field == _path(row.key) for item in self.problems):
            return
        typed = self.kept.get(row.key, "")
        result = check_memo(network, typed, address=address)
        if not result.valid:
            self.kept.pop(row.key, None)
            self.problems.append(FieldProblem(_path(row.key), result.code.value, result.message))
        elif result.code is CheckCode.MEMO_NOT_USED:
            pass  # not needed on this network, but what was written is kept
        elif result.normalized:
            self.kept[row.key] = result.normalized
        else:
            self.kept.pop(row.key, None)


def _check_problem(key: str, code: CheckCode) -> FieldProblem:
    return FieldProblem(_path(key), code.value, str(CHECK_MESSAGES[code]))


def check_answers(
    problem_type: ProblemType, answers: Mapping[str, str]
) -> tuple[dict[str, str], list[FieldProblem]]:
    """The answers to keep, and every answer at fault (empty when all are fine)."""
    checker = _Checker(list(problem_type.fields.all()), answers)
    checker.run()
    return checker.kept, checker.problems
