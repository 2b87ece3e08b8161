"""inbound_from_mail: a raw mail through the real intake, as a customer would see it."""

from __future__ import annotations

import base64
import hashlib
import io
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from PIL import Image

from madoguchi import intake
from madoguchi.mail.adapter import inbound_from_mail
from madoguchi.tickets.models import AuthorKind, Message, Ticket

pytestmark = pytest.mark.django_db

CONFIG = {
    "reply_addresses": ("support@tsukimi.example",),
    "own_domains": ("tsukimi.example",),
    "brand_names": ("Tsukimi", "ツキミ"),
    "authserv_ids": ("mx.tsukimi.example",),
}
AGENT_MESSAGE_ID = "<reply-1.abc@mail.tsukimi.example>"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def mail(
    body: str,
    *,
    subject: str = "入金が反映されません",
    sender: str = "山田 花子 <hanako@example.jp>",
    headers: dict[str, str] | None = None,
    charset: str = "utf-8",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@tsukimi.example"
    message["Subject"] = subject
    message["Message-ID"] = "<m-1@example.jp>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, charset=charset)
    return message


def receive(message: EmailMessage) -> intake.pipeline.Outcome:
    return intake.receive(inbound_from_mail(message.as_bytes(policy=SMTP), **CONFIG))


def japanese_mail_with_a_screenshot() -> bytes:
    """ISO-2022-JP as Japanese mailers still send it, built by hand: the header as an
    encoded-word (RFC 2047) and the body as 7-bit JIS."""
    body = "昨日BTCを送金しましたが、まだ反映されていません。\r\n".encode("iso2022_jp")
    subject = "=?ISO-2022-JP?B?" + _b64("入金が反映されません".encode("iso2022_jp")) + "?="
    name = "=?ISO-2022-JP?B?" + _b64("山田 花子".encode("iso2022_jp")) + "?="
    image = _b64(png(), wrap=True)
    return (
        (
            f"From: {name} <Hanako@Example.JP>\r\n"
            "To: support@tsukimi.example\r\n"
            f"Subject: {subject}\r\n"
            "Message-ID: <new-1@example.jp>\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="b1"\r\n'
            "\r\n"
            "--b1\r\n"
            "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
        ).encode()
        + body
        + (
            "--b1\r\n"
            'Content-Type: image/png; name="screenshot.png"\r\n'
            "Content-Transfer-Encoding: base64\r\n"
            'Content-Disposition: attachment; filename="screenshot.png"\r\n'
            "\r\n"
            f"{image}\r\n"
            "--b1--\r\n"
        ).encode()
    )


def _b64(data: bytes, *, wrap: bool = False) -> str:
    text = base64.b64encode(data).decode()
    if not wrap:
        return text
    return "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def ticket_with_agent_reply() -> Ticket:
    outcome = receive(mail("昨日BTCを送金しましたが、まだ反映されていません。"))
    assert outcome.outcome == "created" and outcome.ticket_id is not None
    ticket = Ticket.objects.get(pk=outcome.ticket_id)
    Message.objects.create(
        ticket=ticket,
        author_kind=AuthorKind.AGENT,
        channel="email",
        body="確認いたします。送金のTXIDを教えてください。",
        external_id=AGENT_MESSAGE_ID,
    )
    return ticket


REPLY = (
    "TXIDは 0xabc123 です。\n"
    "\n"
    "2026年11月25日(水) 10:00 Tsukimi サポート <support@tsukimi.example>:\n"
    "> 確認いたします。送金のTXIDを教えてください。\n"
)


def test_a_new_japanese_mail_creates_a_ticket_with_its_screenshot() -> None:
    raw = japanese_mail_with_a_screenshot()

    outcome = intake.receive(inbound_from_mail(raw, **CONFIG))

    assert outcome.outcome == "created"
    ticket = Ticket.objects.get(pk=outcome.ticket_id)
    assert ticket.subject == "入金が反映されません"
    assert ticket.requester_email == "hanako@example.jp"
    first = ticket.messages.get()
    assert first.body == "昨日BTCを送金しましたが、まだ反映されていません。"
    stored = ticket.attachments.get()
    assert stored.name == "screenshot.png"
    assert stored.content_type == "image/png"
    assert stored.original_sha256 == hashlib.sha256(png()).hexdigest()


def test_an_out_of_office_reply_is_dropped_and_starts_no_ticket() -> None:
    reply = mail(
        "11月30日まで不在にしております。",
        subject="自動応答: 入金が反映されません",
        headers={"Auto-Submitted": "auto-replied"},
    )

    outcome = receive(reply)

    assert outcome.outcome == "dropped"
    assert not Ticket.objects.exists()


def test_a_bounce_starts_no_ticket() -> None:
    bounce = mail(
        "This is the mail system at host mx.example.jp.\n\nI'm sorry to have to inform you"
        " that your message could not be delivered.",
        subject="Undelivered Mail Returned to Sender",
        sender="MAILER-DAEMON@mx.example.jp (Mail Delivery System)",
    )

    outcome = receive(bounce)

    assert outcome.outcome == "dropped"
    assert not Ticket.objects.exists()


def test_the_customers_reply_to_an_agent_joins_the_ticket_without_the_quote() -> None:
    ticket = ticket_with_agent_reply()
    reply = mail(
        REPLY,
        subject="Re: 入金が反映されません",
        headers={"In-Reply-To": AGENT_MESSAGE_ID, "References": AGENT_MESSAGE_ID},
    )
    reply.replace_header("Message-ID", "<m-2@example.jp>")

    outcome = receive(reply)

    assert outcome.outcome == "appended"
    assert outcome.ticket_id == ticket.pk and outcome.message_id is not None
    appended = ticket.messages.get(pk=outcome.message_id)
    assert appended.body == "TXIDは 0xabc123 です。"
    assert "確認いたします" not in appended.body


def test_the_same_reply_from_another_address_is_held() -> None:
    ticket = ticket_with_agent_reply()
    reply = mail(
        REPLY,
        subject="Re: 入金が反映されません",
        sender="someone@example.net",
        headers={"In-Reply-To": AGENT_MESSAGE_ID},
    )

    outcome = receive(reply)

    assert outcome.outcome == "held"
    assert ticket.messages.count() == 2


def test_a_subject_tag_alone_does_not_join_that_ticket() -> None:
    ticket = ticket_with_agent_reply()
    tagged = mail("別の件です。出金が止まっています。", subject=f"[#{ticket.pk}] 出金について")
    tagged.replace_header("Message-ID", "<m-3@example.jp>")

    outcome = receive(tagged)

    assert outcome.outcome == "created"
    assert outcome.ticket_id != ticket.pk
    assert ticket.messages.count() == 2


def test_a_look_alike_of_our_domain_cannot_join_the_ticket_with_our_message_id() -> None:
    ticket = ticket_with_agent_reply()
    forged = mail(
        "パスワードを再設定してください。",
        subject="Re: 入金が反映されません",
        sender="Tsukimi サポート <support@tsukimi-example.com>",
        headers={"In-Reply-To": AGENT_MESSAGE_ID, "References": AGENT_MESSAGE_ID},
    )
    forged.replace_header("Message-ID", "<m-4@tsukimi-example.com>")

    message = inbound_from_mail(forged.as_bytes(policy=SMTP), **CONFIG)
    outcome = intake.receive(message)

    assert message.in_reply_to == "" and message.references == ()
    assert outcome.ticket_id != ticket.pk
    assert ticket.messages.count() == 2
