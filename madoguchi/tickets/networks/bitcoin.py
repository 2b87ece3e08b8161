"""Addresses of Bitcoin and the chains that share its formats (Litecoin, Dogecoin).

Base58Check with a version byte for P2PKH and P2SH, and segwit Bech32/Bech32m (BIP-173,
BIP-350) where the chain has it. Test network forms are recognized so they can be named.
"""

from __future__ import annotations

from dataclasses import dataclass

from madoguchi.tickets.networks import base58check, bech32
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.results import CheckResult, fail, ok


@dataclass(frozen=True)
class UtxoAddressFormat:
    versions: frozenset[int]
    testnet_versions: frozenset[int] = frozenset()
    hrp: str | None = None
    testnet_hrps: frozenset[str] = frozenset()

    def __call__(self, value: str) -> CheckResult:
        separator = value.rfind("1")
        prefix = value[:separator].lower() if separator > 0 else ""
        if prefix and (prefix == self.hrp or prefix in self.testnet_hrps):
            return self._check_segwit(value, prefix)
        return self._check_base58(value)

    def _check_segwit(self, value: str, prefix: str) -> CheckResult:
        try:
            witness = bech32.decode_segwit(value)
        except bech32.Bech32Error as error:
            return fail(CheckCode.BAD_CHECKSUM if error.checksum else CheckCode.BAD_FORMAT)
        if prefix in self.testnet_hrps:
            return fail(CheckCode.TESTNET)
        # BIP-173: lower case is the canonical form (upper case only suits QR codes).
        return ok(bech32.encode_segwit(witness.hrp, witness.version, witness.program))

    def _check_base58(self, value: str) -> CheckResult:
        try:
            payload = base58check.decode_check(value)
        except base58check.Base58Error as error:
            return fail(CheckCode.BAD_CHECKSUM if error.checksum else CheckCode.BAD_FORMAT)
        if len(payload) != 21:
            return fail(CheckCode.BAD_FORMAT)
        if payload[0] in self.versions:
            return ok(value)
        if payload[0] in self.testnet_versions:
            return fail(CheckCode.TESTNET)
        return fail(CheckCode.BAD_FORMAT)


BITCOIN = UtxoAddressFormat(
    versions=frozenset({0x00, 0x05}),
    testnet_versions=frozenset({0x6F, 0xC4}),
    hrp="bc",
    testnet_hrps=frozenset({"tb", "bcrt"}),
)
LITECOIN = UtxoAddressFormat(
    # 0x05 ("3...") is the P2SH version Litecoin used before "M..."; wallets still show it.
    versions=frozenset({0x30, 0x32, 0x05}),
    testnet_versions=frozenset({0x6F, 0x3A, 0xC4}),
    hrp="ltc",
    testnet_hrps=frozenset({"tltc", "rltc"}),
)
DOGECOIN = UtxoAddressFormat(
    versions=frozenset({0x1E, 0x16}),
    testnet_versions=frozenset({0x71, 0xC4}),
)
