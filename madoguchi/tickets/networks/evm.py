"""Addresses of every EVM chain: 0x and 40 hex digits, EIP-55 checksum when mixed-case."""

from __future__ import annotations

import re

from eth_hash.auto import keccak

from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok

_SHAPE = re.compile(r"0[xX][0-9a-fA-F]{40}")


def to_checksum_address(hex_digits: str) -> str:
    """EIP-55: a letter is upper case where the nibble of keccak256(lower-case hex) is >= 8.

    keccak256 is the pre-standard Keccak, not hashlib's SHA3-256.
    """
    lower = hex_digits.lower()
    digest = keccak(lower.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(lower)
    )


def check_address(value: str) -> CheckResult:
    if not _SHAPE.fullmatch(value):
        return fail(CheckCode.BAD_FORMAT)
    digits = value[2:]
    checksummed = to_checksum_address(digits)
    single_case = digits == digits.lower() or digits == digits.upper()
    if not single_case and checksummed[2:] != digits:
        return fail(CheckCode.BAD_CHECKSUM)
    return ok(checksummed)
