"""Reading support mailboxes from a real Dovecot: each mail taken in once, across receiver
restarts, server restarts, dropped connections, a changed UIDVALIDITY and thousands of mails;
IDLE wakes the receiver; each mailbox's brand, language and group reach the ticket."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import formatdate
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from madoguchi.mail.mailboxes import configured_mailboxes
from madoguchi.mail.models import MailboxCursor, ReceivedMail
from madoguchi.mail.receive import imap
from madoguchi.tickets.models import Ticket
from tests.servers.dovecot import DovecotServer, ImapAccount

SEEN = b"\\Seen"


def customer_mail(number: int, *, tag: str = "m", english: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = f"customer{number}-{tag}@example.jp"
    message["To"] = "support@madoguchi.example"
    message["Date"] = formatdate()
    message["Message-ID"] = f"<{tag}-{number}@mail.example.jp>"
    if english:
        message["Subject"] = f"My deposit has not arrived ({tag} {number})"
        message.set_content(f"I sent BTC yesterday and it is still not credited. ({number})")
    else:
        message["Subject"] = f"入金が反映されません（{tag} {number}）"
        message.set_content(f"昨日BTCを送金しましたが、まだ反映されていません。（{number}）")
    return message.as_bytes()


def receive_once(*args: str) -> str:
    out = StringIO()
    call_command("receive_imap", "--once", *args, stdout=out)
    return out.getvalue()


def subjects() -> list[str]:
    return sorted(Ticket.objects.values_list("subject", flat=True))


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    # A deadline for a test that would otherwise hang, not a measure of speed.
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def support(settings: Any, imap_account: ImapAccount) -> ImapAccount:
    """One configured mailbox, "support", reading the test's account."""
    settings.MADOGUCHI_MAILBOXES = [imap_account.mailbox_setting("support")]
    return imap_account


@pytest.fixture
def shared_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Watcher threads that can use the test's database.

    SQLite's test database lives in memory, where two connections lock each other's tables at
    once: on SQLite the watchers share the test's connection, as Django's live server thread
    does. PostgreSQL needs nothing (the tests using this are transactional)."""
    default = connections["default"]
    shared = default if default.vendor == "sqlite" else None
    if shared is None:
        yield
        return

    class SharingWatcher(imap.MailboxWatcher):
        def run(self) -> None:
            connections["default"] = shared
            super().run()

    # One connection holds one transaction at a time: the watchers take turns reading their
    # mailbox, the cursor's reads included (with connections of their own, as outside the
    # tests, they need not).
    turn = threading.Lock()
    read_new_mail = imap.read_new_mail

    def one_at_a_time(*args: Any, **kwargs: Any) -> Any:
        with turn:
            return read_new_mail(*args, **kwargs)

    shared.inc_thread_sharing()
    monkeypatch.setattr(imap, "MailboxWatcher", SharingWatcher)
    monkeypatch.setattr(imap, "read_new_mail", one_at_a_time)
    yield
    shared.dec_thread_sharing()


@pytest.fixture
def watching(
    support: ImapAccount, shared_database: None
) -> Iterator[Callable[..., imap.MailboxWatcher]]:
    """Start a watcher thread on the "support" mailbox; it is stopped and joined afterwards."""
    stop = threading.Event()
    started: list[imap.MailboxWatcher] = []

    def start(**options: Any) -> imap.MailboxWatcher:
        (mailbox,) = configured_mailboxes()
        watcher = imap.MailboxWatcher(mailbox, stop=stop, **options)
        watcher.start()
        started.append(watcher)
        return watcher

    yield start
    stop.set()
    for watcher in started:
        watcher.join(timeout=30)
        assert not watcher.is_alive(), "the watcher did not stop"


@pytest.mark.django_db
def test_mail_in_the_mailbox_is_taken_in_once_and_marked_read(
    dovecot: DovecotServer, support: ImapAccount
) -> None:
    for number in (1, 2, 3):
        dovecot.append(support.name, customer_mail(number))
    assert receive_once() == "support\t3\tcreated 3\n"
    assert subjects() == [f"入金が反映されません（m {n}）" for n in (1, 2, 3)]
    assert all(SEEN in flags for flags in dovecot.flags(support.name).values())
    # The receiver started again (cron's next run) takes in only what is new.
    assert receive_once() == "support\t0\t\n"
    dovecot.append(support.name, customer_mail(4))
    assert receive_once() == "support\t1\tcreated 1\n"
    assert Ticket.objects.count() == 4
    cursor = MailboxCursor.objects.get(mailbox="support")
    assert cursor.last_uid == 4
    assert cursor.uidvalidity == dovecot.uidvalidity(support.name)
    # The mail stays in the mailbox: reading it is not taking it away.
    assert len(dovecot.messages(support.name)) == 4


@pytest.mark.django_db
def test_a_mail_already_taken_in_before_a_crash_is_not_taken_in_again(
    dovecot: DovecotServer, support: ImapAccount
) -> None:
    # The same mail delivered twice (a crash after ingest, an operator's copy) starts one ticket.
    dovecot.append(support.name, customer_mail(1))
    dovecot.append(support.name, customer_mail(1))
    assert receive_once() == "support\t2\tcreated 1, dropped 1\n"
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_a_server_restart_in_the_middle_of_a_mailbox_loses_nothing_and_repeats_nothing(
    dovecot: DovecotServer, support: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot.append_many(support.name, [customer_mail(n) for n in range(1, 11)])
    real_ingest = imap.ingest_mail
    calls: list[int] = []

    def ingest_then_restart_the_server(raw: bytes, **options: Any) -> Any:
        calls.append(1)
        result = real_ingest(raw, **options)
        if len(calls) == 4:
            dovecot.restart()
        return result

    monkeypatch.setattr(imap, "ingest_mail", ingest_then_restart_the_server)
    (mailbox,) = configured_mailboxes()
    result = imap.read_once(mailbox, batch_size=3, sleep=lambda _seconds: None)
    assert result.fetched == 10
    assert result.outcomes == (("created", 10),)
    assert len(calls) == 10
    assert Ticket.objects.count() == 10
    assert ReceivedMail.objects.filter(source="support").count() == 10
    assert MailboxCursor.objects.get(mailbox="support").last_uid == 10


@pytest.mark.django_db
def test_a_changed_uidvalidity_rereads_the_folder_without_taking_anything_in_twice(
    dovecot: DovecotServer, support: ImapAccount, settings: Any
) -> None:
    settings.MADOGUCHI_MAILBOXES = [support.mailbox_setting("support", folder="Support")]
    dovecot.create_folder(support.name, "Support")
    for number in (1, 2, 3):
        dovecot.append(support.name, customer_mail(number), folder="Support")
    assert receive_once() == "support\t3\tcreated 3\n"
    # Someone tidies up, and the server loses its UIDs: mail 3 is now UID 1, and new mail 4
    # gets UID 2, below the 3 already read under the old UIDVALIDITY.
    dovecot.delete(support.name, [1, 2], folder="Support")
    new_uidvalidity = dovecot.renumber(support.name, "Support")
    assert dovecot.append(support.name, customer_mail(4), folder="Support") == 2
    assert receive_once() == "support\t2\tcreated 1, dropped 1\n"
    assert subjects() == [f"入金が反映されません（m {n}）" for n in (1, 2, 3, 4)]
    cursor = MailboxCursor.objects.get(mailbox="support")
    assert (cursor.uidvalidity, cursor.last_uid) == (new_uidvalidity, 2)


def out_of_office(number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"away{number}@example.jp"
    message["To"] = "support@madoguchi.example"
    message["Date"] = formatdate()
    message["Message-ID"] = f"<away-{number}@mail.example.jp>"
    message["Subject"] = "自動応答: 不在のお知らせ"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(f"ただいま不在にしております。（{number}）")
    return message.as_bytes()


@pytest.mark.django_db
def test_a_mailbox_of_thousands_of_mails_is_taken_in_whole(
    dovecot: DovecotServer, support: ImapAccount
) -> None:
    # Mostly out-of-office replies (taken in, starting no ticket) so that the test spends its
    # time on IMAP rather than on opening 3000 tickets; every 100th is a customer's question.
    mails = (
        customer_mail(n, tag="bulk") if n % 100 == 0 else out_of_office(n) for n in range(1, 3001)
    )
    dovecot.append_many(support.name, mails)
    assert receive_once() == "support\t3000\tcreated 30, dropped 2970\n"
    assert Ticket.objects.count() == 30
    assert ReceivedMail.objects.filter(source="support").count() == 3000
    assert MailboxCursor.objects.get(mailbox="support").last_uid == 3000
    assert receive_once() == "support\t0\t\n"


@pytest.mark.django_db(transaction=True)
def test_idle_wakes_the_receiver_when_mail_arrives(
    dovecot: DovecotServer, support: ImapAccount, watching: Callable[..., imap.MailboxWatcher]
) -> None:
    # Polling once an hour: only IDLE can bring the mail in during the test.
    watcher = watching(poll_seconds=3600)
    wait_until(lambda: watcher.passes >= 1, "the first look at the mailbox")
    dovecot.append(support.name, customer_mail(1))
    wait_until(lambda: Ticket.objects.count() == 1, "the mail to become a ticket")
    dovecot.append(support.name, customer_mail(2))
    wait_until(lambda: Ticket.objects.count() == 2, "the second mail")
    assert watcher.connections == 1


@pytest.mark.django_db(transaction=True)
def test_idle_is_renewed_before_the_server_would_end_it(
    dovecot: DovecotServer, support: ImapAccount, watching: Callable[..., imap.MailboxWatcher]
) -> None:
    # RFC 2177: servers may end an IDLE after 30 minutes; here it is renewed every 0.3 s.
    watcher = watching(poll_seconds=3600, idle_renew_seconds=0.3)
    wait_until(lambda: watcher.passes >= 4, "IDLE to be renewed three times")
    dovecot.append(support.name, customer_mail(1))
    wait_until(lambda: Ticket.objects.count() == 1, "the mail to become a ticket")
    assert watcher.connections == 1


@pytest.mark.django_db(transaction=True)
def test_without_idle_the_receiver_polls(
    dovecot: DovecotServer, support: ImapAccount, watching: Callable[..., imap.MailboxWatcher]
) -> None:
    watcher = watching(use_idle=False, poll_seconds=0.2)
    wait_until(lambda: watcher.passes >= 1, "the first look at the mailbox")
    dovecot.append(support.name, customer_mail(1))
    wait_until(lambda: Ticket.objects.count() == 1, "the mail to become a ticket")


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_or_a_server_restart_is_followed_by_a_reconnect(
    dovecot: DovecotServer, support: ImapAccount, watching: Callable[..., imap.MailboxWatcher]
) -> None:
    watcher = watching(poll_seconds=3600)
    dovecot.append(support.name, customer_mail(1))
    wait_until(lambda: Ticket.objects.count() == 1, "the first mail")
    dovecot.kick(support.name)
    # Mail that arrives while the receiver is away is there when it is back.
    dovecot.append(support.name, customer_mail(2))
    wait_until(lambda: Ticket.objects.count() == 2, "the mail sent during the disconnection")
    dovecot.restart()
    dovecot.append(support.name, customer_mail(3))
    wait_until(lambda: Ticket.objects.count() == 3, "the mail sent during the server restart")
    assert watcher.connections >= 2
    assert ReceivedMail.objects.count() == 3


@pytest.mark.django_db
def test_each_mailbox_gives_its_tickets_its_brand_language_and_group(
    dovecot: DovecotServer, settings: Any
) -> None:
    japan = dovecot.add_user("japan-desk", "japan-desk-password")
    global_ = dovecot.add_user("global-desk", "global-desk-password")
    settings.MADOGUCHI_BRANDS = {"tsukimi": {"name": "Tsukimi"}, "global": {"name": "Global"}}
    settings.MADOGUCHI_MAILBOXES = [
        japan.mailbox_setting("japan", brand="tsukimi", language="ja", group="payments"),
        global_.mailbox_setting("global", brand="global", language="en", group="general"),
    ]
    # Each in the other desk's language: the mailbox's language wins over a guess from the text.
    dovecot.append(japan.name, customer_mail(1, tag="jp", english=True))
    dovecot.append(global_.name, customer_mail(2, tag="gl"))
    assert receive_once("--mailbox", "global") == "global\t1\tcreated 1\n"
    assert receive_once() == "japan\t1\tcreated 1\nglobal\t0\t\n"
    rows = Ticket.objects.order_by("pk").values_list("brand", "language", "group__slug")
    assert list(rows) == [("global", "en", "general"), ("tsukimi", "ja", "payments")]


@pytest.mark.django_db(transaction=True)
def test_the_receiver_reads_every_mailbox_until_it_is_told_to_stop(
    dovecot: DovecotServer, settings: Any, shared_database: None
) -> None:
    first = dovecot.add_user("first-desk", "first-desk-password")
    second = dovecot.add_user("second-desk", "second-desk-password")
    settings.MADOGUCHI_MAILBOXES = [
        first.mailbox_setting("first"),
        second.mailbox_setting("second"),
    ]
    dovecot.append(first.name, customer_mail(1, tag="first"))
    dovecot.append(second.name, customer_mail(2, tag="second"))

    def all_read() -> bool:
        # \Seen is set once the mail is stored: no need to ask the database from this thread.
        return all(
            SEEN in flags
            for user in (first.name, second.name)
            for flags in dovecot.flags(user).values()
        )

    def stop_when_read() -> None:
        with contextlib.suppress(AssertionError):
            wait_until(all_read, "both mailboxes to be read")
        os.kill(os.getpid(), signal.SIGTERM)

    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    stopper = threading.Thread(target=stop_when_read)
    try:
        stopper.start()
        call_command("receive_imap", "--poll", "0.5", stdout=StringIO())
    finally:
        stopper.join()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "入金が反映されません（first 1）",
        "入金が反映されません（second 2）",
    ]


@pytest.mark.django_db
def test_a_refused_login_or_an_unreachable_server_is_reported_and_fails_the_run(
    dovecot: DovecotServer,
    imap_account: ImapAccount,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.MADOGUCHI_MAILBOXES = [
        {**imap_account.mailbox_setting("wrong-password"), "password": "not-the-password"},
        {**imap_account.mailbox_setting("nobody-home"), "port": 1},
        imap_account.mailbox_setting("fine"),
    ]
    dovecot.append(imap_account.name, customer_mail(1))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="wrong-password, nobody-home"):
        call_command("receive_imap", "--once", stdout=out, stderr=err)
    assert "fine\t1\tcreated 1" in out.getvalue()
    for text in (err.getvalue(), out.getvalue(), caplog.text):
        assert "not-the-password" not in text
        assert imap_account.password not in text
    assert Ticket.objects.count() == 1


def test_a_mailbox_the_settings_do_not_name_is_a_clear_error(settings: Any) -> None:
    settings.MADOGUCHI_MAILBOXES = []
    with pytest.raises(CommandError, match="MADOGUCHI_MAILBOXES"):
        call_command("receive_imap", "--once")
    settings.MADOGUCHI_MAILBOXES = [{"name": "a", "host": "h", "username": "u", "password": "p"}]
    with pytest.raises(CommandError, match="missing"):
        call_command("receive_imap", "--once", "--mailbox", "missing")
