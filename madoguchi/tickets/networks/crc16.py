"""CRC-16/XMODEM (polynomial 0x1021, initial 0), the checksum of Stellar and TON addresses."""

from __future__ import annotations


def crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc
