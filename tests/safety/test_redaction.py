"""The secret guard replaces seed phrases, keys, codes, passwords and card numbers, nothing else."""

from __future__ import annotations

import random

import base58
import pytest
from django.utils import translation
from mnemonic import Mnemonic

from madoguchi.safety.redaction import SecretKind, describe_findings, redact_secrets

ENGLISH_SEED = " ".join(["abandon"] * 11 + ["about"])  # BIP-39 test vector, valid checksum
JAPANESE_SEED = Mnemonic("japanese").to_mnemonic(bytes(range(16)))  # ideographic spaces
WIF_UNCOMPRESSED = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
WIF_COMPRESSED = base58.b58encode_check(b"\x80" + bytes(range(1, 33)) + b"\x01").decode()
XPRV = (
    "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRN"
    "NU3TGtRBeJgk33yuGBxrMPHi"
)  # BIP-32 test vector 1, chain m
HEX_KEY = "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa33262"
TXID = "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"
VALID_CARD = "4111 1111 1111 1111"
VALID_MY_NUMBER = "123456789018"


def redact_en(text: str):
    with translation.override("en"):
        return redact_secrets(text)


def redact_ja(text: str):
    with translation.override("ja"):
        return redact_secrets(text)


def kinds(text: str) -> list[SecretKind]:
    return [finding.kind for finding in redact_en(text).findings]


# Seed phrases


def test_an_english_seed_phrase_with_a_valid_checksum_is_replaced_and_verified() -> None:
    result = redact_en(f"Is this OK? {ENGLISH_SEED}, is it safe?")
    assert result.text == "Is this OK? [redacted: seed phrase], is it safe?"
    (finding,) = result.findings
    assert finding.kind is SecretKind.SEED_PHRASE
    assert finding.verified


def test_a_numbered_seed_phrase_over_several_lines_is_replaced() -> None:
    words = Mnemonic("english").to_mnemonic(bytes(range(100, 132))).split()
    numbered = "\n".join(f"{number}. {word}" for number, word in enumerate(words, 1))
    result = redact_en(f"Here it is:\n{numbered}\nIs it safe?")
    assert not any(word in result.text for word in words if len(word) > 4)
    assert result.findings[0].verified
    assert result.text.endswith("[redacted: seed phrase]\nIs it safe?")


def test_a_comma_separated_seed_phrase_in_capitals_is_replaced() -> None:
    result = redact_en(ENGLISH_SEED.upper().replace(" ", ", "))
    assert result.text == "[redacted: seed phrase]"


def test_a_japanese_seed_phrase_is_replaced_with_a_japanese_placeholder() -> None:
    assert "\u3000" in JAPANESE_SEED
    result = redact_ja(f"シードフレーズは {JAPANESE_SEED} です")
    assert result.text == "シードフレーズは [削除: シードフレーズ] です"
    assert result.findings[0].verified


def test_a_seed_phrase_with_a_typo_is_still_redacted_but_not_verified() -> None:
    mistyped = " ".join(["abandon"] * 10 + ["abandn", "about"])
    result = redact_en(f"Is this right? {mistyped}")
    assert result.text == "Is this right? [redacted: seed phrase]"
    assert not result.findings[0].verified


def test_a_seed_phrase_with_one_word_mistyped_beyond_recognition_is_still_redacted() -> None:
    words = ENGLISH_SEED.split()
    words[5] = "xbandon"
    result = redact_en("Is this OK? " + " ".join(words))
    assert result.text == "Is this OK? [redacted: seed phrase]"
    assert not result.findings[0].verified


def test_two_unknown_words_in_a_row_break_a_run_of_list_words() -> None:
    text = " ".join(["abandon"] * 6 + ["xyzzy", "qwerty"] + ["abandon"] * 6)
    assert redact_en(text).text == text


def test_list_words_around_the_phrase_are_redacted_with_it() -> None:
    # Safer to lose "please help" than to leave a mistyped last word of the phrase behind.
    result = redact_en(f"seed phrase: {ENGLISH_SEED} please help")
    assert result.text == "[redacted: seed phrase]"
    assert result.findings[0].verified


def test_twelve_list_words_with_a_wrong_checksum_are_redacted_unverified() -> None:
    result = redact_en(" ".join(["abandon"] * 12))
    assert result.text == "[redacted: seed phrase]"
    assert not result.findings[0].verified


def test_eleven_list_words_are_not_a_seed_phrase() -> None:
    text = " ".join(["abandon"] * 10 + ["about"])
    assert redact_en(text).text == text


# Private keys


@pytest.mark.parametrize("key", [WIF_UNCOMPRESSED, WIF_COMPRESSED, XPRV])
def test_wif_and_extended_private_keys_with_valid_checksums_are_replaced(key: str) -> None:
    result = redact_en(f"I exported this key: {key} is it safe?")
    assert result.text == "I exported this key: [redacted: private key] is it safe?"
    assert result.findings[0].verified


@pytest.mark.parametrize("key", [WIF_UNCOMPRESSED, XPRV])
def test_key_shaped_strings_with_a_broken_checksum_are_left_alone(key: str) -> None:
    broken = key[:-3] + ("abc" if key[-3:] != "abc" else "abd")
    text = f"Is this valid? {broken}"
    assert redact_en(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        f"private key: {HEX_KEY}",
        f"Private key 0x{HEX_KEY}",
        f"秘密鍵は{HEX_KEY}です",
        f"priv = {HEX_KEY}",
    ],
)
def test_hex_after_a_private_key_label_is_replaced(text: str) -> None:
    result = redact_en(text)
    assert HEX_KEY not in result.text
    assert kinds(text) == [SecretKind.PRIVATE_KEY]


def test_a_pem_private_key_block_is_replaced_whole() -> None:
    pem = (
        "-----BEGIN EC PRIVATE KEY-----\n"
        "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n"
        "-----END EC PRIVATE KEY-----"
    )
    result = redact_en(f"key file:\n{pem}\nend")
    assert result.text == "key file:\n[redacted: private key]\nend"


@pytest.mark.parametrize(
    "text",
    [
        f"TxID: {TXID}",
        f"The transaction hash is 0x{TXID}",
        f"トランザクションID {TXID} を確認してください",
        f"{TXID}",
        "Address bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 received nothing",
        "Sent to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed on Ethereum",
        "Tron address TJRabPrwbZy45sbavfcjinPJC18kjpRTv8, memo 12345",
        "XRP rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh destination tag 1234567890",
        "Legacy 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 and 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    ],
)
def test_transaction_ids_and_addresses_are_left_alone(text: str) -> None:
    assert redact_en(text).text == text


# Codes and passwords


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2FA code: 123456", "2FA code: [redacted: 2FA code]"),
        ("my authenticator code is 123 456", "my authenticator code is [redacted: 2FA code]"),
        ("認証コード 123456 を入力しました", "認証コード [redacted: 2FA code] を入力しました"),
        ("２段階認証コードは１２３４５６です", "２段階認証コードは[redacted: 2FA code]です"),
    ],
)
def test_labelled_two_factor_codes_are_replaced(text: str, expected: str) -> None:
    assert redact_en(text).text == expected


def test_full_width_digits_are_found_and_removed_as_typed() -> None:
    text = "認証コード：１２３４５６"
    (finding,) = redact_en(text).findings
    assert text[finding.start : finding.end] == "１２３４５６"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password: hunter2.", "password: [redacted: password]."),
        (
            "My password is Tr0ub4dor&3 and it fails",
            "My password is [redacted: password] and it fails",
        ),
        ("パスワードは abc123 です", "パスワードは [redacted: password] です"),
        ("パスワード：P@ssw0rd!", "パスワード：[redacted: password]"),
        ("PIN: 4321", "PIN: [redacted: password]"),
    ],
)
def test_labelled_passwords_are_replaced(text: str, expected: str) -> None:
    assert redact_en(text).text == expected


def test_a_password_placeholder_is_in_japanese_for_a_japanese_reader() -> None:
    assert redact_ja("password: hunter2").text == "password: [削除: パスワード]"


@pytest.mark.parametrize(
    "text",
    [
        "API secret: 9fJ3kL0pQ2rS5tU8vW1xY4zA7bC0dE3f",
        "secret_key=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==",
        "APIシークレット：9fJ3kL0pQ2rS5tU8vW1xY4zA7bC0dE3f",
        f"Secret key {HEX_KEY}",
        "token sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "our key is mdg_k3x9a2bq_Q2f9ZyN4w8T1bX6cV0mL5sR7pA3dE9hJ2kU4nW6y",
    ],
)
def test_api_secrets_are_replaced(text: str) -> None:
    assert kinds(text) == [SecretKind.API_SECRET]
    assert "[redacted: API secret]" in redact_en(text).text


def test_a_bearer_token_is_replaced_whole_not_only_its_header() -> None:
    jwt = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    )
    result = redact_en(f"Authorization: Bearer {jwt}")
    assert result.text == "Authorization: Bearer [redacted: API secret]"


# Card numbers and My Number


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1111",
        "I paid with 5500-0000-0000-0004 yesterday",
        "カード番号は4111111111111111です",
    ],
)
def test_card_numbers_that_pass_luhn_are_replaced(text: str) -> None:
    assert kinds(text) == [SecretKind.CARD_NUMBER]


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",
        "card 4111 1111 1111 1111 1",
        "order ID 4111111111111111",
        "注文番号 4111111111111111 の件",
    ],
)
def test_card_like_numbers_that_fail_luhn_or_are_order_ids_are_left_alone(text: str) -> None:
    assert redact_en(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        f"マイナンバーは{VALID_MY_NUMBER}です",
        "個人番号 1234 5678 9018 です",
        "my number is 1234-5678-9018, thanks",
    ],
)
def test_my_numbers_with_a_valid_check_digit_are_replaced(text: str) -> None:
    assert kinds(text) == [SecretKind.MY_NUMBER]
    assert "[削除: マイナンバー]" in redact_ja(text).text


@pytest.mark.parametrize("text", ["マイナンバーは123456789012です", "order 123456789018"])
def test_my_numbers_with_a_wrong_check_digit_or_no_label_are_left_alone(text: str) -> None:
    assert redact_en(text).text == text


# Ordinary messages

ORDINARY_MESSAGES = [
    "Hi, I sent 0.5 BTC to my wallet on 2024-05-01 at 14:32 but it has not arrived. "
    f"Order ID 4111111111111111, TxID {TXID}.",
    "I lost the paper with my seed phrase. Can you help me recover my account? "
    "My user ID is 12345678.",
    "Where do I find the API key settings? I want to create a new key for my trading bot.",
    "My 2FA code is not accepted, I tried 3 times. Phone number 090-1234-5678.",
    "I forgot my password and the reset email never arrived.",
    "My password is not working since yesterday.",
    "Please help, I want to withdraw 1,250.50 USDT via TRC20 and the fee seems wrong.",
    "Can you explain the difference between a private key and a seed phrase? "
    "I keep my keys on a hardware wallet.",
    "Deposit of 3,000,000 JPY from bank account 1234567 on 2024/06/15 is still pending, "
    "reference 202406150001, amount 3000000.",
    "I want to buy more bitcoin today but the order page shows an error again and again, "
    "what should I do about it now, please advise as soon as you can, thank you",
    "Above all, please check my account balance again: the total amount seems wrong, "
    "maybe the market price changed during the trade.",
    f"昨日の14時ごろにBTCを0.05送金しましたが、まだ着金していません。TxIDは {TXID} です。",
    "シードフレーズを書いた紙をなくしてしまいました。アカウントを復旧できますか？",
    "2段階認証のコードが届きません。電話番号は090-1234-5678です。",
    "パスワードを忘れました。再設定メールが届きません。",
    "パスワードは8文字以上にしました。",
    "注文番号 4111111111111111 の約定について確認したいです。",
    "APIキーの作成方法を教えてください。",
    "出金額は１２，５００円です。口座番号は１２３４５６７です。",
    "秘密鍵はハードウェアウォレットに保管しています。",
    "マイナンバーカードの写真はどこから提出すればいいですか？",
    "あいさつ　あいだ　あおい　の三つの言葉だけ覚えています。",
    "Topics: account, security, deposit, withdraw, trade, order, market, limit, fee, bonus, "
    "reward, token, wallet, address",
    'Content-Type: multipart/alternative; boundary="===============4111111111111111=="',
    "Reference: TSK_4111111111111111, link https://tsukimi.example/o/4111111111111111",
]


@pytest.mark.parametrize("text", ORDINARY_MESSAGES)
def test_ordinary_support_messages_are_left_untouched(text: str) -> None:
    result = redact_en(text)
    assert result.text == text
    assert result.findings == ()
    assert describe_findings(result.findings) == ""


# Nothing of the secret survives


def test_the_secret_appears_nowhere_in_the_result() -> None:
    secrets = [ENGLISH_SEED, WIF_COMPRESSED, "hunter2x", "731942", VALID_CARD, VALID_MY_NUMBER]
    text = (
        f"seed {ENGLISH_SEED}; wif {WIF_COMPRESSED}; password: hunter2x; 2FA code 731942; "
        f"card {VALID_CARD}; マイナンバー {VALID_MY_NUMBER}"
    )
    for language in ("en", "ja"):
        with translation.override(language):
            result = redact_secrets(text)
            told = describe_findings(result.findings)
            seen = [result.text, repr(result), told, *(f.reason for f in result.findings)]
        assert len(result.findings) == len(secrets)
        for secret in secrets:
            assert all(secret not in shown for shown in seen)


def test_findings_point_at_the_secret_in_the_original_text() -> None:
    text = "ｐａｓｓｗｏｒｄ： hunter2x then 2FA code 731942"
    spans = [(f.start, f.length) for f in redact_en(text).findings]
    assert [text[start : start + length] for start, length in spans] == ["hunter2x", "731942"]


def test_the_customer_is_told_why_in_their_language() -> None:
    findings = redact_en(f"{ENGLISH_SEED} password: hunter2x").findings
    with translation.override("en"):
        english = describe_findings(findings)
    with translation.override("ja"):
        japanese = describe_findings(findings)
    assert "seed phrase" in english and "password" in english.lower()
    assert "シードフレーズ" in japanese and "パスワード" in japanese


# Hostile input


def hostile_inputs() -> list[str]:
    rng = random.Random(3)
    alphabet = "abc 019\n\t\x00\x07\u200b\ud800\udfffａ１あ漢ﾊﾟ,.:-"
    return [
        "".join(rng.choice(alphabet) for _ in range(10_000)),
        "\ud800" * 10_000,
        "".join(chr(code) for code in range(32)) * 300,
        "abandon " * 1_250,
        "1" * 10_000,
        "1 " * 5_000,
        "password: " * 1_000,
        "-----BEGIN PRIVATE KEY-----" * 300,
        "あいこくしん\u3000" * 1_500,
    ]


@pytest.mark.parametrize("text", hostile_inputs())
def test_hostile_input_never_raises(text: str) -> None:
    result = redact_en(text)
    assert isinstance(result.text, str)
    for finding in result.findings:
        assert 0 <= finding.start < finding.end <= len(text)
