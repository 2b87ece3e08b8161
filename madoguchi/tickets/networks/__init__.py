"""Crypto-aware checks of what customers paste: addresses, TxIDs, coins and memos per network.

One small module per address family; `registry` lists the networks and `checks` holds the
four public checks. Messages follow the active language (gettext, ja and en).
"""

from madoguchi.tickets.networks.checks import (
    check_coin_on_network,
    check_memo,
    validate_address,
    validate_txid,
)
from madoguchi.tickets.networks.errors import CheckCode
from madoguchi.tickets.networks.registry import NETWORKS, Network, get_network
from madoguchi.tickets.networks.results import CheckResult

__all__ = [
    "NETWORKS",
    "CheckCode",
    "CheckResult",
    "Network",
    "check_coin_on_network",
    "check_memo",
    "get_network",
    "validate_address",
    "validate_txid",
]
