"""The networks deposits and withdrawals travel on, with what each carries and what it requires."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from madoguchi.tickets.networks import (
    bitcoin,
    cardano,
    cashaddr,
    evm,
    solana,
    stellar,
    ton,
    tron,
    txids,
    xrp,
)
from madoguchi.tickets.networks.results import CheckResult

Check = Callable[[str], CheckResult]


class MemoKind(StrEnum):
    UINT32 = "uint32"  # XRP destination tag
    STELLAR = "stellar"  # Stellar memo: an ID (uint64) or text of up to 28 bytes
    TEXT = "text"  # TON comment: free text


@dataclass(frozen=True)
class Format:
    check: Check
    description: Promise  # what a valid value looks like, shown in messages and the API
    family: str  # networks of one family accept each other's values


@dataclass(frozen=True)
class MemoRule:
    name: Promise  # what the network calls it: "destination tag", "memo"
    kind: MemoKind
    description: Promise
    required: bool = True


@dataclass(frozen=True)
class Network:
    id: str
    name: str
    coins: tuple[str, ...]
    address: Format
    txid: Format
    memo: MemoRule | None = None


_BTC_ADDRESS = Format(
    bitcoin.BITCOIN,
    _("starts with 1, 3 or bc1; Base58Check or Bech32/Bech32m"),
    "bitcoin",
)
_LTC_ADDRESS = Format(
    bitcoin.LITECOIN, _("starts with L, M, 3 or ltc1; Base58Check or Bech32/Bech32m"), "litecoin"
)
_DOGE_ADDRESS = Format(bitcoin.DOGECOIN, _("starts with D, A or 9; Base58Check"), "dogecoin")
_EVM_ADDRESS = Format(
    evm.check_address, _("0x and 40 hexadecimal digits; EIP-55 checksum when mixed-case"), "evm"
)
_TRON_ADDRESS = Format(tron.check_address, _("starts with T, 34 characters; Base58Check"), "tron")
_SOLANA_ADDRESS = Format(
    solana.check_address, _("32 to 44 Base58 characters (a 32-byte public key)"), "solana"
)
_XRP_ADDRESS = Format(
    xrp.check_address,
    _("a classic address starting with r, or an X-address starting with X"),
    "xrp",
)
_STELLAR_ADDRESS = Format(
    stellar.check_address, _("starts with G, 56 characters; base32 with a checksum"), "stellar"
)
_BCH_ADDRESS = Format(
    cashaddr.check_address,
    _("CashAddr starting with bitcoincash:q or p, or a legacy address starting with 1 or 3"),
    "bitcoincash",
)
_CARDANO_ADDRESS = Format(
    cardano.check_address, _("starts with addr1; Bech32 (Shelley era)"), "cardano"
)
_TON_ADDRESS = Format(
    ton.check_address,
    _("48 characters starting with EQ or UQ, or 0: and 64 hexadecimal digits"),
    "ton",
)

_HEX_TXID = Format(txids.check_hex_txid, _("64 hexadecimal digits"), "hex")
_XRP_TXID = Format(txids.check_upper_hex_txid, _("64 hexadecimal digits"), "hex")
_EVM_TXID = Format(txids.check_evm_txid, _("0x and 64 hexadecimal digits"), "evm")
_SOLANA_TXID = Format(solana.check_txid, _("a signature of 87 or 88 Base58 characters"), "solana")
_TON_TXID = Format(ton.check_txid, _("64 hexadecimal digits, or 44 characters of base64"), "ton")

_DESTINATION_TAG = MemoRule(
    name=_("destination tag"),
    kind=MemoKind.UINT32,
    description=_("a whole number from 0 to 4294967295"),
)
_STELLAR_MEMO = MemoRule(
    name=_("memo"),
    kind=MemoKind.STELLAR,
    description=_("a number, or text of up to 28 bytes"),
)

_TON_COMMENT = MemoRule(
    name=_("memo (comment)"),
    kind=MemoKind.TEXT,
    description=_("text of up to 100 characters"),
)


def _evm(network_id: str, name: str, coins: tuple[str, ...]) -> Network:
    return Network(id=network_id, name=name, coins=coins, address=_EVM_ADDRESS, txid=_EVM_TXID)


NETWORKS: dict[str, Network] = {
    network.id: network
    for network in (
        Network("BTC", "Bitcoin", ("BTC",), _BTC_ADDRESS, _HEX_TXID),
        Network("LTC", "Litecoin", ("LTC",), _LTC_ADDRESS, _HEX_TXID),
        Network("DOGE", "Dogecoin", ("DOGE",), _DOGE_ADDRESS, _HEX_TXID),
        Network("BCH", "Bitcoin Cash", ("BCH",), _BCH_ADDRESS, _HEX_TXID),
        _evm("ETH", "Ethereum (ERC20)", ("ETH", "USDT", "USDC", "DAI", "LINK", "SHIB")),
        _evm("BSC", "BNB Smart Chain (BEP20)", ("BNB", "USDT", "USDC", "ETH")),
        _evm("POLYGON", "Polygon PoS", ("POL", "USDT", "USDC")),
        _evm("ARBITRUM", "Arbitrum One", ("ETH", "USDT", "USDC", "ARB")),
        _evm("OPTIMISM", "OP Mainnet (Optimism)", ("ETH", "USDT", "USDC", "OP")),
        _evm("BASE", "Base", ("ETH", "USDC")),
        _evm("AVAXC", "Avalanche C-Chain", ("AVAX", "USDT", "USDC")),
        Network("TRX", "Tron (TRC20)", ("TRX", "USDT"), _TRON_ADDRESS, _HEX_TXID),
        Network("SOL", "Solana", ("SOL", "USDT", "USDC"), _SOLANA_ADDRESS, _SOLANA_TXID),
        Network("XRP", "XRP Ledger", ("XRP",), _XRP_ADDRESS, _XRP_TXID, _DESTINATION_TAG),
        Network("XLM", "Stellar", ("XLM", "USDC"), _STELLAR_ADDRESS, _HEX_TXID, _STELLAR_MEMO),
        Network("ADA", "Cardano", ("ADA",), _CARDANO_ADDRESS, _HEX_TXID),
        Network("TON", "TON", ("TON", "USDT"), _TON_ADDRESS, _TON_TXID, _TON_COMMENT),
    )
}


def get_network(network_id: str) -> Network | None:
    """The network with this id; case and surrounding spaces do not matter ("eth", " BTC ")."""
    return NETWORKS.get(network_id.strip().upper())
