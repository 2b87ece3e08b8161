"""Solana: an address is Base58 of a 32-byte public key; a transaction ID a 64-byte signature."""

from __future__ import annotations

from madoguchi.tickets.networks import base58check
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok


def _decodes_to(value: str, size: int) -> bool:
    try:
        return len(base58check.decode(value)) == size
    except base58check.Base58Error:
        return False


def check_address(value: str) -> CheckResult:
    # Base58 of 32 bytes takes 32 to 44 characters; a Solana address has no checksum.
    if 32 <= len(value) <= 44 and _decodes_to(value, 32):
        return ok(value)
    return fail(CheckCode.BAD_FORMAT)


def check_txid(value: str) -> CheckResult:
    if 64 <= len(value) <= 88 and _decodes_to(value, 64):
        return ok(value)
    return fail(CheckCode.TXID_BAD_FORMAT)
