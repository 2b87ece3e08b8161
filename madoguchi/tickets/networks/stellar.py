"""Stellar accounts ("G...", SEP-23 strkey): base32 of a version byte, a 32-byte key, CRC16."""

from __future__ import annotations

import base64
import binascii

from madoguchi.tickets.networks.crc16 import crc16_xmodem
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok

_ACCOUNT_VERSION = 6 << 3  # "G"


def check_address(value: str) -> CheckResult:
    upper = value.upper()
    if len(upper) != 56 or not upper.startswith("G"):
        return fail(CheckCode.BAD_FORMAT)
    try:
        raw = base64.b32decode(upper)
    except binascii.Error:
        return fail(CheckCode.BAD_FORMAT)
    if len(raw) != 35 or raw[0] != _ACCOUNT_VERSION:
        return fail(CheckCode.BAD_FORMAT)
    if int.from_bytes(raw[33:], "little") != crc16_xmodem(raw[:33]):
        return fail(CheckCode.BAD_CHECKSUM)
    return ok(upper)
