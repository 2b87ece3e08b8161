"""Tron addresses: Base58Check of 21 bytes whose first byte is 0x41, so they start with "T"."""

from __future__ import annotations

from madoguchi.tickets.networks import base58check
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok


def check_address(value: str) -> CheckResult:
    try:
        payload = base58check.decode_check(value)
    except base58check.Base58Error as error:
        if error.checksum and value.startswith("T") and len(value) == 34:
            return fail(CheckCode.BAD_CHECKSUM)
        return fail(CheckCode.BAD_FORMAT)
    if len(payload) != 21 or payload[0] != 0x41:
        return fail(CheckCode.BAD_FORMAT)
    return ok(value)
