"""Private keys: WIF and extended private keys (base58check valid), PEM blocks, labelled hex.

A bare 64-digit hex string is left alone: it is far more often a transaction ID, which the
customer should send, than a key. Hex counts as a key only right after a key-ish label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import base58

_B58 = "1-9A-HJ-NP-Za-km-z"
# Mainnet WIF starts 5 (uncompressed) or K/L (compressed); testnet 9 or c.
_WIF = re.compile(rf"(?<![{_B58}])[5KL9c][{_B58}]{{50,51}}(?![{_B58}])")
_WIF_VERSIONS = frozenset({0x80, 0xEF})
# BIP-32 xprv/tprv, and the SLIP-132 variants for other script types (yprv, zprv, Yprv ...).
_EXTENDED = re.compile(rf"(?<![{_B58}])[xyztuvYZUV]prv[{_B58}]{{100,112}}(?![{_B58}])")
_EXTENDED_PAYLOAD = 78
_PEM = re.compile(
    r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----.{0,8000}?-----END (?:[A-Z]+ )?PRIVATE KEY-----",
    re.DOTALL,
)
_LABELLED_HEX = re.compile(
    r"(?:priv(?:ate)?[ _-]?key|\bpriv\b|秘密鍵|プライベート[ ・]?キー)"
    r"[^\n0-9a-fA-F]{0,24}?(?<![0-9a-zA-Z])((?:0x)?[0-9a-fA-F]{64})(?![0-9a-zA-Z])",
    re.IGNORECASE,
)


def _base58check(candidate: str) -> bytes | None:
    try:
        return base58.b58decode_check(candidate)
    except ValueError:
        return None


def find_private_keys(text: str) -> Iterator[tuple[int, int, bool]]:
    """(start, end, confirmed by a checksum or fixed structure) of each key."""
    for match in _WIF.finditer(text):
        payload = _base58check(match.group())
        if payload and payload[0] in _WIF_VERSIONS and len(payload) in (33, 34):
            yield *match.span(), True
    for match in _EXTENDED.finditer(text):
        payload = _base58check(match.group())
        if payload and len(payload) == _EXTENDED_PAYLOAD:
            yield *match.span(), True
    for match in _PEM.finditer(text):
        yield *match.span(), True
    for match in _LABELLED_HEX.finditer(text):
        yield *match.span(1), False
