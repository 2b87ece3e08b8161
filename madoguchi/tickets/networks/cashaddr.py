"""Bitcoin Cash CashAddr ("bitcoincash:q..."): a Bech32-like string with a 40-bit BCH checksum.

Legacy "1..."/"3..." addresses remain valid on Bitcoin Cash and are accepted as well; a
CashAddr is stored with its "bitcoincash:" prefix, which may be left out when typed.
"""

from __future__ import annotations

from madoguchi.tickets.networks import bech32, bitcoin
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok

PREFIX = "bitcoincash"
_TESTNET_PREFIXES = ("bchtest", "bchreg")
_GENERATOR = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
_LEGACY = bitcoin.UtxoAddressFormat(
    versions=frozenset({0x00, 0x05}), testnet_versions=frozenset({0x6F, 0xC4})
)


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 35
        checksum = ((checksum & 0x07FFFFFFFF) << 5) ^ value
        for bit, generator in enumerate(_GENERATOR):
            if (top >> bit) & 1:
                checksum ^= generator
    return checksum ^ 1


def check_address(value: str) -> CheckResult:
    if value[:1] in ("1", "3"):
        return _LEGACY(value)
    if value.lower() != value and value.upper() != value:
        return fail(CheckCode.BAD_FORMAT)
    lower = value.lower()
    prefix, _, body = lower.rpartition(":")
    prefix = prefix or PREFIX
    if prefix not in (PREFIX, *_TESTNET_PREFIXES) or not 42 <= len(body) <= 112:
        return fail(CheckCode.BAD_FORMAT)
    if any(c not in bech32.CHARSET for c in body):
        return fail(CheckCode.BAD_FORMAT)
    data = [bech32.CHARSET.find(c) for c in body]
    if _polymod([ord(c) & 0x1F for c in prefix] + [0] + data) != 0:
        return fail(CheckCode.BAD_CHECKSUM)
    try:
        payload = bytes(bech32.convert_bits(data[:-8], 5, 8, pad=False))
    except bech32.Bech32Error:
        return fail(CheckCode.BAD_FORMAT)
    # Version byte: reserved bit 0, type in bits 3-6 (P2PKH 0, P2SH 1), size 0 = 160 bits.
    if len(payload) != 21 or payload[0] not in (0x00, 0x08):
        return fail(CheckCode.BAD_FORMAT)
    if prefix in _TESTNET_PREFIXES:
        return fail(CheckCode.TESTNET)
    return ok(f"{PREFIX}:{body}")
