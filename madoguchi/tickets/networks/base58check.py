"""Base58 and Base58Check (double SHA-256 checksum) over the `base58` package."""

from __future__ import annotations

import base58

BITCOIN_ALPHABET: bytes = base58.BITCOIN_ALPHABET
XRP_ALPHABET: bytes = base58.XRP_ALPHABET


class Base58Error(ValueError):
    """Not Base58Check; `checksum` is True when only the checksum is wrong."""

    def __init__(self, reason: str, *, checksum: bool = False) -> None:
        super().__init__(reason)
        self.checksum = checksum


def decode(value: str, *, alphabet: bytes = BITCOIN_ALPHABET) -> bytes:
    if not value or any(ord(c) > 127 or c.encode() not in alphabet for c in value):
        raise Base58Error("character outside the alphabet")
    return base58.b58decode(value, alphabet=alphabet)


def decode_check(value: str, *, alphabet: bytes = BITCOIN_ALPHABET) -> bytes:
    """The payload without its 4-byte checksum."""
    raw = decode(value, alphabet=alphabet)
    if len(raw) < 5:
        raise Base58Error("too short")
    try:
        return base58.b58decode_check(value, alphabet=alphabet)
    except ValueError as error:
        raise Base58Error("checksum", checksum=True) from error


def encode_check(payload: bytes, *, alphabet: bytes = BITCOIN_ALPHABET) -> str:
    return base58.b58encode_check(payload, alphabet=alphabet).decode("ascii")
