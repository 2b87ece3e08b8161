"""visible_reply: the new part of a reply, its quoted history and its signature."""

from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.mail.parse import parse_message
from madoguchi.mail.parse.quotes import visible_reply

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mail"


def test_an_english_reply_hides_the_gmail_quote_and_the_signature() -> None:
    text = (
        "Thanks, the deposit arrived.\n"
        "\n"
        "-- \n"
        "Mary Smith\n"
        "\n"
        "On Mon, Dec 2, 2024 at 10:00 AM Support <support@example.com> wrote:\n"
        "> Please check again.\n"
        "> Regards\n"
    )

    new, quoted, signature = visible_reply(text)

    assert new == "Thanks, the deposit arrived."
    assert signature == "-- \nMary Smith"
    assert quoted.startswith("On Mon, Dec 2, 2024")
    assert "> Please check again." in quoted


def test_an_attribution_line_wrapped_by_the_mail_program_is_still_found() -> None:
    text = (
        "Yes.\n\nOn Mon, Dec 2, 2024 at 10:00 AM Support Team <support@example.com>\n"
        "wrote:\n> Is it ok?"
    )

    new, quoted, _ = visible_reply(text)

    assert new == "Yes."
    assert quoted.endswith("> Is it ok?")


def test_an_outlook_original_message_block_is_folded_away() -> None:
    text = "Done.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nSubject: x\n\nold"

    new, quoted, signature = visible_reply(text)

    assert new == "Done."
    assert quoted.startswith("-----Original Message-----")
    assert signature == ""


def test_an_outlook_from_block_without_a_separator_is_folded_away() -> None:
    text = "Fine now.\n\nFrom: Support <support@example.com>\nSent: Monday\nTo: me\n\nold text"

    assert visible_reply(text)[0] == "Fine now."


def test_a_japanese_reply_hides_the_san_wa_kakimashita_quote() -> None:
    text = (
        "確認しました。ありがとうございます。\n"
        "\n"
        "2024/12/02 10:00、サポートさんは書きました:\n"
        "> 入金を確認しました。\n"
    )

    new, quoted, _ = visible_reply(text)

    assert new == "確認しました。ありがとうございます。"
    assert quoted == "2024/12/02 10:00、サポートさんは書きました:\n> 入金を確認しました。"


def test_a_gmail_japanese_date_attribution_is_folded_away() -> None:
    text = "了解です。\n\n2024年12月2日(月) 10:00 サポート <support@example.com>:\n\n> 本文"

    assert visible_reply(text)[0] == "了解です。"


def test_a_japanese_original_message_block_and_ruled_signature_are_recognised() -> None:
    text = (
        "出金できました。\n"
        "━━━━━━━━━━━━━━\n"
        "山田 太郎\n"
        "taro@example.jp\n"
        "━━━━━━━━━━━━━━\n"
        "\n"
        "--- 元のメッセージ ---\n"
        "差出人: サポート\n"
        "件名: 出金について\n"
    )

    new, quoted, signature = visible_reply(text)

    assert new == "出金できました。"
    assert signature.startswith("━━━━")
    assert "山田 太郎" in signature
    assert quoted.startswith("--- 元のメッセージ ---")


def test_interleaved_quote_lines_are_moved_to_the_quote() -> None:
    text = "> Which network?\nEthereum.\n> Which amount?\n0.5 ETH."

    new, quoted, _ = visible_reply(text)

    assert new == "Ethereum.\n0.5 ETH."
    assert quoted == "> Which network?\n> Which amount?"


def test_a_message_without_quote_or_signature_is_all_new() -> None:
    assert visible_reply("Hello,\nmy withdrawal is stuck.") == (
        "Hello,\nmy withdrawal is stuck.",
        "",
        "",
    )


def test_a_bottom_posted_answer_under_the_quote_is_the_new_text() -> None:
    text = "On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi\n\nHello"

    new, quoted, _ = visible_reply(text)

    assert new == "Hello"
    assert quoted == "On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi"


def test_an_inline_answer_under_a_japanese_attribution_keeps_each_answer() -> None:
    text = "山田さんは書きました:\n> 送金先は?\nイーサリアムです。\n> 金額は?\n0.5 ETHです。\n"

    new, quoted, _ = visible_reply(text)

    assert new == "イーサリアムです。\n0.5 ETHです。"
    assert quoted == "山田さんは書きました:\n> 送金先は?\n> 金額は?"


def test_an_answer_above_a_quoted_attribution_stays_new() -> None:
    text = "Hello\n> On 22 Aug 2015, at 19:21, Adam <adam@example.com> wrote:\n>\n> Hi"

    new, quoted, _ = visible_reply(text)

    assert new == "Hello"
    assert quoted.startswith("> On 22 Aug 2015")


@pytest.mark.parametrize(
    "name",
    ["android", "apple_mail_2", "gmail", "hotmail", "outlook", "sparrow", "thunderbird", "yahoo"],
)
def test_real_replies_from_common_mail_programs_show_only_the_answer(name: str) -> None:
    mail = parse_message((CORPUS / f"talon__{name}.eml").read_bytes())

    new, quoted, _ = visible_reply(mail.body)

    assert new == "Hello"
    assert quoted
