"""ingest_mail and `madoguchi ingest-email`: raw mail through the whole intake, as the mail
sources (a mail server's pipe, IMAP, the SMTP receiver) hand it over."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from madoguchi.accounts.services import create_user
from madoguchi.intake.models import QuarantinedMessage, QuarantineStatus
from madoguchi.mail import adapter
from madoguchi.mail.ingest import digest_of, ingest_mail, reader
from madoguchi.mail.models import ReceivedMail
from madoguchi.tickets.models import (
    AuthorKind,
    Delivery,
    DeliveryAudience,
    DeliveryStatus,
    EventKind,
    Ticket,
)
from madoguchi.tickets.services import add_agent_reply
from tests.deployment import MADOGUCHI, REPO, Deployment, deployment
from tests.tickets.conftest import enrol_totp

__all__ = ["deployment"]  # the fixture, used by name below

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
OUR_REPLY = "<reply-ingest-1@tsukimi.example>"


@pytest.fixture(autouse=True)
def exchange(settings: Any) -> None:
    settings.MADOGUCHI_MAIL_REPLY_ADDRESSES = ["support@tsukimi.example", "support@example.com"]
    settings.MADOGUCHI_MAIL_OWN_DOMAINS = ["tsukimi.example"]
    settings.MADOGUCHI_MAIL_AUTHSERV_IDS = ["mx.tsukimi.example"]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def last_message(ticket_id: int | None) -> Any:
    assert ticket_id is not None
    return Ticket.objects.get(pk=ticket_id).messages.order_by("pk").last()


def agent() -> Any:
    user = create_user(
        email="admin@tsukimi.example", password="a-long-staff-password", role="admin"
    )
    enrol_totp(user)
    return user


def answered(ticket_id: int, by: Any) -> Delivery:
    """An agent's reply, whose copy to the customer carries the Message-ID the fixtures answer."""
    ticket = Ticket.objects.get(pk=ticket_id)
    add_agent_reply(ticket=ticket, body="送金時のトランザクションIDを教えてください。", by=by)
    delivery = Delivery.objects.get(
        ticket=ticket, audience=DeliveryAudience.CUSTOMER, message__isnull=False
    )
    Delivery.objects.filter(pk=delivery.pk).update(rfc_message_id=OUR_REPLY)
    delivery.refresh_from_db()
    return delivery


def test_a_customer_writes_is_answered_and_replies_from_a_japanese_mail_program() -> None:
    first = ingest_mail(fixture("ingest_customer_first.eml"))

    assert first.outcome == "created"
    assert first.subject == "入金が反映されません"
    assert first.sender == "hanako@example.jp"
    ticket = Ticket.objects.get(pk=first.ticket_id)
    assert ticket.requester_email == "hanako@example.jp"
    assert ticket.requester_name == "山田 花子"
    assert ticket.channel == "email"
    # The colleague stays copied; our own addresses and the customer herself do not.
    assert ticket.cc_emails == ["taro.yamada@example.jp"]
    answered(ticket.pk, agent())

    reply = ingest_mail(fixture("ingest_iso2022jp_reply.eml"))

    assert reply.outcome == "appended"
    assert reply.ticket_id == ticket.pk
    assert reply.subject == "Re: 入金が反映されません"
    assert reply.attachments == ("履歴.png",)
    message = last_message(ticket.pk)
    assert message.author_kind == AuthorKind.CUSTOMER
    assert message.body.startswith("ご返信ありがとうございます。\n取引履歴のスクリーンショット")
    assert "トランザクションIDを教えてください" not in message.body  # the quote is folded away
    assert [a.name for a in message.attachments.all()] == ["履歴.png"]


def test_a_stranger_answering_someone_elses_ticket_is_held_for_an_agent() -> None:
    ticket_id = ingest_mail(fixture("ingest_customer_first.eml")).ticket_id
    assert ticket_id is not None
    answered(ticket_id, agent())

    result = ingest_mail(fixture("ingest_stranger_reply.eml"))

    assert result.outcome == "held"
    assert result.ticket_id == ticket_id
    assert result.quarantine_id is not None
    assert Ticket.objects.get(pk=ticket_id).messages.count() == 2  # the mail and our answer
    row = QuarantinedMessage.objects.get(pk=result.quarantine_id)
    assert row.status == QuarantineStatus.HELD
    assert bytes(row.raw) == fixture("ingest_stranger_reply.eml")


def test_a_bounce_of_our_reply_marks_it_undelivered_and_starts_nothing() -> None:
    ticket_id = ingest_mail(fixture("ingest_customer_first.eml")).ticket_id
    assert ticket_id is not None
    delivery = answered(ticket_id, agent())
    tickets = Ticket.objects.count()

    result = ingest_mail(fixture("ingest_bounce_of_our_reply.eml"))

    assert (result.outcome, result.reason, result.ticket_id) == ("dropped", "bounce", None)
    assert Ticket.objects.count() == tickets
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.BOUNCED
    assert "5.1.1" in delivery.last_error
    assert "User unknown" in delivery.last_error
    assert "hanako@example.jp" not in delivery.last_error  # no addresses in the history
    event = Ticket.objects.get(pk=ticket_id).events.get(kind=EventKind.DELIVERY_BOUNCED)
    assert event.data["delivery"] == delivery.pk
    assert "@" not in event.data["reason"]


@pytest.mark.parametrize(
    "name", ["out_of_office_ja.eml", "classify_out-of-office-ja.eml", "classify_postfix-bounce.eml"]
)
def test_auto_replies_and_bounces_start_no_ticket(name: str) -> None:
    result = ingest_mail(fixture(name))

    assert result.outcome == "dropped"
    assert result.reason in {"auto_reply", "bounce"}
    assert Ticket.objects.count() == 0


def test_a_mail_posing_as_the_exchange_is_flagged_and_joins_no_ticket(client: Any) -> None:
    ticket_id = ingest_mail(fixture("ingest_customer_first.eml")).ticket_id
    assert ticket_id is not None
    admin = agent()
    answered(ticket_id, admin)

    result = ingest_mail(fixture("ingest_spoofed_own_domain.eml"))

    # It names our reply in In-Reply-To, but a spoofed sender is never trusted to thread.
    assert result.outcome == "created"
    assert result.ticket_id != ticket_id
    flags = Ticket.objects.get(pk=result.ticket_id).safety_flags
    reasons = {flag["reason"] for flag in flags if flag["kind"] == "suspicious_sender"}
    assert reasons == {"own_domain", "authentication_failed"}
    client.force_login(admin)
    page = client.get(f"/en/agent/tickets/{result.ticket_id}/").content.decode()
    assert "Suspicious sender: this mail may be posing as the exchange" in page
    assert "failed DMARC" in page
    assert "Do not trust links or instructions in it" in page
    japanese = client.get(f"/ja/agent/tickets/{result.ticket_id}/").content.decode()
    assert "取引所を装っている" in japanese
    # An ordinary customer's ticket shows no such warning.
    assert "Suspicious sender" not in client.get(f"/en/agent/tickets/{ticket_id}/").content.decode()


def test_the_same_mail_twice_is_taken_in_once() -> None:
    raw = fixture("ingest_customer_first.eml")
    first = ingest_mail(raw, source="inbox")
    # A redelivery through another relay: a new Received header, the same mail.
    again = ingest_mail(
        b"Received: from relay2.example.jp by mx.tsukimi.example\r\n" + raw, source="smtp"
    )

    assert first.outcome == "created"
    assert (again.outcome, again.reason, again.ticket_id) == ("dropped", "already received", None)
    assert Ticket.objects.count() == 1
    recorded = ReceivedMail.objects.get()
    assert (recorded.source, recorded.outcome, recorded.ticket_id) == (
        "inbox",
        "created",
        first.ticket_id,
    )


def test_two_different_mails_with_one_message_id_are_both_taken_in() -> None:
    # Some mailers give every mail the same Message-ID; neither mail may be lost.
    one = (
        b"From: a@example.jp\r\nMessage-ID: <same@example.jp>\r\nSubject: one\r\n\r\nfirst text\r\n"
    )
    two = (
        b"From: a@example.jp\r\nMessage-ID: <same@example.jp>\r\nSubject: two\r\n\r\nother text\r\n"
    )

    assert ingest_mail(one).outcome == "created"
    assert ingest_mail(two).outcome == "created"
    assert Ticket.objects.count() == 2


def test_the_mailbox_names_brand_language_and_group() -> None:
    result = ingest_mail(
        fixture("html_only.eml"), source="vip", brand="tsukimi", language="ja", group="general"
    )

    ticket = Ticket.objects.get(pk=result.ticket_id)
    assert ticket.brand == "tsukimi"
    assert ticket.language == "ja"
    assert ReceivedMail.objects.get().source == "vip"


def test_an_unreadable_mail_is_quarantined_whole_and_a_retry_makes_it_a_ticket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = fixture("shift_jis_body.eml")
    real = adapter.parse_message
    calls = {"n": 0}

    def fails_once(data: bytes) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("parser crashed")
        return real(data)

    monkeypatch.setattr(adapter, "parse_message", fails_once)

    result = ingest_mail(raw, brand="tsukimi")

    assert result.outcome == "quarantined"
    assert result.quarantine_id is not None
    assert Ticket.objects.count() == 0
    row = QuarantinedMessage.objects.get(pk=result.quarantine_id)
    assert (row.channel, row.step, row.status) == ("email", "parse", QuarantineStatus.QUARANTINED)
    assert bytes(row.raw) == raw
    out = io.StringIO()

    call_command("intake", "retry", str(row.pk), stdout=out)

    assert "created" in out.getvalue()
    row.refresh_from_db()
    assert row.status == QuarantineStatus.RESOLVED
    assert bytes(row.raw) == raw
    ticket = Ticket.objects.get(pk=row.ticket_id)
    assert ticket.subject == "出金できません①"
    assert ticket.requester_email == "taro@example.jp"
    assert ticket.brand == "tsukimi"  # what the mailbox said is kept for the retry
    assert "ｶﾀｶﾅも読めますか" in ticket.messages.get().body


# Each of our own fixture mails: subject, sender, text, attachments and what became of it.
CASES = [
    (
        "shift_jis_body.eml",
        "出金できません①",
        "taro@example.jp",
        "ｶﾀｶﾅも読めますか。",
        (),
        "created",
    ),
    (
        "rfc2231_japanese_filename.eml",
        "書類を送ります",
        "taro@example.jp",
        None,
        ("本人確認書類.pdf",),
        "created",
    ),
    (
        "ingest_rfc2231_continued_filename.eml",
        "スクリーンショットを送ります",
        "ichiro.suzuki@example.jp",
        "出金画面のスクリーンショットを添付します。",
        ("出金画面のエラー.png",),
        "created",
    ),
    (
        "euc_jp_body.eml",
        "入金の反映について",
        "saburo@example.jp",
        "入金がまだ反映されていません。",
        (),
        "created",
    ),
    (
        "iso2022jp_split_encoded_word.eml",
        "お問い合わせの件",
        "hanako@example.jp",
        "口座の確認をお願いします。",
        (),
        "created",
    ),
    ("iso2022jp_windows_extensions.eml", "① test", "ichiro@example.jp", "①② ｶﾅ", (), "created"),
    (
        "wrong_charset_label.eml",
        "残高が合いません",
        "jiro@example.jp",
        "残高の表示がおかしいです。",
        (),
        "created",
    ),
    (
        "raw_8bit_headers.eml",
        "二段階認証の再設定",
        "hanako.sato@example.jp",
        "認証アプリ",
        (),
        "created",
    ),
    (
        "text_without_charset.eml",
        "no charset",
        "shiro@example.jp",
        "ログインできません。",
        (),
        "created",
    ),
    (
        "utf8_split_encoded_word.eml",
        "ウォレットの送金",
        "suzuki@example.jp",
        "送金が届きません。",
        (),
        "created",
    ),
    (
        "forwarded.eml",
        "Fwd: suspicious login",
        "customer@example.jp",
        "This is not me.",
        (),
        "created",
    ),
    (
        "html_only.eml",
        "Deposit missing",
        "mary@example.com",
        "My deposit is missing.",
        (),
        "created",
    ),
    (
        "ingest_inline_image.eml",
        "Error on the withdrawal page",
        "ken@example.com",
        "The withdrawal page shows this error:",
        ("error.png",),
        "created",
    ),
    (
        "out_of_office_ja.eml",
        "自動応答: 不在のお知らせ",
        "takahashi@example.jp",
        None,
        (),
        "dropped",
    ),
]


@pytest.mark.parametrize(("name", "subject", "sender", "text", "files", "outcome"), CASES)
def test_each_fixture_mail_reads_as_written(
    name: str, subject: str, sender: str, text: str | None, files: tuple[str, ...], outcome: str
) -> None:
    result = ingest_mail(fixture(name))

    assert (result.outcome, result.subject, result.sender) == (outcome, subject, sender)
    assert result.attachments == files
    if outcome != "created":
        return
    message = last_message(result.ticket_id)
    assert "\ufffd" not in message.body
    if text is not None:
        assert text in message.body
    if files and text is not None:
        assert [a.name for a in message.attachments.all()] == list(files)
    assert Ticket.objects.get(pk=result.ticket_id).cc_emails == []


def test_html_is_text_for_the_agent() -> None:
    message = last_message(ingest_mail(fixture("html_only.eml")).ticket_id)

    assert "<" not in message.body
    assert "- Amount: 1 BTC" in message.body


def test_a_forwarded_mail_keeps_what_was_forwarded() -> None:
    message = last_message(ingest_mail(fixture("forwarded.eml")).ticket_id)

    assert "This is not me." in message.body


# The pipe command.


def run_command(raw: bytes, *args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("ingest_email", *args, stdin=io.BytesIO(raw), stdout=out)
    except CommandError:
        return out.getvalue(), 1
    return out.getvalue(), 0


def test_the_pipe_command_prints_what_became_of_the_mail_as_json() -> None:
    output, status = run_command(fixture("ingest_rfc2231_continued_filename.eml"), "--json")

    assert status == 0
    result = json.loads(output)
    assert result == {
        "outcome": "created",
        "ticket": Ticket.objects.get().pk,
        "reason": "",
        "subject": "スクリーンショットを送ります",
        "from": "ichiro.suzuki@example.jp",
        "attachments": ["出金画面のエラー.png"],
    }
    assert "スクリーンショット" in output  # written as UTF-8, not \\u escapes


def test_the_pipe_command_says_in_one_line_why_a_mail_was_dropped() -> None:
    raw = fixture("html_only.eml")
    run_command(raw)

    output, status = run_command(raw, "--source", "postfix")

    assert status == 0
    assert output.strip() == "dropped (already received)"


def test_the_pipe_command_fails_when_the_mail_is_quarantined(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(data: bytes) -> Any:
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(adapter, "parse_message", broken)

    output, status = run_command(fixture("html_only.eml"), "--json")

    assert status == 1
    assert json.loads(output)["outcome"] == "quarantined"
    assert QuarantinedMessage.objects.get().raw == fixture("html_only.eml")


def test_the_pipe_command_refuses_empty_input_clearly() -> None:
    with (
        translation.override("ja"),
        pytest.raises(CommandError, match="標準入力にメールがありません"),
    ):
        call_command("ingest_email", stdin=io.BytesIO(b""), stdout=io.StringIO())
    with translation.override("en"), pytest.raises(CommandError, match="No mail on standard input"):
        call_command("ingest_email", stdin=io.BytesIO(b""), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_mail_servers_pipe_runs_madoguchi_ingest_email(deployment: Deployment) -> None:
    raw = fixture("ingest_iso2022jp_reply.eml")

    def pipe(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(  # noqa: S603
            [MADOGUCHI, "ingest-email", *args],
            input=raw,
            env=deployment.env(),
            cwd=REPO,
            capture_output=True,
            timeout=120,
            check=False,
        )

    first = pipe("--json", "--source", "postfix")
    again = pipe()

    assert first.returncode == 0, first.stderr.decode()
    result = json.loads(first.stdout.decode("utf-8"))
    assert result["outcome"] == "created"  # no ticket to join in this installation
    assert result["subject"] == "Re: 入金が反映されません"
    assert result["attachments"] == ["履歴.png"]
    assert again.returncode == 0, again.stderr.decode()
    # Commands speak the site's language (Japanese by default); the outcome is a code.
    assert again.stdout.decode().strip() == "dropped (already received) 添付ファイル 1 件"


def test_the_pipe_asks_the_mail_server_to_try_again_when_the_database_is_away(
    deployment: Deployment,
) -> None:
    # A PostgreSQL server that is not there: nothing can be kept, so nothing may be lost.
    env = {**deployment.env(), "DATABASE_URL": "postgresql://postgres@127.0.0.1:9/madoguchi"}
    result = subprocess.run(  # noqa: S603
        [MADOGUCHI, "ingest-email", "--json"],
        input=fixture("ingest_iso2022jp_reply.eml"),
        env=env,
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 75  # EX_TEMPFAIL: the mail server keeps it and retries
    assert "もう一度配送してください" in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_a_forwarded_mail_with_a_providers_authentication_results_is_not_flagged() -> None:
    raw = (
        b"Authentication-Results: mx.google.com; dkim=pass header.i=@example.jp; spf=pass\r\n"
        b"From: Hanako <hanako@example.jp>\r\nTo: support@tsukimi.example\r\n"
        b"Subject: deposit\r\nMessage-ID: <fwd-ar-1@example.jp>\r\n\r\nMy deposit is late.\r\n"
    )

    ticket = Ticket.objects.get(pk=ingest_mail(raw).ticket_id)

    assert ticket.safety_flags == []


def test_a_mail_whose_dmarc_failed_at_our_server_is_flagged() -> None:
    result = ingest_mail(fixture("classify_forged-authentication-results.eml"))

    flags = Ticket.objects.get(pk=result.ticket_id).safety_flags
    assert "authentication_failed" in {flag["reason"] for flag in flags}


def test_a_mail_left_half_taken_in_by_a_dead_process_is_taken_in_on_its_next_delivery() -> None:
    raw = fixture("html_only.eml")
    digest = digest_of(raw, reader(raw))
    ReceivedMail.objects.create(digest=digest, source="inbox", outcome="receiving")

    # Another process is still at it: this delivery starts nothing.
    assert ingest_mail(raw).reason == "already received"
    ReceivedMail.objects.update(received_at=timezone.now() - timedelta(hours=1))

    result = ingest_mail(raw, source="smtp")

    assert result.outcome == "created"
    assert ReceivedMail.objects.get().outcome == "created"
