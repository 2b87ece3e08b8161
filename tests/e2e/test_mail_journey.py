"""A ticket from the browser to the customer's mail program and back, over real mail servers.

The customer files a deposit ticket in Debian's chromium; an agent answers in the console; the
answer leaves over SMTP to aiosmtpd (tests/servers/smtp_peer.py), which stores it in the
customer's mailbox on Dovecot (tests/servers/dovecot.py), where it is read back over IMAP as a
mail program would, with the customer's anti-phishing code at the top. The customer answers as
a Japanese mail program does (ISO-2022-JP, In-Reply-To, the agent's words quoted below, a
screenshot attached); the answer lands in the support mailbox, `receive_imap --once` takes it
in, and the agent's page shows the new words without the quote, with the screenshot.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html as html_module
import io
import re
import secrets
import time
from collections.abc import Callable
from email.header import Header
from email.message import EmailMessage
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from imapclient import IMAPClient
from PIL import Image, ImageDraw

from madoguchi.accounts.services import create_user
from madoguchi.tickets.events import verify_history
from madoguchi.tickets.models import Attachment, Delivery, DeliveryStatus, Message, Status, Ticket
from tests.e2e.conftest import CUSTOMER_PASSWORD, log_in, log_in_agent
from tests.servers.dovecot import DovecotServer, ImapAccount
from tests.servers.smtp_peer import Received, SmtpPeer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER_EMAIL = "hanako@example.jp"
AGENT_EMAIL = "sato@tsukimi.example"
CODE = "さくら2024"
SUBJECT = "BTCの入金が反映されません"
TXID = "a1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d"
ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
REPLY = "お問い合わせありがとうございます。お手数ですが、入金履歴の画面を送っていただけますか。"
ANSWER = "ご連絡ありがとうございます。\n入金履歴の画面を添付しました。ご確認をお願いいたします。"
SCREENSHOT_NAME = "入金履歴.png"
SENT_PAGE = re.compile(r".*/ja/support/sent/\?r=[^&]+$")


def screenshot() -> bytes:
    """A small PNG such as a phone saves of a wallet's history."""
    image = Image.new("RGB", (240, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 232, 40), fill=(30, 90, 200))
    draw.text((16, 18), "Sent 0.5 BTC", fill="white")
    draw.text((16, 60), TXID[:32], fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def mailbox_of(account: ImapAccount) -> list[EmailMessage]:
    """What the customer's mail program finds in the INBOX, read over IMAP without marking it."""
    with IMAPClient(account.host, account.port, ssl=False, timeout=30) as client:
        client.login(account.name, account.password)
        client.select_folder("INBOX", readonly=True)
        uids = client.search()
        fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
    mails = []
    for uid in sorted(fetched):
        parsed = email.message_from_bytes(fetched[uid][b"BODY[]"], policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        mails.append(parsed)
    return mails


def wait_for_mail(
    account: ImapAccount, wanted: Callable[[EmailMessage], bool], what: str
) -> EmailMessage:
    # A deadline for a test that would otherwise hang, not a measure of speed.
    deadline = time.monotonic() + 30
    while True:
        found = [mail for mail in mailbox_of(account) if wanted(mail)]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} in the customer's mailbox")
        time.sleep(0.2)


def text_parts(mail: EmailMessage) -> dict[str, str]:
    return {
        part.get_content_type(): str(part.get_content())
        for part in mail.walk()
        if part.get_content_maintype() == "text"
    }


def assert_code_on_top(mail: EmailMessage, first_words: str) -> None:
    """The anti-phishing code opens the text part and the HTML part, before what the mail says."""
    parts = text_parts(mail)
    text, html = parts["text/plain"], parts["text/html"]
    first_line = text.strip().splitlines()[0]
    assert CODE in first_line and "フィッシング対策コード" in first_line, first_line
    assert text.index(CODE) < text.index(first_words)
    shown = html_module.unescape(re.sub(r"<[^>]+>", "\n", html[html.index("<body") :]))
    first_shown = shown.strip().splitlines()[0]
    assert CODE in first_shown and "フィッシング対策コード" in first_shown, first_shown
    assert shown.index(CODE) < shown.index(first_words)


def answer_from_mail_program(reply: EmailMessage, picture: bytes) -> bytes:
    """The customer's answer as a Japanese mail program writes it: ISO-2022-JP in 7 bits, the
    new words above an attribution line and the agent's mail quoted with "> ", a screenshot
    with an RFC 2231 file name, threaded to the mail it answers."""
    quoted = "\n".join(
        f"> {line}" if line else ">" for line in text_parts(reply)["text/plain"].splitlines()
    )
    attribution = (
        f"{time.strftime('%Y年%m月%d日')} 10:15 サポート <{reply['From'].addresses[0].addr_spec}>:"
    )
    body = f"{ANSWER}\n\n山田 花子\n\n{attribution}\n{quoted}\n"
    answer = MIMEMultipart("mixed")
    answer["From"] = formataddr((str(Header("山田 花子", "iso-2022-jp")), CUSTOMER_EMAIL))
    answer["To"] = str(reply["Reply-To"])
    answer["Subject"] = Header(f"Re: {reply['Subject']}", "iso-2022-jp").encode()
    answer["Date"] = formatdate(localtime=True)
    answer["Message-ID"] = make_msgid(domain="mail.example.jp")
    answer["In-Reply-To"] = str(reply["Message-ID"])
    answer["References"] = " ".join(
        part for part in (str(reply.get("References", "")), str(reply["Message-ID"])) if part
    )
    answer["X-Mailer"] = "Becky! ver. 2.81.07"
    answer.attach(MIMEText(body, "plain", "iso-2022-jp"))
    image = MIMEImage(picture, "png")
    image.add_header("Content-Disposition", "attachment", filename=("utf-8", "", SCREENSHOT_NAME))
    answer.attach(image)
    raw = answer.as_bytes()
    assert b'charset="iso-2022-jp"' in raw and b"\x1b$B" in raw  # JIS escapes, not UTF-8
    assert ANSWER.encode("utf-8") not in raw
    return raw


def test_an_answer_by_mail_reaches_the_customers_mailbox_and_their_reply_reaches_the_console(
    live_server: Any,
    settings: Any,
    new_page: Callable[..., Any],
    make_agent: Callable[..., Any],
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    smtp_outbound: SmtpPeer,
    tmp_path: Path,
) -> None:
    base = live_server.url
    settings.MADOGUCHI_BASE_URL = base
    support = imap_account
    settings.MADOGUCHI_MAILBOXES = [support.mailbox_setting("support")]
    # The customer's own mailbox; the SMTP peer stores each mail for them there, as a mail
    # server would.
    inbox = dovecot.add_user(f"hanako{secrets.token_hex(4)}", secrets.token_urlsafe(12))

    def deliver(received: Received) -> None:
        if CUSTOMER_EMAIL in (address.lower() for address in received.rcpt_tos):
            dovecot.append(inbox.name, received.data)

    smtp_outbound.deliver = deliver
    create_user(email=CUSTOMER_EMAIL, password=CUSTOMER_PASSWORD)
    agent = make_agent(AGENT_EMAIL, group="payments")
    picture = screenshot()

    # The customer sets an anti-phishing code: the page asks for the password again first.
    customer = new_page()
    log_in(
        customer,
        base,
        email=CUSTOMER_EMAIL,
        password=CUSTOMER_PASSWORD,
        next_path="/ja/accounts/anti-phishing-code/change/",
    )
    customer.wait_for_url("**/ja/accounts/reauthenticate/**")
    customer.fill("input[name=password]", CUSTOMER_PASSWORD)
    with customer.expect_navigation():
        customer.press("input[name=password]", "Enter")
    customer.wait_for_url("**/ja/accounts/anti-phishing-code/change/")
    customer.fill("input[name=code]", CODE)
    with customer.expect_navigation():
        customer.press("input[name=code]", "Enter")
    customer.wait_for_url("**/ja/accounts/anti-phishing-code/")

    # ... and files a deposit ticket in the browser.
    customer.goto(f"{base}/ja/support/new/deposit/")
    customer.fill("#id_subject", SUBJECT)
    customer.fill("#id_body", "昨日BTCを送金しましたが、まだ残高に反映されていません。")
    customer.fill("#id_q_coin", "BTC")
    customer.select_option("#id_q_network", "BTC")
    customer.fill("#id_q_amount", "0.5")
    customer.fill("#id_q_txid", TXID)
    customer.fill("#id_q_deposit_address", ADDRESS)
    customer.fill("#id_q_sent_at", "2024-05-01T21:30")
    customer.click("#support-form button[type=submit].button--primary")
    customer.wait_for_url(SENT_PAGE)
    ticket = Ticket.objects.get()
    assert ticket.requester_email == CUSTOMER_EMAIL

    # The acknowledgement is in the customer's mailbox already, with the code on top.
    acknowledgement = wait_for_mail(
        inbox, lambda mail: f"#{ticket.pk}" in str(mail["Subject"]), "acknowledgement"
    )
    assert_code_on_top(acknowledgement, f"#{ticket.pk}")

    # The agent answers in the console.
    console = new_page()
    path = f"/ja/agent/tickets/{ticket.pk}/"
    log_in_agent(console, base, agent, path)
    console.fill("#reply-body", REPLY)
    console.select_option("#reply-status", Status.PENDING.value)
    console.click("#reply .form__actions button[type=submit]")
    console.wait_for_selector(f"#conversation .agent-message--agent:has-text('{REPLY[:12]}')")

    # The reply arrives in the customer's mailbox: theirs, threaded, the code first.
    reply = wait_for_mail(
        inbox, lambda mail: REPLY in text_parts(mail).get("text/plain", ""), "reply"
    )
    delivery = Delivery.objects.get(message__body=REPLY)
    assert delivery.status == DeliveryStatus.SENT
    assert reply["Message-ID"] == delivery.rfc_message_id
    assert SUBJECT in str(reply["Subject"])
    assert_code_on_top(reply, REPLY[:12])
    assert REPLY in text_parts(reply)["text/html"]
    assert str(reply["Reply-To"]).startswith("support+")
    # Threaded under the acknowledgement in the customer's mail program.
    assert reply["In-Reply-To"] == acknowledgement["Message-ID"]

    # The customer answers from their mail program; it lands in the support mailbox, which
    # the IMAP receiver reads once.
    raw = answer_from_mail_program(reply, picture)
    dovecot.append(support.name, raw)
    console.goto("about:blank")  # no request of the page while the receiver writes
    out = StringIO()
    call_command("receive_imap", "--once", stdout=out)
    assert out.getvalue().split("\t")[:2] == ["support", "1"], out.getvalue()

    answer = Message.objects.filter(ticket=ticket).order_by("-created_at", "-pk").first()
    assert answer is not None and answer.author_kind == "customer"
    assert answer.channel == "email"
    assert answer.external_id.strip("<>") == str(email.message_from_bytes(raw)["Message-ID"]).strip(
        "<>"
    )

    # In the console: the new words, not the quoted reply, and the screenshot to download.
    console.goto(base + path)
    article = console.locator(f"#message-{answer.pk}")
    shown = article.locator(".agent-message__body").inner_text()
    assert "入金履歴の画面を添付しました" in shown and "ご確認をお願いいたします" in shown
    assert REPLY[:12] not in shown
    assert CODE not in shown and ">" not in shown
    # The agent's own reply is still shown once, as the agent's message.
    assert console.locator(f".agent-message:has-text('{REPLY[:12]}')").count() == 1
    assert "送信済み" in console.inner_text(".agent-message--agent .agent-delivery--sent")
    link = article.locator(".agent-attachments a")
    assert link.inner_text() == SCREENSHOT_NAME
    stored = Attachment.objects.get(ticket=ticket, message=answer)
    assert stored.sha256 in article.locator(".agent-attachments").inner_text()
    with console.expect_download() as download_info:
        link.click()
    downloaded = Path(download_info.value.path()).read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == stored.sha256
    assert Image.open(io.BytesIO(downloaded)).size == (240, 120)
    console.screenshot(path=str(tmp_path / "console-after-mail-answer.png"), full_page=True)

    ticket.refresh_from_db()
    assert ticket.status != Status.PENDING  # the customer's answer puts it back in the queue
    assert verify_history(ticket).ok
