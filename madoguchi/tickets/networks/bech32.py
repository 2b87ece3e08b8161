"""Bech32 (BIP-173) and Bech32m (BIP-350) strings, and segwit addresses built on them.

Written from the BIPs because the `bech32` package on PyPI knows only the BIP-173 constant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_MAX_LENGTH = 90  # BIP-173: the whole string, separator and checksum included


class Encoding(Enum):
    BECH32 = 1
    BECH32M = 0x2BC830A3


class Bech32Error(ValueError):
    """Not a Bech32/Bech32m string; `checksum` is True when only the checksum is wrong."""

    def __init__(self, reason: str, *, checksum: bool = False) -> None:
        super().__init__(reason)
        self.checksum = checksum


@dataclass(frozen=True)
class Decoded:
    hrp: str
    data: tuple[int, ...]
    encoding: Encoding


def _polymod(values: Sequence[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(_GENERATOR):
            if (top >> bit) & 1:
                checksum ^= generator
    return checksum


def _expand_hrp(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def decode(text: str, *, max_length: int = _MAX_LENGTH) -> Decoded:
    """Split and verify a Bech32 or Bech32m string (BIP-173 "Bech32", BIP-350 "Bech32m").

    `max_length` is 90 for segwit; Cardano lifts it (CIP-19 addresses run past 100).
    """
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise Bech32Error("character out of range")
    if text.lower() != text and text.upper() != text:
        raise Bech32Error("mixed case")
    text = text.lower()
    separator = text.rfind("1")
    if separator < 1 or separator + 7 > len(text) or len(text) > max_length:
        raise Bech32Error("bad separator position or length")
    hrp, rest = text[:separator], text[separator + 1 :]
    if any(c not in CHARSET for c in rest):
        raise Bech32Error("character outside the data alphabet")
    data = [CHARSET.find(c) for c in rest]
    constant = _polymod(_expand_hrp(hrp) + data)
    for encoding in Encoding:
        if constant == encoding.value:
            return Decoded(hrp=hrp, data=tuple(data[:-6]), encoding=encoding)
    raise Bech32Error("checksum", checksum=True)


def encode(hrp: str, data: Sequence[int], encoding: Encoding) -> str:
    values = _expand_hrp(hrp) + list(data)
    polymod = _polymod([*values, 0, 0, 0, 0, 0, 0]) ^ encoding.value
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in [*data, *checksum])


def convert_bits(data: Sequence[int], from_bits: int, to_bits: int, *, pad: bool) -> list[int]:
    """Regroup bits; without padding, leftover bits must be fewer than from_bits and all zero."""
    accumulator = bits = 0
    result: list[int] = []
    mask = (1 << to_bits) - 1
    for value in data:
        if value < 0 or value >> from_bits:
            raise Bech32Error("value out of range")
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            result.append((accumulator >> bits) & mask)
    if pad:
        if bits:
            result.append((accumulator << (to_bits - bits)) & mask)
    elif bits >= from_bits or ((accumulator << (to_bits - bits)) & mask):
        raise Bech32Error("invalid padding")
    return result


@dataclass(frozen=True)
class WitnessProgram:
    hrp: str
    version: int
    program: bytes

    @property
    def script_pubkey(self) -> bytes:
        """The output script the address pays to (OP_n, push of the program)."""
        opcode = self.version + 0x50 if self.version else 0
        return bytes([opcode, len(self.program)]) + self.program


def decode_segwit(text: str) -> WitnessProgram:
    """A segwit address under BIP-350: v0 must be Bech32, v1 to v16 Bech32m."""
    decoded = decode(text)
    if not decoded.data:
        raise Bech32Error("empty data section")
    version = decoded.data[0]
    if version > 16:
        raise Bech32Error("witness version out of range")
    program = bytes(convert_bits(decoded.data[1:], 5, 8, pad=False))
    if not 2 <= len(program) <= 40:
        raise Bech32Error("witness program length")
    if version == 0 and len(program) not in (20, 32):
        raise Bech32Error("version 0 program length (BIP-141)")
    expected = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    if decoded.encoding is not expected:
        raise Bech32Error("checksum variant does not match the witness version", checksum=True)
    return WitnessProgram(hrp=decoded.hrp, version=version, program=program)


def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    encoding = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    return encode(hrp, [version, *convert_bits(program, 8, 5, pad=True)], encoding)
