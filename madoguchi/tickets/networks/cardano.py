"""Cardano Shelley addresses (CIP-19): Bech32 with the "addr" prefix, a header byte, key hashes.

The header's high nibble is the address type (0 to 7 pay to a key or script, with or without
staking part), the low nibble the network (1 is mainnet). Byron-era "Ae2"/"DdzFF" addresses
are not accepted: exchanges stopped taking them.
"""

from __future__ import annotations

from madoguchi.tickets.networks import bech32
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok

_MAX_LENGTH = 130  # a base address is 103 characters; pointer addresses a little more
# Payload sizes by address type: base (two 28-byte hashes), pointer (variable), enterprise.
_BASE_TYPES = range(0, 4)
_POINTER_TYPES = range(4, 6)
_ENTERPRISE_TYPES = range(6, 8)


def check_address(value: str) -> CheckResult:
    lower = value.lower()
    if not (lower.startswith("addr1") or lower.startswith("addr_test1")):
        return fail(CheckCode.BAD_FORMAT)
    try:
        decoded = bech32.decode(value, max_length=_MAX_LENGTH)
        payload = bytes(bech32.convert_bits(decoded.data, 5, 8, pad=False))
    except bech32.Bech32Error as error:
        return fail(CheckCode.BAD_CHECKSUM if error.checksum else CheckCode.BAD_FORMAT)
    if decoded.encoding is not bech32.Encoding.BECH32 or not payload:
        return fail(CheckCode.BAD_FORMAT)
    kind, network = payload[0] >> 4, payload[0] & 0x0F
    if not _size_fits(kind, len(payload) - 1):
        return fail(CheckCode.BAD_FORMAT)
    if decoded.hrp == "addr_test" or network != 1:
        return fail(CheckCode.TESTNET) if decoded.hrp == "addr_test" else fail(CheckCode.BAD_FORMAT)
    return ok(lower)


def _size_fits(kind: int, size: int) -> bool:
    if kind in _BASE_TYPES:
        return size == 56
    if kind in _ENTERPRISE_TYPES:
        return size == 28
    if kind in _POINTER_TYPES:
        return 31 <= size <= 28 + 3 * 10  # three variable-length natural numbers
    return False
