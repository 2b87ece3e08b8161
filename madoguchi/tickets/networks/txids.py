"""Transaction IDs that are plain hashes: 64 hex digits, or 0x and 64 hex digits on EVM chains."""

from __future__ import annotations

import re

from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_EVM = re.compile(r"(?:0[xX])?([0-9a-fA-F]{64})")


def check_hex_txid(value: str) -> CheckResult:
    if _HEX64.fullmatch(value):
        return ok(value.lower())
    return fail(CheckCode.TXID_BAD_FORMAT)


def check_upper_hex_txid(value: str) -> CheckResult:
    """XRP Ledger explorers show transaction hashes in upper case."""
    if _HEX64.fullmatch(value):
        return ok(value.upper())
    return fail(CheckCode.TXID_BAD_FORMAT)


def check_evm_txid(value: str) -> CheckResult:
    """0x and 64 hex; a hash copied without "0x" (some explorers show it so) gets it back."""
    match = _EVM.fullmatch(value)
    if match:
        return ok("0x" + match.group(1).lower())
    return fail(CheckCode.TXID_BAD_FORMAT)
