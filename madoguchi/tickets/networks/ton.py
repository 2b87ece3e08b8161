"""TON addresses: user-friendly (48 characters of base64, CRC16) or raw ("0:" and 64 hex digits).

A user-friendly address decodes to 36 bytes: a flag byte (0x11 bounceable, 0x51 not, plus
0x80 on testnet), the workchain (0 or -1), the 32-byte account hash and a big-endian CRC16.
"""

from __future__ import annotations

import base64
import binascii
import re

from madoguchi.tickets.networks.crc16 import crc16_xmodem
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok

_RAW = re.compile(r"(0|-1):([0-9a-fA-F]{64})")
_FRIENDLY = re.compile(r"[A-Za-z0-9+/_-]{48}")
_HASH_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{43}=?")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_TESTNET_FLAG = 0x80


def check_address(value: str) -> CheckResult:
    raw = _RAW.fullmatch(value)
    if raw:
        return ok(f"{raw.group(1)}:{raw.group(2).lower()}")
    if not _FRIENDLY.fullmatch(value):
        return fail(CheckCode.BAD_FORMAT)
    try:
        data = base64.urlsafe_b64decode(value.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        return fail(CheckCode.BAD_FORMAT)
    if len(data) != 36 or data[0] & ~_TESTNET_FLAG not in (0x11, 0x51) or data[1] not in (0, 255):
        return fail(CheckCode.BAD_FORMAT)
    if int.from_bytes(data[34:], "big") != crc16_xmodem(data[:34]):
        return fail(CheckCode.BAD_CHECKSUM)
    if data[0] & _TESTNET_FLAG:
        return fail(CheckCode.TESTNET)
    # Wallets show the bounceable and non-bounceable forms of one account: keep what was given.
    return ok(value)


def check_txid(value: str) -> CheckResult:
    """Explorers show a transaction hash as 64 hex digits or as 44 characters of base64."""
    if _HEX64.fullmatch(value):
        return ok(value.lower())
    if _HASH_BASE64.fullmatch(value):
        padded = value if value.endswith("=") else value + "="
        try:
            if len(base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))) == 32:
                return ok(value)
        except (binascii.Error, ValueError):
            pass
    return fail(CheckCode.TXID_BAD_FORMAT)
