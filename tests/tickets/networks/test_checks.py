"""Addresses, TxIDs, coins and memos per network: real addresses, EIP-55, common mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import base58
import pytest
from django.utils import translation

from madoguchi.tickets.networks import (
    NETWORKS,
    CheckCode,
    Network,
    bech32,
    check_coin_on_network,
    check_memo,
    get_network,
    validate_address,
    validate_txid,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "networks"
BIP173 = json.loads((FIXTURES / "bip173.json").read_text())
BIP350 = json.loads((FIXTURES / "bip350.json").read_text())
EIP55 = json.loads((FIXTURES / "eip55.json").read_text())
REAL = json.loads((FIXTURES / "mainnet_addresses.json").read_text())

BTC, ETH, TRX, SOL, XRP, XLM = (NETWORKS[n] for n in ("BTC", "ETH", "TRX", "SOL", "XRP", "XLM"))
TX_HASH = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"


@pytest.mark.parametrize(("network", "address", "what"), REAL["addresses"])
def test_well_known_mainnet_addresses_are_valid(network: str, address: str, what: str) -> None:
    result = validate_address(NETWORKS[network], address)
    assert (result.valid, result.code) == (True, CheckCode.VALID), what
    assert result.normalized is not None


@pytest.mark.parametrize(
    "address", [a for a, _ in BIP350["valid_addresses"] if a[:2].lower() == "bc"]
)
def test_bip350_mainnet_addresses_are_valid_bitcoin_addresses_in_lower_case(address: str) -> None:
    result = validate_address(BTC, address)
    assert result.valid
    assert result.normalized == address.lower()


@pytest.mark.parametrize("address", BIP350["invalid_addresses"] + BIP173["invalid_addresses"])
def test_bip173_and_bip350_invalid_addresses_are_not_bitcoin_addresses(address: str) -> None:
    assert not validate_address(BTC, address).valid


def test_a_testnet_bech32_address_is_named_as_testnet_for_bitcoin() -> None:
    result = validate_address(BTC, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7")
    assert (result.valid, result.code) == (False, CheckCode.TESTNET)


def test_a_legacy_address_with_one_wrong_character_fails_its_checksum() -> None:
    result = validate_address(BTC, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")
    assert (result.valid, result.code) == (False, CheckCode.BAD_CHECKSUM)


@pytest.mark.parametrize("address", EIP55["checksummed"])
def test_eip55_vectors_are_valid_and_normalize_to_their_checksummed_form(address: str) -> None:
    result = validate_address(ETH, address)
    assert result.valid
    assert result.normalized is not None
    mixed = [a for a in EIP55["checksummed"] if a[2:] not in (a[2:].lower(), a[2:].upper())]
    if address in mixed:
        assert result.normalized == address
    assert validate_address(ETH, address.lower()).normalized == result.normalized


def test_a_mixed_case_evm_address_with_a_wrong_checksum_is_refused() -> None:
    wrong = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"
    result = validate_address(ETH, wrong)
    assert (result.valid, result.code) == (False, CheckCode.BAD_CHECKSUM)


def test_an_all_lower_case_evm_address_is_accepted_and_checksummed() -> None:
    result = validate_address(NETWORKS["BSC"], "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
    assert result.normalized == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def test_a_tron_address_for_ethereum_is_named_as_tron() -> None:
    result = validate_address(ETH, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    assert (result.valid, result.code) == (False, CheckCode.WRONG_NETWORK)
    with translation.override("en"):
        assert "Tron" in result.message
    with translation.override("ja"):
        assert "Tron" in result.message
        assert "ネットワーク" in result.message


def test_an_ethereum_address_for_tron_is_named_as_evm() -> None:
    result = validate_address(TRX, "0xdAC17F958D2ee523a2206206994597C13D831ec7")
    assert result.code == CheckCode.WRONG_NETWORK


def test_a_tron_address_with_a_wrong_character_fails_its_checksum() -> None:
    result = validate_address(TRX, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u")
    assert result.code == CheckCode.BAD_CHECKSUM


def test_a_solana_address_must_decode_to_32_bytes() -> None:
    assert not validate_address(SOL, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTD").valid


def test_full_width_and_invisible_characters_are_folded_and_trimmed() -> None:
    pasted = "\u3000ＴＲ７ＮＨqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\u200b \n"
    result = validate_address(TRX, pasted)
    assert result.valid
    assert result.normalized == "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


def test_a_full_width_evm_address_folds_to_its_checksummed_form() -> None:
    folded = validate_address(ETH, "０ｘ" + "ｆ" * 40)
    assert folded.valid
    assert folded.normalized == validate_address(ETH, "0x" + "f" * 40).normalized


def test_emoji_and_inner_spaces_are_explained_not_guessed() -> None:
    for value in ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t🚀", "TR7NHqje KQxGTCi8q8ZY4pL8otSzgjLj6t"):
        assert validate_address(TRX, value).code == CheckCode.INVALID_CHARACTERS


def test_an_x_address_carries_its_destination_tag() -> None:
    tagged = REAL["x_address_with_tag"]
    result = validate_address(XRP, tagged["address"])
    assert (result.valid, result.embedded_memo) == (True, tagged["tag"])
    assert check_memo(XRP, "", address=tagged["address"]).valid
    assert check_memo(XRP, "7", address=tagged["address"]).code == CheckCode.MEMO_CONFLICT


def test_a_classic_xrp_address_without_a_destination_tag_is_flagged() -> None:
    result = check_memo(XRP, "  ", address="rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh")
    assert (result.valid, result.code) == (False, CheckCode.MEMO_REQUIRED)
    with translation.override("ja"):
        assert "宛先タグ" in result.message
    with translation.override("en"):
        assert "destination tag" in result.message


def test_destination_tags_are_whole_numbers_that_fit_32_bits() -> None:
    assert check_memo(XRP, "４２９４９６７２９５").normalized == "4294967295"
    assert check_memo(XRP, "4294967296").code == CheckCode.MEMO_INVALID
    assert check_memo(XRP, "12a").code == CheckCode.MEMO_INVALID


def test_a_stellar_memo_may_be_short_text_but_not_long_text() -> None:
    assert check_memo(XLM, "deposit 42").valid
    assert check_memo(XLM, "x" * 29).code == CheckCode.MEMO_INVALID
    assert check_memo(XLM, "").code == CheckCode.MEMO_REQUIRED


def test_a_memo_on_a_network_without_memos_is_accepted_with_a_note() -> None:
    result = check_memo(ETH, "123")
    assert (result.valid, result.code) == (True, CheckCode.MEMO_NOT_USED)


def test_a_coin_sent_on_a_network_that_does_not_carry_it_is_flagged() -> None:
    assert check_coin_on_network("usdt", TRX).valid
    assert check_coin_on_network("ＵＳＤＴ", SOL).normalized == "USDT"
    flagged = check_coin_on_network("BTC", ETH)
    assert (flagged.valid, flagged.code) == (False, CheckCode.COIN_NOT_ON_NETWORK)
    with translation.override("en"):
        assert "BTC" in flagged.message
        assert "Ethereum" in flagged.message


def test_txids_follow_the_shape_of_each_network() -> None:
    assert validate_txid(BTC, TX_HASH.upper()).normalized == TX_HASH
    assert validate_txid(XRP, TX_HASH).normalized == TX_HASH.upper()
    assert validate_txid(ETH, "0x" + TX_HASH).normalized == "0x" + TX_HASH
    assert validate_txid(ETH, TX_HASH).normalized == "0x" + TX_HASH
    assert validate_txid(BTC, "0x" + TX_HASH).code == CheckCode.TXID_WRONG_NETWORK
    assert validate_txid(BTC, TX_HASH[:-1]).code == CheckCode.TXID_BAD_FORMAT


def test_a_solana_signature_is_a_valid_solana_txid_and_foreign_elsewhere() -> None:
    signature = base58.b58encode(bytes(range(1, 65))).decode()
    assert validate_txid(SOL, signature).valid
    assert validate_txid(BTC, signature).code == CheckCode.TXID_WRONG_NETWORK
    assert validate_txid(SOL, TX_HASH).code == CheckCode.TXID_WRONG_NETWORK


def test_an_address_after_a_page_of_blank_space_is_too_long_not_empty() -> None:
    assert validate_address(BTC, " " * 5000 + "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").code == (
        CheckCode.TOO_LONG
    )


def test_an_empty_coin_is_reported_as_empty() -> None:
    assert check_coin_on_network(" ​", ETH).code == CheckCode.EMPTY


def test_network_ids_are_found_whatever_their_case() -> None:
    assert get_network(" eth ") is ETH
    assert get_network("nope") is None


@pytest.mark.parametrize("network", list(NETWORKS.values()), ids=list(NETWORKS))
@pytest.mark.parametrize(
    "hostile",
    [
        "",
        "x" * 10_000,
        "\x00\x01\x1b",
        "🚀🌕",
        "'; DROP TABLE tickets; --",
        "\ud800",
    ],
)
def test_hostile_input_gets_an_answer_with_a_message(network: Network, hostile: str) -> None:
    for check in (validate_address, validate_txid):
        result = check(network, hostile)
        with translation.override("ja"):
            assert not result.valid
            assert result.message
    assert check_memo(network, hostile).message
    assert not check_coin_on_network(hostile, network).valid


def test_a_cashaddr_typed_without_its_prefix_gets_it_back() -> None:
    result = validate_address(NETWORKS["BCH"], "QPM2QSZNHKS23Z7629MMS6S4CWEF74VCWVY22GDX6A")
    assert result.normalized == "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"


def test_a_cashaddr_for_bitcoin_is_named_as_bitcoin_cash() -> None:
    result = validate_address(BTC, "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a")
    with translation.override("en"):
        assert (result.code, "Bitcoin Cash" in result.message) == (CheckCode.WRONG_NETWORK, True)


def test_a_cashaddr_with_a_wrong_character_fails_its_checksum() -> None:
    result = validate_address(
        NETWORKS["BCH"], "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6c"
    )
    assert result.code == CheckCode.BAD_CHECKSUM


def test_a_cardano_testnet_address_is_named_as_testnet() -> None:
    testnet = "addr_test1vz2fxv2umyhttkxyxp8x0dlpdt3k6cwng5pxj3jhsydzerspjrlsz"
    assert validate_address(NETWORKS["ADA"], testnet).code == CheckCode.TESTNET


def test_a_ton_address_with_a_wrong_character_fails_its_checksum() -> None:
    wrong = "EQCD39VS5jcptHL8vMjEXrzGaRcCVYto7HUn4bpAOg8xqB2M"
    assert validate_address(NETWORKS["TON"], wrong).code == CheckCode.BAD_CHECKSUM


def test_ton_deposits_need_a_comment() -> None:
    ton = NETWORKS["TON"]
    assert check_memo(ton, "").code == CheckCode.MEMO_REQUIRED
    assert check_memo(ton, " 12345678 ").normalized == "12345678"
    assert validate_txid(ton, TX_HASH).valid


def test_litecoin_takes_ltc1_segwit_addresses_and_bitcoin_names_them() -> None:
    program = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
    address = bech32.encode_segwit("ltc", 0, program)
    assert validate_address(NETWORKS["LTC"], address.upper()).normalized == address
    result = validate_address(BTC, address)
    with translation.override("en"):
        assert (result.code, "Litecoin" in result.message) == (CheckCode.WRONG_NETWORK, True)


def test_a_bitcoin_address_for_dogecoin_is_named_as_bitcoin() -> None:
    result = validate_address(NETWORKS["DOGE"], "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    with translation.override("ja"):
        assert (result.code, "Bitcoin" in result.message) == (CheckCode.WRONG_NETWORK, True)
