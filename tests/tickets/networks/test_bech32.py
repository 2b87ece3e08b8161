"""Bech32/Bech32m and segwit addresses against the published vectors of BIP-173 and BIP-350."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from madoguchi.tickets.networks import bech32

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "networks"
BIP173 = json.loads((FIXTURES / "bip173.json").read_text())
BIP350 = json.loads((FIXTURES / "bip350.json").read_text())


@pytest.mark.parametrize("text", BIP173["valid_bech32"])
def test_bip173_valid_strings_decode_as_bech32(text: str) -> None:
    assert bech32.decode(text).encoding is bech32.Encoding.BECH32


@pytest.mark.parametrize("text", BIP350["valid_bech32m"])
def test_bip350_valid_strings_decode_as_bech32m(text: str) -> None:
    assert bech32.decode(text).encoding is bech32.Encoding.BECH32M


@pytest.mark.parametrize("text", BIP173["invalid_bech32"] + BIP350["invalid_bech32m"])
def test_bip173_and_bip350_invalid_strings_are_refused(text: str) -> None:
    with pytest.raises(bech32.Bech32Error):
        bech32.decode(text)


@pytest.mark.parametrize(
    ("address", "script"), BIP173["valid_addresses"] + BIP350["valid_addresses"]
)
def test_valid_segwit_addresses_pay_to_the_published_script(address: str, script: str) -> None:
    witness = bech32.decode_segwit(address)
    assert witness.script_pubkey.hex() == script
    assert bech32.encode_segwit(witness.hrp, witness.version, witness.program) == address.lower()


@pytest.mark.parametrize(
    "address",
    BIP173["invalid_addresses"] + BIP350["invalid_addresses"] + BIP173["bip350_invalidated"],
)
def test_invalid_segwit_addresses_are_refused_for_bitcoin(address: str) -> None:
    try:
        witness = bech32.decode_segwit(address)
    except bech32.Bech32Error:
        return
    # The "invalid human-readable part" vectors are well-formed, just not Bitcoin's.
    assert witness.hrp not in ("bc", "tb")
