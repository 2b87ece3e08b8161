"""Reading the support mailboxes over IMAP (RFC 3501), each mail taken in once.

For each mailbox of MADOGUCHI_MAILBOXES, a `MailboxCursor` remembers the folder's UIDVALIDITY
and the last UID taken in. Mail above that UID is fetched without marking it read
(`BODY.PEEK[]`), handed to `ingest_mail`, and the cursor moves on in the same database
transaction as the ticket it started: after a crash either both happened or neither did, so
nothing is read twice or lost. Mail taken in is then marked \\Seen for the people who look at
the mailbox. When the server changes UIDVALIDITY (RFC 3501 §2.3.1.1) every UID changes meaning:
the folder is read again from the start, and `ingest_mail` recognises the mail it already took
in by its Message-ID.

`MailboxWatcher` keeps reading one mailbox: it waits in IDLE (RFC 2177) when the server offers
it, renewed before the 30-minute limit servers may enforce, or polls; it reconnects with
backoff when the connection drops.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import close_old_connections, connections, transaction
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from madoguchi.mail.ingest import ingest_mail
from madoguchi.mail.mailboxes import Mailbox
from madoguchi.mail.models import MailboxCursor

__all__ = [
    "ConnectionLost",
    "MailboxWatcher",
    "PassResult",
    "read_new_mail",
    "read_once",
    "watch_mailboxes",
]

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# RFC 2177: a server may log out a client idle for 30 minutes; renew well before.
IDLE_RENEW_SECONDS = 25 * 60
DEFAULT_POLL_SECONDS = 60.0
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
CONNECT_TIMEOUT = 30.0
SEEN = b"\\Seen"

# What a lost or refused connection looks like from imapclient.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    imaplib.IMAP4.abort,
    imaplib.IMAP4.error,
    OSError,
    socket.timeout,
    ssl.SSLError,
    EOFError,
)


class ConnectionLost(Exception):
    """The server went away (or said BYE) while a mailbox was being read."""


RECONNECT_ON: tuple[type[BaseException], ...] = (ConnectionLost, *CONNECTION_ERRORS)


@dataclass(frozen=True, slots=True)
class PassResult:
    """One pass over a mailbox: how many mails were fetched and what became of them."""

    fetched: int = 0
    outcomes: tuple[tuple[str, int], ...] = ()
    reread: bool = False
    # The folder's UIDNEXT when the pass began: a later one means mail arrived meanwhile.
    uidnext: int = 0

    def count(self, outcome: str) -> int:
        return dict(self.outcomes).get(outcome, 0)


def connect(mailbox: Mailbox, *, timeout: float = CONNECT_TIMEOUT) -> IMAPClient:
    """A logged-in connection to `mailbox`'s server (TLS when `ssl`, certificates checked)."""
    context = ssl.create_default_context() if mailbox.ssl else None
    client = IMAPClient(
        mailbox.host, mailbox.port, ssl=mailbox.ssl, ssl_context=context, timeout=timeout
    )
    try:
        client.login(mailbox.username, mailbox.password)
    except BaseException:
        _close(client)
        raise
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        # Already gone: closing the socket is all that is left.
        with contextlib.suppress(Exception):
            client.shutdown()


def _cursor_for(mailbox: Mailbox, uidvalidity: int) -> tuple[MailboxCursor, bool]:
    """The mailbox's cursor, reset to the start when the server's UIDVALIDITY is not the one
    its UIDs were counted under. True when it was reset."""
    cursor, _created = MailboxCursor.objects.get_or_create(mailbox=mailbox.name)
    if cursor.uidvalidity == uidvalidity:
        return cursor, False
    reread = cursor.uidvalidity is not None
    if reread:
        logger.warning(
            "mailbox %s: UIDVALIDITY changed from %s to %s; reading the folder again",
            mailbox.name,
            cursor.uidvalidity,
            uidvalidity,
        )
    cursor.uidvalidity = uidvalidity
    cursor.last_uid = 0
    cursor.save(update_fields=["uidvalidity", "last_uid", "updated_at"])
    return cursor, reread


def _new_uids(client: IMAPClient, last_uid: int) -> list[int]:
    # "n:*" always matches the highest UID, even one below n (RFC 3501 §6.4.8), hence the filter.
    found = client.search(["UID", f"{last_uid + 1}:*"])
    return sorted(uid for uid in found if uid > last_uid)


def _take_in(mailbox: Mailbox, cursor: MailboxCursor, uid: int, raw: bytes) -> str:
    """Ingest one mail and move the cursor past it, in one transaction."""
    with transaction.atomic():
        result = ingest_mail(
            raw,
            source=mailbox.name,
            brand=mailbox.brand,
            language=mailbox.language,
            group=mailbox.group,
        )
        MailboxCursor.objects.filter(pk=cursor.pk).update(last_uid=uid)
    cursor.last_uid = uid
    return result.outcome


def read_new_mail(
    client: IMAPClient,
    mailbox: Mailbox,
    *,
    batch_size: int = BATCH_SIZE,
    mark_seen: bool = True,
    stop: threading.Event | None = None,
) -> PassResult:
    """Take in every mail of the folder above the cursor, over an open connection."""
    info = client.select_folder(mailbox.folder)
    uidvalidity = int(info[b"UIDVALIDITY"])
    cursor, reread = _cursor_for(mailbox, uidvalidity)
    uids = _new_uids(client, cursor.last_uid)
    outcomes: dict[str, int] = {}
    fetched = 0
    for start in range(0, len(uids), batch_size):
        if stop is not None and stop.is_set():
            break
        batch = uids[start : start + batch_size]
        data = client.fetch(batch, ["BODY.PEEK[]"])
        taken: list[int] = []
        for uid in batch:
            item = data.get(uid)
            if item is None:
                # Expunged between SEARCH and FETCH: nothing to take in under this UID.
                continue
            outcome = _take_in(mailbox, cursor, uid, item[b"BODY[]"])
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            fetched += 1
            taken.append(uid)
        if mark_seen and taken:
            client.add_flags(taken, [SEEN], silent=True)
    if fetched:
        logger.info("mailbox %s: %d mails taken in %s", mailbox.name, fetched, dict(outcomes))
    return PassResult(
        fetched=fetched,
        outcomes=tuple(sorted(outcomes.items())),
        reread=reread,
        uidnext=int(info.get(b"UIDNEXT", 0)),
    )


def read_once(
    mailbox: Mailbox,
    *,
    batch_size: int = BATCH_SIZE,
    attempts: int = 3,
    sleep: Callable[[float], object] = time.sleep,
) -> PassResult:
    """Connect, take in what is there and log out; a lost connection is tried again (up to
    `attempts` connections in all), continuing from the cursor."""
    fetched = 0
    outcomes: dict[str, int] = {}
    reread = False
    delay = BACKOFF_FIRST
    for attempt in range(1, attempts + 1):
        try:
            client = connect(mailbox)
            try:
                result = read_new_mail(client, mailbox, batch_size=batch_size)
            finally:
                _close(client)
        except LoginError:
            raise
        except CONNECTION_ERRORS as error:
            if attempt == attempts:
                raise ConnectionLost(type(error).__name__) from error
            logger.warning(
                "mailbox %s: connection lost (%s); trying again in %.0fs",
                mailbox.name,
                type(error).__name__,
                delay,
            )
            sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)
            continue
        fetched += result.fetched
        reread = reread or result.reread
        for outcome, count in result.outcomes:
            outcomes[outcome] = outcomes.get(outcome, 0) + count
        break
    return PassResult(fetched=fetched, outcomes=tuple(sorted(outcomes.items())), reread=reread)


class MailboxWatcher(threading.Thread):
    """Reads one mailbox until `stop` is set: IDLE when the server has it, else a poll every
    `poll_seconds`; reconnects with backoff (1s doubling to 60s) when the connection drops."""

    def __init__(
        self,
        mailbox: Mailbox,
        *,
        stop: threading.Event,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        use_idle: bool = True,
        idle_renew_seconds: float = IDLE_RENEW_SECONDS,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        super().__init__(name=f"imap-{mailbox.name}", daemon=True)
        self.mailbox = mailbox
        self.stop = stop
        self.poll_seconds = poll_seconds
        self.use_idle = use_idle
        self.idle_renew_seconds = idle_renew_seconds
        self.batch_size = batch_size
        self.passes = 0
        self.connections = 0

    def run(self) -> None:
        delay = BACKOFF_FIRST
        try:
            while not self.stop.is_set():
                passes = self.passes
                try:
                    self._session()
                except LoginError:
                    logger.error("mailbox %s: the server refused the login", self.mailbox.name)
                    delay = max(delay, BACKOFF_MAX / 2)
                except RECONNECT_ON as error:
                    logger.warning(
                        "mailbox %s: connection lost or refused (%s); reconnecting",
                        self.mailbox.name,
                        type(error).__name__,
                    )
                except Exception as error:
                    # A database outage, say: the cursor did not move, so the mail is read
                    # again after the pause. The type only: the text may quote the mail.
                    logger.error(
                        "mailbox %s: taking mail in failed (%s); trying again",
                        self.mailbox.name,
                        type(error).__name__,
                    )
                if self.passes > passes:
                    # The connection worked before it was lost: start the backoff again.
                    delay = BACKOFF_FIRST
                if self.stop.wait(delay):
                    break
                delay = min(delay * 2, BACKOFF_MAX)
        finally:
            connections.close_all()

    def _session(self) -> None:
        """One connection: read, then wait for more, until stopped or the connection drops."""
        client = connect(self.mailbox)
        self.connections += 1
        try:
            idle = self.use_idle and b"IDLE" in client.capabilities()
            while not self.stop.is_set():
                close_old_connections()
                result = read_new_mail(
                    client, self.mailbox, batch_size=self.batch_size, stop=self.stop
                )
                self.passes += 1
                if idle:
                    if not self._arrived_since(client, result.uidnext):
                        self._idle(client)
                elif self.stop.wait(self.poll_seconds):
                    break
        finally:
            _close(client)

    def _arrived_since(self, client: IMAPClient, uidnext: int) -> bool:
        """Whether mail arrived during the pass. The server announces new mail once, and an
        announcement that came with the pass's own commands is not repeated in IDLE."""
        status = client.folder_status(self.mailbox.folder, [b"UIDNEXT"])
        return int(status[b"UIDNEXT"]) != uidnext

    def _idle(self, client: IMAPClient) -> None:
        """Wait in IDLE until the server tells of new mail, the renewal time, or a stop."""
        client.idle()
        deadline = time.monotonic() + self.idle_renew_seconds
        try:
            while not self.stop.is_set() and time.monotonic() < deadline:
                responses = client.idle_check(timeout=1.0)
                if _said_bye(responses):
                    raise ConnectionLost("BYE")
                if any(_is_new_mail(response) for response in responses):
                    break
            client.idle_done()
        except CONNECTION_ERRORS as error:
            raise ConnectionLost(type(error).__name__) from error


def _said_bye(responses: Sequence[object]) -> bool:
    return any(
        isinstance(response, tuple) and response and response[0] == b"BYE" for response in responses
    )


def _is_new_mail(response: object) -> bool:
    return (
        isinstance(response, tuple) and len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")
    )


def watch_mailboxes(
    mailboxes: Iterable[Mailbox],
    *,
    stop: threading.Event,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
    use_idle: bool = True,
) -> list[MailboxWatcher]:
    """One started watcher thread a mailbox; set `stop` and join them to end."""
    watchers = [
        MailboxWatcher(mailbox, stop=stop, poll_seconds=poll_seconds, use_idle=use_idle)
        for mailbox in mailboxes
    ]
    for watcher in watchers:
        watcher.start()
    return watchers
