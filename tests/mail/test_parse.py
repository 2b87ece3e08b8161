"""Parsing raw mail into ParsedMail: the shared corpus and our own fixture mails."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from madoguchi.mail.parse import ParsedMail, parse_message
from madoguchi.mail.parse.html import html_to_text

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "data" / "mail"
FIXTURES = REPO / "tests" / "fixtures" / "mail"
CORPUS_FILES = sorted(CORPUS.glob("*.eml"))

# Files whose text is truly broken, so a replacement character is the honest result.
EXPECTED_DEFECTS = {
    "flanker__mailformed-headers.eml": "the From name is UTF-8 with an invalid last byte",
}
# Files whose From line is garbled beyond reading ("Fro :uMmlti Sender <...>").
NO_SENDER = {
    "stalwart__malformed-019.eml": "the From header's name is garbled",
}
# Files with no readable text anywhere (empty parts by design).
NO_TEXT = {
    "stalwart__malformed-000.eml": "every part is empty",
}


def _texts(mail: ParsedMail) -> list[str]:
    texts = [mail.body]
    for inner in mail.forwarded:
        texts.extend(_texts(inner))
    return texts


def _fixture(name: str) -> ParsedMail:
    return parse_message((FIXTURES / name).read_bytes())


def test_the_corpus_is_all_there() -> None:
    assert len(CORPUS_FILES) == 112


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_every_corpus_mail_parses_into_a_readable_subject_sender_and_body(path: Path) -> None:
    raw = path.read_bytes()
    mail = parse_message(raw)
    head = re.split(rb"\r?\n\r?\n", raw.removeprefix(b"\xef\xbb\xbf"), maxsplit=1)[0]

    if re.search(rb"(?im)^from:.*@", head) and path.name not in NO_SENDER:
        assert "@" in mail.from_address
    if re.search(rb"(?im)^subject:[ \t]*\S", head):
        assert mail.subject.strip()
    if path.name not in NO_TEXT:
        assert any(t.strip() for t in _texts(mail)) or mail.attachments
    readable = [mail.subject, mail.from_name, *_texts(mail)]
    if path.name in EXPECTED_DEFECTS:
        assert mail.defects
    else:
        assert not any("\ufffd" in text for text in readable), mail.defects


def test_the_corpus_japanese_mails_read_as_japanese() -> None:
    japanese = parse_message((CORPUS / "mimekit__japanese.eml").read_bytes())
    no_charset = parse_message((CORPUS / "cassandane__iso-2022-jp.eml").read_bytes())
    cyrillic_in_jis = parse_message((CORPUS / "phpmimemailparser__issue116.eml").read_bytes())
    utf8_raw = parse_message((CORPUS / "stalwart__thirdparty-010.eml").read_bytes())

    assert japanese.subject == "日本語メールテスト (testing Japanese emails)"
    assert no_charset.body == "シニアソフトウェアエンジニア"
    assert cyrillic_in_jis.subject == "ЖД№41 от 28.09.2016"
    assert utf8_raw.subject == "こんにちは"


def test_garbage_bytes_give_a_mail_with_defects_instead_of_an_error() -> None:
    for raw in (b"", b"\x00\xff\xfe", b"Content-Type: multipart/mixed\r\n\r\n--", b":\n:\n\n\xff"):
        assert isinstance(parse_message(raw), ParsedMail)


def test_a_shift_jis_body_and_subject_are_read() -> None:
    mail = _fixture("shift_jis_body.eml")

    assert mail.subject == "出金できません①"
    assert (mail.from_name, mail.from_address) == ("山田太郎", "taro@example.jp")
    assert (
        mail.body == "お世話になっております。\n出金が①番目の画面で止まります。\nｶﾀｶﾅも読めますか。"
    )
    assert mail.message_id == "<sjis-1@example.jp>"
    assert mail.date == datetime(2024, 12, 2, 1, 0, tzinfo=UTC)
    assert mail.to == ("support@example.com",)


def test_an_iso_2022_jp_subject_split_inside_a_character_is_joined() -> None:
    mail = _fixture("iso2022jp_split_encoded_word.eml")

    assert mail.subject == "お問い合わせの件"
    assert mail.body == "口座の確認をお願いします。"
    assert mail.date is not None
    assert mail.date.utcoffset() == timedelta(hours=9)
    assert mail.defects == ()


def test_a_utf8_subject_split_inside_a_character_is_joined() -> None:
    mail = _fixture("utf8_split_encoded_word.eml")

    assert mail.subject == "ウォレットの送金"
    assert mail.from_name == "鈴木"
    assert mail.body == "送金が届きません。"


def test_iso_2022_jp_with_windows_extensions_keeps_circled_digits_and_half_width_kana() -> None:
    mail = _fixture("iso2022jp_windows_extensions.eml")

    assert mail.subject == "① test"
    assert mail.body == "お知らせ\n①② ｶﾅ"


def test_a_japanese_rfc2231_filename_in_continuations_is_read_with_its_bytes() -> None:
    mail = _fixture("rfc2231_japanese_filename.eml")

    assert mail.subject == "書類を送ります"
    assert mail.body == "添付をご確認ください。"
    [attachment] = mail.attachments
    assert attachment.filename == "本人確認書類.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.data == b"%PDF-1.4\n% test document\n%%EOF\n"
    assert not attachment.is_inline


def test_shift_jis_labelled_iso_2022_jp_is_read_and_the_wrong_label_noted() -> None:
    mail = _fixture("wrong_charset_label.eml")

    assert mail.subject == "残高が合いません"
    assert mail.body == "残高の表示がおかしいです。"
    assert any("did not fit" in defect for defect in mail.defects)


def test_raw_8bit_headers_and_a_us_ascii_label_on_utf8_are_read() -> None:
    mail = _fixture("raw_8bit_headers.eml")

    assert mail.subject == "二段階認証の再設定"
    assert (mail.from_name, mail.from_address) == ("佐藤花子", "hanako.sato@example.jp")
    assert mail.body == "認証アプリを機種変更で失いました。"


def test_an_euc_jp_mail_is_read() -> None:
    mail = _fixture("euc_jp_body.eml")

    assert mail.subject == "入金の反映について"
    assert mail.body == "入金がまだ反映されていません。"


def test_a_text_part_without_a_charset_is_recognised_as_iso_2022_jp() -> None:
    mail = _fixture("text_without_charset.eml")

    assert mail.subject == "no charset"
    assert mail.body == "ログインできません。"


def test_an_html_only_mail_becomes_readable_text_with_links_and_without_scripts() -> None:
    mail = _fixture("html_only.eml")

    assert mail.text == ""
    assert mail.body == (
        "Hello support,\n\nMy deposit is missing.\nSee the transaction (https://example.com/tx/1)."
        "\n\n- Amount: 1 BTC\n- Date: today\n\nThanks & regards"
    )
    assert (mail.from_name, mail.from_address) == ("Mary Smith", "mary@example.com")


def test_html_text_keeps_no_markup_and_drops_styles() -> None:
    text = html_to_text('<style>x{}</style><p onclick="x()">a &lt;b&gt;</p><script>y</script>')

    assert text == "a <b>"


def test_a_forwarded_message_keeps_its_sender_subject_and_text() -> None:
    mail = _fixture("forwarded.eml")

    assert mail.subject == "Fwd: suspicious login"
    assert mail.body == "This is not me."
    [inner] = mail.forwarded
    assert inner.subject == "ログイン通知"
    assert (inner.from_name, inner.from_address) == ("取引所", "noreply@exchange.example")
    assert inner.body == "新しい端末からログインしました。"
    assert inner.date == datetime(2024, 12, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))


def test_a_japanese_out_of_office_reply_is_read_with_its_threading_headers() -> None:
    mail = _fixture("out_of_office_ja.eml")

    assert mail.subject == "自動応答: 不在のお知らせ"
    assert (mail.from_name, mail.from_address) == ("高橋", "takahashi@example.jp")
    assert mail.body == "12月9日まで不在にしております。\n戻り次第ご連絡いたします。"
    assert mail.in_reply_to == "<reply-42@support.example.com>"
    assert mail.references == ("<ticket-42@support.example.com>", "<reply-42@support.example.com>")


def test_an_inline_image_is_an_inline_attachment_with_its_content_id() -> None:
    mail = _fixture("inline_image.eml")

    assert mail.body == "The error:\n[screenshot]"
    [image] = mail.attachments
    assert image.filename == "shot.png"
    assert image.is_inline
    assert image.content_id == "shot1@example.com"
    assert image.data.startswith(b"\x89PNG\r\n\x1a\n")
