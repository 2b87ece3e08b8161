"""Automatic mail is recognised, so that no bounce or auto-reply is ever answered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from madoguchi.mail.classify.automated import MailKind, classify_automation

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / ".." / "shared" / "data" / "mail"
FIXTURES = REPO / "tests" / "fixtures" / "mail"

# Every corpus file that is not personal mail; all others must be classified personal.
EXPECTED = {
    "enmime__multipart-wo-boundary.eml": MailKind.BOUNCE,
    "flanker__bounce-broken-mime.eml": MailKind.BOUNCE,
    "flanker__bounce-delayed-broken.eml": MailKind.BOUNCE,
    "flanker__bounce-delayed.eml": MailKind.BOUNCE,  # Action: failed despite its name
    "flanker__bounce-gmail-invalid-address.eml": MailKind.BOUNCE,
    "flanker__bounce-mailbox-full.eml": MailKind.BOUNCE,
    "flanker__bounce-no-mx.eml": MailKind.DELAYED,
    "flanker__bounce-office365.eml": MailKind.BOUNCE,
    "flanker__bounce-zed.eml": MailKind.BOUNCE,
    "flanker__complaints-aol.eml": MailKind.FEEDBACK_REPORT,
    "flanker__disposition-notification.eml": MailKind.READ_RECEIPT,
    "flanker__from-encoding.eml": MailKind.BULK,  # carries Precedence: bulk
    "mailparser__delivery-status.eml": MailKind.BOUNCE,
    "mimekit__bounce.eml": MailKind.BOUNCE,
    "mimekit__delivery-status-multiple-blank-lines.eml": MailKind.BOUNCE,
    "mimekit__delivery-status.eml": MailKind.BOUNCE,
    "mimekit__disposition-notification.eml": MailKind.READ_RECEIPT,
    "mimekit__feedback-report.eml": MailKind.FEEDBACK_REPORT,
    "phpmimemailparser__failure.eml": MailKind.BOUNCE,
    "postalmime__arf.eml": MailKind.FEEDBACK_REPORT,
    "postalmime__bounce.eml": MailKind.BOUNCE,
    # Outlook's Polish "Automatyczna odpowiedź:", with no header saying it is automatic.
    "phpmimemailparser__issue212.eml": MailKind.AUTO_REPLY,
}
CORPUS_FILES = sorted(CORPUS.glob("*.eml"))


def _tagged(*tags: str) -> list[str]:
    """Corpus files whose README features column carries one of `tags`."""
    names = []
    for line in (CORPUS / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 8 and cells[1].endswith(".eml") and set(cells[7].split()) & set(tags):
            names.append(cells[1])
    return names


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_the_corpus_holds_the_112_messages_the_table_was_written_for() -> None:
    assert len(CORPUS_FILES) == 112
    assert set(EXPECTED) <= {path.name for path in CORPUS_FILES}


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.name)
def test_each_corpus_message_gets_its_expected_kind(path: Path) -> None:
    result = classify_automation(path.read_bytes())
    assert result.kind == EXPECTED.get(path.name, MailKind.PERSONAL), result.reason
    assert result.automatic == (path.name in EXPECTED)


@pytest.mark.parametrize("name", _tagged("dsn", "autoreply"))
def test_every_report_and_auto_reply_the_readme_tags_is_automatic(name: str) -> None:
    assert classify_automation((CORPUS / name).read_bytes()).automatic


def test_the_readme_tags_enough_reports_to_mean_something() -> None:
    assert len(_tagged("dsn", "autoreply")) >= 18


def test_a_bounce_names_the_failed_recipient_and_the_original_message() -> None:
    result = classify_automation((CORPUS / "postalmime__bounce.eml").read_bytes())
    assert result.failed_recipients == ("htfgvhyufthdgcvhgjyfthgc@ethereal.email",)
    assert result.original_message_id == "<e85f1c9b-9b51-4028-8ec0-0a657155028e@app.fastmail.com>"


def test_a_base64_encoded_delivery_report_is_still_read() -> None:
    result = classify_automation((CORPUS / "mimekit__bounce.eml").read_bytes())
    assert result.failed_recipients == ("netec.test@netecgc.com",)
    assert result.recipients[0].status == "5.1.1"


def test_a_bounce_without_a_report_is_recognised_by_x_failed_recipients() -> None:
    data = (CORPUS / "flanker__bounce-gmail-invalid-address.eml").read_bytes()
    result = classify_automation(data)
    assert result.failed_recipients == ("awfawfawfawfawfaw@someserverhere.com",)
    assert "X-Failed-Recipients" in result.reason


def test_a_read_receipt_names_the_message_it_acknowledges() -> None:
    data = (CORPUS / "flanker__disposition-notification.eml").read_bytes()
    result = classify_automation(data)
    assert result.kind == MailKind.READ_RECEIPT
    assert result.original_message_id == "<199509192301.23456@example.org>"


def test_a_postfix_bounce_names_our_reply_so_it_can_be_marked_undelivered() -> None:
    result = classify_automation(_fixture("classify_postfix-bounce.eml"))
    assert result.kind == MailKind.BOUNCE
    assert result.original_message_id == "<reply-1042-b7e1@tsukimi.example>"
    assert result.failed_recipients == ("no-such-user@example.net",)
    (recipient,) = result.recipients
    assert (recipient.action, recipient.status) == ("failed", "5.1.1")
    assert recipient.diagnostic.startswith("550 5.1.1 <no-such-user@example.net>")
    assert "no-such-user@example.net" in result.reason


def test_a_japanese_out_of_office_notice_is_recognised_by_its_subject_alone() -> None:
    data = _fixture("classify_out-of-office-ja.eml")
    assert b"Auto-Submitted" not in data
    assert b"=?iso-2022-jp?b?" in data.lower()
    result = classify_automation(data)
    assert result.kind == MailKind.AUTO_REPLY
    assert "不在通知" in result.reason


def test_an_exchange_automatic_reply_is_an_auto_reply() -> None:
    result = classify_automation(_fixture("classify_exchange-automatic-reply.eml"))
    assert result.kind == MailKind.AUTO_REPLY
    assert result.reason == "Auto-Submitted: auto-generated"


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Auto-Submitted: auto-replied", MailKind.AUTO_REPLY),
        ("Auto-Submitted: Auto-Generated; owner-email=x@example.org", MailKind.AUTO_REPLY),
        ("X-Autoreply: yes", MailKind.AUTO_REPLY),
        ("X-Autorespond: on", MailKind.AUTO_REPLY),
        ("Precedence: auto_reply", MailKind.AUTO_REPLY),
        ("X-Auto-Response-Suppress: All", MailKind.AUTO_REPLY),
        ("Precedence: junk", MailKind.BULK),
        ("Precedence: list", MailKind.MAILING_LIST),
        ("List-Id: Tsukimi users <users.lists.example.org>", MailKind.MAILING_LIST),
        ("Auto-Submitted: no", MailKind.PERSONAL),
        ("X-Mailer: Thunderbird", MailKind.PERSONAL),
    ],
)
def test_each_automatic_header_is_recognised(header: str, kind: MailKind) -> None:
    data = f"From: a@example.org\nSubject: Hello\n{header}\n\nHi\n".encode()
    assert classify_automation(data).kind == kind


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Hello",
        "Automatic reply: Hello",
        "自動応答: こんにちは",
        "=?UTF-8?B?5LiN5Zyo6YCa55+l?=",
        # Outlook's prefix in the sender's language.
        "Automatische Antwort: Hallo",
        "Réponse automatique : Bonjour",
        "Respuesta automática: Hola",
        "Automatyczna odpowiedź: Cześć",
        "Автоматический ответ: Привет",
        "自动回复: 你好",
        "자동 회신: 안녕하세요",
        "【自動返信】お問い合わせありがとうございます",
    ],
)
def test_out_of_office_subjects_are_auto_replies(subject: str) -> None:
    data = f"From: a@example.org\nSubject: {subject}\n\nAway\n".encode()
    assert classify_automation(data).kind == MailKind.AUTO_REPLY


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\xff\xfe", b"Subject: =?bogus?Q?broken", b"Content-Type: multipart/report\n\n--"],
)
def test_garbage_never_raises(data: bytes) -> None:
    assert classify_automation(data).kind in set(MailKind)


@pytest.mark.parametrize(
    "subject",
    ["自動返信メールが届きません", "I never got the automatic reply", "Re: 不在通知について"],
)
def test_a_customer_writing_about_an_auto_reply_is_heard(subject: str) -> None:
    data = f"From: a@example.org\nSubject: {subject}\n\n登録確認のメールが来ません\n".encode()
    assert classify_automation(data).kind == MailKind.PERSONAL


def test_a_customer_writing_about_an_undelivered_parcel_is_personal() -> None:
    data = b"From: a@example.org\nSubject: My deposit was returned, undelivered?\n\nHelp\n"
    assert classify_automation(data).kind == MailKind.PERSONAL
    assert re.search("no sign", classify_automation(data).reason)
