"""The four checks a support form and the validate API run on what a customer pasted.

Each returns a CheckResult; none raises on any input, however hostile.
"""

from __future__ import annotations

import re

from madoguchi.tickets.networks.cleaning import (
    MAX_INSPECTED_LENGTH,
    MAX_VALUE_LENGTH,
    clean_value,
    is_plain_ascii,
)
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.registry import NETWORKS, MemoKind, Network
from madoguchi.tickets.networks.results import CheckResult, Text, fail, ok

_MAX_MEMO_LENGTH = 100
_STELLAR_TEXT_BYTES = 28


def _clean_or_fail(network: Network, raw: str) -> str | CheckResult:
    if len(raw) > MAX_INSPECTED_LENGTH:
        return fail(CheckCode.TOO_LONG, network=network.name)
    value = clean_value(raw)
    if not value:
        return fail(CheckCode.EMPTY, network=network.name)
    if len(value) > MAX_VALUE_LENGTH:
        return fail(CheckCode.TOO_LONG, network=network.name)
    if not is_plain_ascii(value):
        return fail(CheckCode.INVALID_CHARACTERS, network=network.name)
    return value


def validate_address(network: Network, value: str) -> CheckResult:
    """Is `value` an address on `network`? Names the network it belongs to when it is not."""
    cleaned = _clean_or_fail(network, value)
    if isinstance(cleaned, CheckResult):
        return cleaned
    result = network.address.check(cleaned)
    if result.code is CheckCode.BAD_FORMAT:
        other = _network_whose_address(cleaned, besides=network.address.family)
        if other is not None:
            result = fail(CheckCode.WRONG_NETWORK, other=other.name)
    return result.with_params(network=network.name, format=network.address.description)


def _network_whose_address(value: str, *, besides: str) -> Network | None:
    for candidate in NETWORKS.values():
        if candidate.address.family != besides and candidate.address.check(value).valid:
            return candidate
    return None


def validate_txid(network: Network, value: str) -> CheckResult:
    """Is `value` shaped like a transaction ID of `network`?"""
    cleaned = _clean_or_fail(network, value)
    if isinstance(cleaned, CheckResult):
        return cleaned
    result = network.txid.check(cleaned)
    if not result.valid and any(
        candidate.txid.family != network.txid.family and candidate.txid.check(cleaned).valid
        for candidate in NETWORKS.values()
    ):
        result = fail(CheckCode.TXID_WRONG_NETWORK)
    return result.with_params(network=network.name, format=network.txid.description)


def check_coin_on_network(coin: str, network: Network) -> CheckResult:
    """Flags a coin sent on a network that does not carry it (USDT is on many, BTC only on one)."""
    symbol = clean_value(coin).upper()
    if not symbol:
        return fail(CheckCode.EMPTY, network=network.name)
    if symbol in network.coins:
        return ok(symbol)
    shown = symbol if is_plain_ascii(symbol) and len(symbol) <= 20 else "?"
    return fail(CheckCode.COIN_NOT_ON_NETWORK, coin=shown, network=network.name)


def check_memo(network: Network, memo: str, *, address: str = "") -> CheckResult:
    """Flags a missing or malformed memo/tag where the network needs one.

    An X-address carries its destination tag, so it needs no separate one; a different tag
    typed next to it is flagged.
    """
    value = clean_value(memo)
    rule = network.memo
    if rule is None:
        if value:
            return CheckResult(
                valid=True, code=CheckCode.MEMO_NOT_USED, normalized="", params=_names(network)
            )
        return ok("")
    params: dict[str, Text] = {
        "network": network.name,
        "memo": rule.name,
        "format": rule.description,
    }
    embedded = validate_address(network, address).embedded_memo if address else None
    if embedded is not None:
        if value and value != embedded:
            return fail(CheckCode.MEMO_CONFLICT, embedded=embedded, **params)
        return ok(embedded)
    if not value:
        if rule.required:
            return fail(CheckCode.MEMO_REQUIRED, **params)
        return ok("")
    if len(value) > _MAX_MEMO_LENGTH or not _memo_fits(rule.kind, value):
        return fail(CheckCode.MEMO_INVALID, **params)
    return ok(value)


def _names(network: Network) -> tuple[tuple[str, str], ...]:
    return (("network", network.name),)


def _memo_fits(kind: MemoKind, value: str) -> bool:
    if kind is MemoKind.UINT32:
        return bool(re.fullmatch(r"[0-9]{1,10}", value)) and int(value) <= 0xFFFFFFFF
    if kind is MemoKind.TEXT:
        return value.isprintable()
    if re.fullmatch(r"[0-9]{1,20}", value):
        return int(value) <= 0xFFFFFFFFFFFFFFFF
    return (
        value.isprintable() and len(value.encode("utf-8", "surrogatepass")) <= _STELLAR_TEXT_BYTES
    )
