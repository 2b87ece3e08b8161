"""XRP Ledger addresses: classic "r..." accounts and X-addresses (XLS-5d) with a tag inside.

Both use Base58Check with the XRP alphabet. An X-address payload is 2 prefix bytes, the
20-byte account, a flag byte (1 when a tag follows) and the tag as 64 little-endian bits of
which only the low 32 may be used.
"""

from __future__ import annotations

from madoguchi.tickets.networks import base58check
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok

_CLASSIC_VERSION = 0x00
_X_MAINNET = b"\x05\x44"
_X_TESTNET = b"\x04\x93"


def classic_address(account_id: bytes) -> str:
    return base58check.encode_check(
        bytes([_CLASSIC_VERSION]) + account_id, alphabet=base58check.XRP_ALPHABET
    )


def check_address(value: str) -> CheckResult:
    if value.startswith("r"):
        return _check_classic(value)
    if value[:1] in ("X", "T"):
        return _check_x_address(value)
    return fail(CheckCode.BAD_FORMAT)


def _decode(value: str) -> bytes | CheckResult:
    try:
        return base58check.decode_check(value, alphabet=base58check.XRP_ALPHABET)
    except base58check.Base58Error as error:
        return fail(CheckCode.BAD_CHECKSUM if error.checksum else CheckCode.BAD_FORMAT)


def _check_classic(value: str) -> CheckResult:
    payload = _decode(value)
    if isinstance(payload, CheckResult):
        return payload
    if len(payload) != 21 or payload[0] != _CLASSIC_VERSION:
        return fail(CheckCode.BAD_FORMAT)
    return ok(value)


def _check_x_address(value: str) -> CheckResult:
    payload = _decode(value)
    if isinstance(payload, CheckResult):
        # A Tron address also starts with "T": only claim the checksum when lengths agree.
        if payload.code is CheckCode.BAD_CHECKSUM and len(value) != 47:
            return fail(CheckCode.BAD_FORMAT)
        return payload
    if len(payload) != 31 or payload[:2] not in (_X_MAINNET, _X_TESTNET):
        return fail(CheckCode.BAD_FORMAT)
    flag, tag_bytes = payload[22], payload[23:]
    if flag not in (0, 1) or tag_bytes[4:] != b"\0\0\0\0" or (flag == 0 and any(tag_bytes)):
        return fail(CheckCode.BAD_FORMAT)
    if payload[:2] == _X_TESTNET:
        return fail(CheckCode.TESTNET)
    tag = str(int.from_bytes(tag_bytes[:4], "little")) if flag else None
    return ok(value, embedded_memo=tag)
