"""Replies and notices leave over real SMTP (tests/servers/smtp_peer.py) and arrive as a mail
program reads them: threaded, signed by the brand, with the customer's anti-phishing code on
their own copy only, retried when the server is away, and failed visibly when it refuses."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from madoguchi import intake
from madoguchi.accounts.services import create_user
from madoguchi.intake.inbound import InboundMessage
from madoguchi.mail.classify.threading import thread_reference
from madoguchi.tickets import outbound, tasks
from madoguchi.tickets.models import (
    Delivery,
    DeliveryAudience,
    DeliveryKind,
    DeliveryStatus,
    EventKind,
    Status,
    SupportGroup,
    Ticket,
)
from madoguchi.tickets.services import add_agent_reply, change_status
from tests.servers.smtp_peer import SmtpPeer
from tests.tickets.conftest import enrol_totp

CUSTOMER = "hanako@example.jp"
FRIEND = "friend@example.jp"
BRANDS = {
    "tsukimi": {
        "name": "ツキミ取引所 サポート",
        "from_email": "support@tsukimi.example",
        "signature_ja": "ツキミ取引所 カスタマーサポート",
        "signature_en": "Tsukimi Exchange Customer Support",
    }
}


@pytest.fixture
def mail_settings(settings: Any, smtp_outbound: SmtpPeer) -> SmtpPeer:
    settings.MADOGUCHI_BRANDS = BRANDS
    settings.MADOGUCHI_MAIL_REPLY_ADDRESSES = ["support@tsukimi.example"]
    settings.MADOGUCHI_BASE_URL = "https://help.tsukimi.example"
    return smtp_outbound


@pytest.fixture
def customer(db: None) -> Any:
    user = create_user(email=CUSTOMER, password="a-long-customer-password")
    user.anti_phishing_code = "SAKURA42"
    user.save(update_fields=["anti_phishing_code"])
    return user


@pytest.fixture
def agent(db: None) -> Any:
    user = create_user(email="pay@tsukimi.example", password="a-long-staff-password", role="agent")
    enrol_totp(user)
    for group in SupportGroup.objects.all():
        group.members.add(user)
    return user


def mailed_ticket(capture: Any, *, cc: tuple[str, ...] = (FRIEND,)) -> Ticket:
    """A ticket the customer opened by mail, copying a friend in."""
    with capture(execute=True):
        outcome = intake.receive(
            InboundMessage(
                channel="email",
                subject="出金が届きません",
                body="昨日出金しましたが、まだ届いていません。",
                sender_email=CUSTOMER,
                email_verified=True,
                language="ja",
                message_id="<first@mail.example.jp>",
                cc=cc,
                brand="tsukimi",
            )
        )
    assert outcome.outcome == "created", outcome
    return Ticket.objects.get(pk=outcome.ticket_id)


def reply(capture: Any, ticket: Ticket, agent: Any, body: str) -> list[Delivery]:
    with capture(execute=True):
        message = add_agent_reply(ticket=ticket, body=body, by=agent)
    return list(Delivery.objects.filter(message=message).order_by("audience"))


def parts(message: EmailMessage) -> dict[str, str]:
    return {
        part.get_content_type(): str(part.get_content())
        for part in message.walk()
        if part.get_content_maintype() == "text"
    }


def test_a_reply_arrives_threaded_branded_and_with_the_code_on_the_customers_copy_only(
    mail_settings: SmtpPeer, customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = mailed_ticket(django_capture_on_commit_callbacks)
    mail_settings.received.clear()  # the acknowledgement

    deliveries = reply(
        django_capture_on_commit_callbacks,
        ticket,
        agent,
        "ご確認ください: https://help.tsukimi.example/ja/ <b>太字</b>",
    )

    assert {d.status for d in deliveries} == {DeliveryStatus.SENT}
    (own,) = mail_settings.messages_to(CUSTOMER)
    (copied,) = mail_settings.messages_to(FRIEND)
    assert own.rcpt_tos == (CUSTOMER,)  # the Cc header names the friend; the envelope does not
    mine, theirs = own.message, copied.message
    customer_copy = next(d for d in deliveries if d.audience == DeliveryAudience.CUSTOMER)
    assert mine["Message-ID"] == customer_copy.rfc_message_id
    assert mine["Subject"] == f"[#{ticket.pk}] Re: 出金が届きません"
    assert mine["From"].addresses[0].display_name == "ツキミ取引所 サポート"
    assert mine["From"].addresses[0].addr_spec == "support@tsukimi.example"
    assert b"=?utf-8?" in own.data.split(b"\r\n\r\n")[0].lower()  # encoded, not raw UTF-8
    assert [a.addr_spec for a in mine["To"].addresses] == [CUSTOMER]
    assert [a.addr_spec for a in mine["Cc"].addresses] == [FRIEND]
    assert mine["In-Reply-To"] == "<first@mail.example.jp>"
    acknowledgement = Delivery.objects.get(ticket=ticket, kind=DeliveryKind.ACKNOWLEDGEMENT)
    assert mine["References"].split() == ["<first@mail.example.jp>", acknowledgement.rfc_message_id]
    assert theirs["References"] == "<first@mail.example.jp>"  # they never got the notice
    assert "Auto-Submitted" not in mine  # a person wrote it (RFC 3834)
    assert "List-Unsubscribe" not in mine
    # The Reply-To address leads back to this ticket when the customer answers.
    reply_to = mine["Reply-To"].addresses[0].addr_spec
    answer = f"To: {reply_to}\r\nFrom: {CUSTOMER}\r\nSubject: Re\r\n\r\nok\r\n".encode()
    assert thread_reference(answer, ["support@tsukimi.example"]).reply_tokens == (
        ticket.reply_token,
    )

    text, html = parts(mine)["text/plain"], parts(mine)["text/html"]
    assert text.lstrip().startswith("あなたのフィッシング対策コード: SAKURA42")
    assert "ツキミ取引所 カスタマーサポート" in text
    assert "<b>太字</b>" in text
    assert "&lt;b&gt;太字&lt;/b&gt;" in html and "<b>太字</b>" not in html
    assert '<a href="https://help.tsukimi.example/ja/"' in html
    assert "<img" not in html
    assert html.index("SAKURA42") < html.index("ご確認ください")

    assert "SAKURA42" not in copied.data.decode("ascii", "replace")
    assert "SAKURA42" not in "".join(parts(theirs).values())
    assert "ご確認ください" in parts(theirs)["text/plain"]
    assert copied.rcpt_tos == (FRIEND,)


def test_a_second_reply_references_the_first_one(
    mail_settings: SmtpPeer, customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = mailed_ticket(django_capture_on_commit_callbacks, cc=())
    first = reply(django_capture_on_commit_callbacks, ticket, agent, "一通目です。")
    second = reply(django_capture_on_commit_callbacks, ticket, agent, "二通目です。")

    later = mail_settings.received[-1].message
    assert later["Message-ID"] == second[0].rfc_message_id
    assert later["In-Reply-To"] == "<first@mail.example.jp>"
    acknowledgement = Delivery.objects.get(ticket=ticket, kind=DeliveryKind.ACKNOWLEDGEMENT)
    assert later["References"].split() == [
        "<first@mail.example.jp>",
        acknowledgement.rfc_message_id,
        first[0].rfc_message_id,
    ]


def test_notices_are_marked_automatic_and_only_notifications_offer_unsubscribing(
    mail_settings: SmtpPeer, customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = mailed_ticket(django_capture_on_commit_callbacks)

    (acknowledgement,) = mail_settings.messages_to(CUSTOMER)
    ack = acknowledgement.message
    assert ack["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in ack
    assert "Cc" not in ack and acknowledgement.rcpt_tos == (CUSTOMER,)
    assert ack["Subject"].startswith(f"[#{ticket.pk}] ")
    assert parts(ack)["text/plain"].lstrip().startswith("あなたのフィッシング対策コード")

    with django_capture_on_commit_callbacks(execute=True):
        (notice,) = outbound.queue_notice(ticket, kind=DeliveryKind.NOTIFICATION)
    sent = mail_settings.received[-1].message
    assert sent["Message-ID"] == notice.rfc_message_id
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(sent["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("https://help.tsukimi.example/ja/mail/unsubscribe/")
    assert link in parts(sent)["text/plain"]

    # One click, as a mail program does it (RFC 8058): no cookie, no CSRF token.
    path = link.removeprefix("https://help.tsukimi.example")
    client = Client(enforce_csrf_checks=True)
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200

    count = len(mail_settings.received)
    with django_capture_on_commit_callbacks(execute=True):
        (suppressed,) = outbound.queue_notice(ticket, kind=DeliveryKind.NOTIFICATION)
    suppressed.refresh_from_db()
    assert suppressed.status == DeliveryStatus.SUPPRESSED
    assert len(mail_settings.received) == count
    # An acknowledgement answers what they just did: it is not a notification they opted out of.
    with django_capture_on_commit_callbacks(execute=True):
        (acknowledged,) = outbound.queue_notice(ticket, kind=DeliveryKind.ACKNOWLEDGEMENT)
    acknowledged.refresh_from_db()
    assert acknowledged.status == DeliveryStatus.SENT
    # Answers to their own request still reach them (and the people they copied in).
    answers = reply(django_capture_on_commit_callbacks, ticket, agent, "ご回答です。")
    assert {answer.status for answer in answers} == {DeliveryStatus.SENT}
    own = next(answer for answer in answers if answer.audience == DeliveryAudience.CUSTOMER)
    assert mail_settings.messages_to(CUSTOMER)[-1].message["Message-ID"] == own.rfc_message_id


def test_solving_without_a_word_tells_the_customer_in_a_notice_they_can_stop(
    mail_settings: SmtpPeer, customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = mailed_ticket(django_capture_on_commit_callbacks, cc=())
    with django_capture_on_commit_callbacks(execute=True):
        change_status(ticket=ticket, status=Status.SOLVED, by=agent)

    solved = mail_settings.received[-1].message
    (notice,) = Delivery.objects.filter(ticket=ticket, kind=DeliveryKind.SOLVED)
    assert solved["Message-ID"] == notice.rfc_message_id
    assert solved["Subject"] == f"[#{ticket.pk}] お問い合わせを解決済みにしました: 出金が届きません"
    assert solved["Auto-Submitted"] == "auto-generated"
    assert solved["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = parts(solved)["text/plain"]
    assert text.lstrip().startswith("あなたのフィッシング対策コード: SAKURA42")
    assert "このメールにそのまま返信してください" in text
    # Solving it again is no news; an answer that solves is the news itself.
    with django_capture_on_commit_callbacks(execute=True):
        change_status(ticket=ticket, status=Status.SOLVED, by=agent)
        add_agent_reply(ticket=ticket, body="解決しました。", by=agent, status=Status.SOLVED)
    assert Delivery.objects.filter(ticket=ticket, kind=DeliveryKind.SOLVED).count() == 1

    link = str(solved["List-Unsubscribe"]).strip().strip("<>")
    Client().post(link.removeprefix("https://help.tsukimi.example"))
    with django_capture_on_commit_callbacks(execute=True):
        change_status(ticket=ticket, status=Status.OPEN, by=agent)
        change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    latest = Delivery.objects.filter(ticket=ticket, kind=DeliveryKind.SOLVED).latest("id")
    assert latest.status == DeliveryStatus.SUPPRESSED


def test_a_temporary_refusal_is_tried_again_later_and_then_sent(
    mail_settings: SmtpPeer, customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = mailed_ticket(django_capture_on_commit_callbacks, cc=())
    mail_settings.refuse("450 4.2.1 Mailbox busy, try later", [CUSTOMER])

    (delivery,) = reply(django_capture_on_commit_callbacks, ticket, agent, "お待たせしました。")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("450 4.2.1 Mailbox busy")
    assert CUSTOMER not in delivery.last_error
    assert delivery.next_attempt_at is not None
    assert outbound.due_for_retry(timezone.now()) == []  # not yet

    mail_settings.accept()
    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert outbound.due_for_retry(later) == [delivery.pk]
    outbound.send(delivery.pk, now=later)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert mail_settings.messages_to(CUSTOMER)[-1].message["Message-ID"] == (
        delivery.rfc_message_id
    )


def test_a_permanent_refusal_fails_the_copy_and_says_so_on_the_ticket(
    mail_settings: SmtpPeer, customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = mailed_ticket(django_capture_on_commit_callbacks, cc=())
    mail_settings.refuse("550 5.1.1 <hanako@example.jp>: No such user", [CUSTOMER])

    (delivery,) = reply(django_capture_on_commit_callbacks, ticket, agent, "ご回答です。")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert delivery.last_error.startswith("550 5.1.1")
    assert CUSTOMER not in delivery.last_error
    event = ticket.events.get(kind=EventKind.DELIVERY_FAILED)
    assert event.data["delivery"] == delivery.pk
    assert CUSTOMER not in str(event.data)


def test_mail_waits_while_the_server_is_down_and_leaves_when_it_is_back(
    mail_settings: SmtpPeer, customer: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = mailed_ticket(django_capture_on_commit_callbacks, cc=())
    mail_settings.stop()

    (delivery,) = reply(django_capture_on_commit_callbacks, ticket, agent, "ご回答です。")

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.last_error == "ConnectionRefusedError"
    assert not ticket.events.filter(kind=EventKind.DELIVERY_FAILED).exists()

    mail_settings.start()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert tasks.retry_deliveries.call() == 1  # the worker's sweep

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [r.message["Message-ID"] for r in mail_settings.messages_to(CUSTOMER)][-1] == (
        delivery.rfc_message_id
    )
