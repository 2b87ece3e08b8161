"""The SMTP receiver: mail delivered by a real SMTP client (smtplib) to the running receiver."""

from __future__ import annotations

import logging
import signal
import smtplib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

import madoguchi.mail.ingest
from madoguchi.mail.models import ReceivedMail
from madoguchi.mail.receive.smtp import SmtpReceiver
from madoguchi.tickets.models import AuthorKind, Message, Ticket
from tests.deployment import MADOGUCHI, REPO, Deployment, deployment, free_port, wait_for

__all__ = ["deployment"]  # the fixture, used by name below

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
SUPPORT = "support@tsukimi.example"
CUSTOMER = "hanako@example.jp"
MAX_BYTES = 200_000


@pytest.fixture
def mail_settings(settings: Any) -> Any:
    settings.MADOGUCHI_MAIL_REPLY_ADDRESSES = [SUPPORT]
    settings.MADOGUCHI_MAIL_OWN_DOMAINS = ["tsukimi.example"]
    settings.MADOGUCHI_MAIL_BRAND_NAMES = ["Tsukimi"]
    settings.MADOGUCHI_MAIL_AUTHSERV_IDS = ["mx.tsukimi.example"]
    settings.MADOGUCHI_BRANDS = {}
    return settings


@pytest.fixture
def receiver(mail_settings: Any) -> Iterator[SmtpReceiver]:
    running = SmtpReceiver(host="127.0.0.1", port=0, max_message_bytes=MAX_BYTES)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def client(receiver: SmtpReceiver) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", receiver.port, timeout=30)


def send(receiver: SmtpReceiver, data: bytes | str, *, to: str = SUPPORT, sender: str = CUSTOMER):
    with client(receiver) as smtp:
        return smtp.sendmail(sender, [to], data)


def mail(
    body: str = "出金がまだ届きません。",
    *,
    subject: str = "出金について",
    to: str = SUPPORT,
    message_id: str = "<first@example.jp>",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"山田 花子 <{CUSTOMER}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def test_a_japanese_iso_2022_jp_mail_becomes_a_ticket(receiver: SmtpReceiver) -> None:
    refused = send(receiver, (FIXTURES / "iso2022jp_split_encoded_word.eml").read_bytes())

    assert refused == {}
    ticket = Ticket.objects.get()
    assert ticket.subject == "お問い合わせの件"
    assert ticket.requester_email == CUSTOMER
    first = Message.objects.get(ticket=ticket)
    assert first.author_kind == AuthorKind.CUSTOMER
    assert first.body == "口座の確認をお願いします。"
    assert ReceivedMail.objects.get().source == "smtp"


@pytest.mark.parametrize(
    ("recipient", "status"),
    [
        ("someone@elsewhere.example", b"5.7.1"),  # not ours: never relayed
        ("support@tsukimi.example.evil.example", b"5.7.1"),
        ("sales@tsukimi.example", b"5.1.1"),  # our domain, but no mailbox here
    ],
)
def test_mail_for_anyone_but_the_support_address_is_refused_and_not_kept(
    receiver: SmtpReceiver, recipient: str, status: bytes
) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(receiver, mail(to=recipient), to=recipient)

    code, reply = refused.value.recipients[recipient]
    assert code == 550
    assert reply.startswith(status)
    assert not Ticket.objects.exists()
    assert not ReceivedMail.objects.exists()


def test_a_relayed_recipient_beside_ours_is_refused_while_ours_gets_the_mail(
    receiver: SmtpReceiver,
) -> None:
    with client(receiver) as smtp:
        refused = smtp.sendmail(CUSTOMER, [SUPPORT, "victim@elsewhere.example"], mail())

    assert refused["victim@elsewhere.example"][0] == 550
    assert Ticket.objects.count() == 1


def test_a_message_declared_too_big_is_refused_before_it_is_sent(receiver: SmtpReceiver) -> None:
    big = mail("あ" * MAX_BYTES)

    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        send(receiver, big)

    assert refused.value.smtp_code == 552
    assert not Ticket.objects.exists()


def test_a_message_too_big_without_a_declared_size_is_refused_at_its_end(
    receiver: SmtpReceiver,
) -> None:
    with client(receiver) as smtp:
        smtp.ehlo()
        smtp.mail(CUSTOMER)  # no SIZE= parameter: the receiver learns the size while reading
        smtp.rcpt(SUPPORT)
        code, _reply = smtp.data(mail("あ" * MAX_BYTES))

    assert code == 552
    assert not Ticket.objects.exists()
    assert not ReceivedMail.objects.exists()


def test_a_message_with_lines_longer_than_998_characters_is_kept(receiver: SmtpReceiver) -> None:
    raw = mail().replace(b"\r\n\r\n", b"\r\n\r\n" + b"x" * 3000 + b"\r\n", 1)

    assert send(receiver, raw) == {}
    assert Ticket.objects.count() == 1


def test_an_auto_reply_is_accepted_but_starts_no_ticket(receiver: SmtpReceiver) -> None:
    refused = send(receiver, (FIXTURES / "out_of_office_ja.eml").read_bytes())

    assert refused == {}
    assert not Ticket.objects.exists()
    assert ReceivedMail.objects.get().outcome == "dropped"


def test_a_bounce_from_the_null_sender_starts_no_ticket(receiver: SmtpReceiver) -> None:
    # Nothing in the headers but the subject says "bounce": the envelope's null sender <>
    # (RFC 5321 §4.5.5) is what tells, and the receiver passes it on as Return-Path.
    bounce = (
        "From: Mail System <mail@mx.example.net>\r\n"
        f"To: {SUPPORT}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.net>\r\n"
        "\r\n"
        "Your message could not be delivered.\r\n"
    )

    assert send(receiver, bounce, sender="<>") == {}

    assert not Ticket.objects.exists()
    assert ReceivedMail.objects.get().outcome == "dropped"


def test_a_reply_to_the_per_ticket_address_joins_its_ticket(receiver: SmtpReceiver) -> None:
    send(receiver, mail())
    ticket = Ticket.objects.get()
    address = f"support+{ticket.reply_token}@tsukimi.example"

    send(
        receiver, mail("追加の情報です。", to=address, message_id="<second@example.jp>"), to=address
    )

    assert Ticket.objects.count() == 1
    bodies = list(
        Message.objects.filter(ticket=ticket).order_by("pk").values_list("body", flat=True)
    )
    assert bodies == ["出金がまだ届きません。", "追加の情報です。"]


def test_a_reply_sent_to_the_per_ticket_address_in_bcc_joins_its_ticket(
    receiver: SmtpReceiver,
) -> None:
    send(receiver, mail())
    ticket = Ticket.objects.get()
    hidden = f"support+{ticket.reply_token}@tsukimi.example"

    # The headers name only the plain support address; the envelope carries the token.
    send(receiver, mail("追加です。", message_id="<third@example.jp>"), to=hidden)

    assert Ticket.objects.count() == 1
    assert Message.objects.filter(ticket=ticket).count() == 2


def test_no_address_or_text_of_a_delivery_is_logged(
    mail_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # aiosmtpd's own logger, left as a fresh process has it: the receiver must quiet it.
    library = logging.getLogger("mail.log")
    level = library.level
    library.setLevel(logging.NOTSET)
    receiver = SmtpReceiver(host="127.0.0.1", port=0)
    receiver.start()
    try:
        send(receiver, mail())
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(receiver, mail(), to="victim@elsewhere.example")
    finally:
        receiver.stop()
        library.setLevel(level)

    assert Ticket.objects.count() == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "SMTP delivery kept: created" in logged
    for private in (CUSTOMER, SUPPORT, "victim@elsewhere.example", "出金"):
        assert private not in logged


def test_mail_to_a_brands_own_address_opens_a_ticket_of_that_brand(mail_settings: Any) -> None:
    mail_settings.MADOGUCHI_MAIL_REPLY_ADDRESSES = [SUPPORT, "help@hoshi.example"]
    mail_settings.MADOGUCHI_BRANDS = {
        "hoshi": {"name": "Hoshi Exchange", "from_email": "Help@Hoshi.example"}
    }
    receiver = SmtpReceiver(host="127.0.0.1", port=0)
    receiver.start()
    try:
        send(receiver, mail(to="help@hoshi.example"), to="help@hoshi.example")
        send(receiver, mail(message_id="<other@example.jp>", subject="入金について"))
    finally:
        receiver.stop()

    brands = dict(Ticket.objects.values_list("subject", "brand"))
    assert brands == {"出金について": "hoshi", "入金について": ""}


def test_a_database_outage_answers_451_and_the_next_attempt_is_kept(
    receiver: SmtpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_connect = BaseDatabaseWrapper.ensure_connection
    outages: list[str] = []

    def connect_failing_once(self: BaseDatabaseWrapper) -> None:
        # Only the receiver's threads: the test's own connection stays up.
        if threading.current_thread().name.startswith("smtp-ingest") and not outages:
            outages.append(self.alias)
            raise OperationalError("the database went away")
        real_connect(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", connect_failing_once)

    with pytest.raises(smtplib.SMTPDataError) as failed:
        send(receiver, mail())
    assert failed.value.smtp_code == 451
    assert outages
    assert not Ticket.objects.exists()

    assert send(receiver, mail()) == {}  # the sending server tries again later
    assert Ticket.objects.get().subject == "出金について"


def test_a_failure_inside_ingest_answers_451_and_the_next_attempt_is_kept(
    receiver: SmtpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_receive = madoguchi.mail.ingest.receive
    calls: list[int] = []

    def receive_failing_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database went away")
        return real_receive(*args, **kwargs)

    monkeypatch.setattr(madoguchi.mail.ingest, "receive", receive_failing_once)

    with pytest.raises(smtplib.SMTPDataError) as failed:
        send(receiver, mail())
    assert failed.value.smtp_code == 451
    assert not Ticket.objects.exists()

    assert send(receiver, mail()) == {}  # the sending server tries again later
    assert Ticket.objects.get().subject == "出金について"


def _connect_when_free(port: int) -> smtplib.SMTP:
    """A session once the previous ones (the receiver's own start-up probe) have left."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return smtplib.SMTP("127.0.0.1", port, timeout=10)
        except smtplib.SMTPConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_sessions_beyond_the_limit_for_one_client_are_told_to_come_back_later(
    mail_settings: Any,
) -> None:
    receiver = SmtpReceiver(host="127.0.0.1", port=0, max_sessions_per_client=1)
    receiver.start()
    try:
        first = _connect_when_free(receiver.port)
        with pytest.raises(smtplib.SMTPConnectError) as refused:
            smtplib.SMTP("127.0.0.1", receiver.port, timeout=10)
        assert refused.value.smtp_code == 421
        first.quit()
        _connect_when_free(receiver.port).quit()
    finally:
        receiver.stop()


def test_the_command_refuses_to_start_without_a_support_address(mail_settings: Any) -> None:
    mail_settings.MADOGUCHI_MAIL_REPLY_ADDRESSES = []

    with pytest.raises(CommandError, match="MADOGUCHI_MAIL_REPLY_ADDRESSES"):
        call_command("receive_smtp", "--port", "0")


def test_the_command_takes_mail_until_sigterm(deployment: Deployment) -> None:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [MADOGUCHI, "receive-smtp", "--host", "127.0.0.1", "--port", str(port)],
        env=deployment.env(MADOGUCHI_MAIL_REPLY_ADDRESSES=SUPPORT),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def listening() -> bool:
            if process.poll() is not None:
                pytest.fail(f"receive-smtp exited early:\n{process.stdout.read()}")  # type: ignore[union-attr]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                return False

        wait_for(listening, timeout=60, what="receive-smtp to listen")
        raw = (FIXTURES / "iso2022jp_split_encoded_word.eml").read_bytes()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            assert smtp.sendmail(CUSTOMER, [SUPPORT], raw) == {}
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                smtp.sendmail(CUSTOMER, ["someone@elsewhere.example"], raw)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    subjects = deployment.python(
        "from madoguchi.tickets.models import Ticket; "
        "print(list(Ticket.objects.values_list('subject', flat=True)))"
    )
    assert subjects.stdout.strip() == "['お問い合わせの件']", subjects.stderr
