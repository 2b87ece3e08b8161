"""Direct SMTP delivery into madoguchi: an aiosmtpd server that accepts mail for the support
addresses only and hands each message to `madoguchi.mail.ingest.ingest_mail`.

The receiver is the mail's final destination, never a relay: a recipient that is not one of
MADOGUCHI_MAIL_REPLY_ADDRESSES (or its per-ticket `local+<token>@domain` form) is refused at
RCPT. A message is answered 250 only once ingest has kept it (as a ticket, a reply, a dropped
auto-reply or in the quarantine); anything unexpected is answered 451, so the sending server
keeps the mail and tries again (RFC 5321 §4.2.5): no mail is lost.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import connections, transaction

from madoguchi.mail.ingest import IngestResult, ingest_mail

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "Recipients",
    "SessionLimit",
    "SmtpReceiver",
    "SupportMailHandler",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_SESSIONS = 50
DEFAULT_MAX_SESSIONS_PER_CLIENT = 10
DEFAULT_WORKERS = 4
# A sender waits up to 10 minutes for the reply to the final dot (RFC 5321 §4.5.3.2.6); a
# session idle for 5 minutes between commands is closed (§4.5.3.2.7).
SESSION_TIMEOUT_SECONDS = 300
SOURCE = "smtp"

ACCEPTED = "250 2.1.5 OK"
STORED = "250 2.0.0 OK: message kept"
NO_SUCH_MAILBOX = "550 5.1.1 No such mailbox here"
NOT_A_RELAY = "550 5.7.1 Relaying denied: this server takes mail for its own addresses only"
TRY_LATER = "451 4.3.0 Local error; the message was not kept, please try again later"
TOO_BUSY = "421 4.7.0 Too many connections; please try again later"


def _split(address: str) -> tuple[str, str]:
    local, _at, domain = address.strip().strip("<>").rpartition("@")
    return local, domain.strip().rstrip(".").lower()


@dataclass(frozen=True)
class Recipients:
    """The addresses this receiver takes mail for: each support address, with or without a
    `+token` (RFC 5233 subaddress), compared without case as most servers do (RFC 5321 §2.4
    allows it). `brands` maps a support address to the brand (MADOGUCHI_BRANDS) it is
    the `from_email` of."""

    addresses: frozenset[tuple[str, str]]
    brands: Mapping[tuple[str, str], str]

    @classmethod
    def of(cls, addresses: Iterable[str], brands: Mapping[str, Any] | None = None) -> Recipients:
        ours = {(local.lower(), domain) for local, domain in map(_split, addresses) if local}
        by_address: dict[tuple[str, str], str] = {}
        for key, brand in (brands or {}).items():
            if isinstance(brand, Mapping) and brand.get("from_email"):
                local, domain = _split(str(brand["from_email"]))
                if (local.lower(), domain) in ours:
                    by_address[(local.lower(), domain)] = str(key)
        return cls(frozenset(ours), by_address)

    @classmethod
    def from_settings(cls) -> Recipients:
        brands = settings.MADOGUCHI_BRANDS
        return cls.of(
            settings.MADOGUCHI_MAIL_REPLY_ADDRESSES,
            brands if isinstance(brands, Mapping) else None,
        )

    def _base(self, address: str) -> tuple[str, str]:
        local, domain = _split(address)
        return local.partition("+")[0].lower(), domain

    def refusal(self, address: str) -> str | None:
        """The reply refusing `address`, or None when it is ours."""
        base = self._base(address)
        if base in self.addresses:
            return None
        if base[1] in {domain for _local, domain in self.addresses}:
            return NO_SUCH_MAILBOX
        return NOT_A_RELAY

    def brand(self, addresses: Iterable[str]) -> str:
        """The brand of the first recipient that is a brand's own address; "" for none."""
        for address in addresses:
            brand = self.brands.get(self._base(address))
            if brand:
                return brand
        return ""


class SessionLimit:
    """Open sessions, in all and per client IP address; touched on the event loop only."""

    def __init__(self, total: int, per_client: int) -> None:
        self.total = total
        self.per_client = per_client
        self._open: Counter[str] = Counter()

    def enter(self, client: str) -> bool:
        if sum(self._open.values()) >= self.total or self._open[client] >= self.per_client:
            return False
        self._open[client] += 1
        return True

    def leave(self, client: str) -> None:
        self._open[client] -= 1
        if self._open[client] <= 0:
            del self._open[client]


def _header_safe(value: str) -> str:
    """An envelope value fit for a header line: no line breaks or control characters."""
    return "".join(ch if ch >= " " and ch != "\x7f" else "?" for ch in value)[:320]


def envelope_headers(mail_from: str, recipients: Iterable[str]) -> bytes:
    """Return-Path and Delivered-To, as the final delivery adds them (RFC 5321 §4.4): the null
    sender `<>` marks a bounce, and a per-ticket address given only in the envelope (a Bcc)
    still threads the reply. No Received line with a date: the same delivery retried must give
    the same bytes, which is how ingest recognises a mail without a Message-ID."""
    sender = "" if mail_from in ("", "<>") else mail_from
    lines = [f"Return-Path: <{_header_safe(sender)}>"]
    lines += [f"Delivered-To: {_header_safe(address)}" for address in dict.fromkeys(recipients)]
    return "".join(f"{line}\r\n" for line in lines).encode("utf-8", "surrogateescape")


def _ingest_in_thread(ingest: Callable[..., IngestResult], raw: bytes, brand: str) -> IngestResult:
    try:
        # All or nothing: when ingest fails half-way (the database goes away), nothing of this
        # attempt stays, not even ingest's claim on the mail, so the sender's retry after our
        # 451 is taken in rather than dropped as "already received".
        with transaction.atomic():
            return ingest(raw, source=SOURCE, brand=brand)
    finally:
        # A worker thread of the receiver's pool is not a request: nothing else closes its
        # connection, and an open one would outlive the receiver (and block dropping a test
        # database on PostgreSQL).
        connections.close_all()


class SupportMailHandler:
    """aiosmtpd's handler: RCPT for our addresses only; DATA into ingest, off the event loop."""

    def __init__(
        self,
        *,
        recipients: Recipients | None = None,
        workers: int = DEFAULT_WORKERS,
        ingest: Callable[..., IngestResult] | None = None,
    ) -> None:
        self.recipients = recipients or Recipients.from_settings()
        self._ingest = ingest
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smtp-ingest")
        self._busy = 0
        self._idle = threading.Condition()

    async def handle_RCPT(  # aiosmtpd names its hooks so
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = self.recipients.refusal(address)
        if refusal is not None:
            return refusal
        if address not in envelope.rcpt_tos:
            envelope.rcpt_tos.append(address)
        return ACCEPTED

    async def handle_DATA(  # aiosmtpd names its hooks so
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        raw = envelope_headers(str(envelope.mail_from or ""), envelope.rcpt_tos) + bytes(content)
        brand = self.recipients.brand(envelope.rcpt_tos)
        ingest = self._ingest or ingest_mail
        with self._idle:
            self._busy += 1
        try:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self._pool, _ingest_in_thread, ingest, raw, brand)
        except Exception as error:
            # The type only: an error's text may quote the mail's headers.
            logger.error("SMTP delivery not kept, answered 451 (%s)", type(error).__name__)
            return TRY_LATER
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()
        logger.info("SMTP delivery kept: %s", result.outcome)
        return STORED

    async def handle_exception(self, error: Exception) -> str:
        logger.error("SMTP session error (%s)", type(error).__name__)
        return TRY_LATER

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no message is being ingested; False when `timeout` passed first."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class _SupportSMTP(SMTP):
    """aiosmtpd's SMTP session with a cap on open sessions."""

    # Lines longer than RFC 5322's 998 characters are common in real mail (HTML on one line);
    # refusing them with a permanent 500 would bounce the mail, so only the size limit counts.
    line_length_limit = 1024 * 1024

    def __init__(self, handler: Any, *, sessions: SessionLimit, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._sessions = sessions

    async def _handle_client(self) -> None:
        peer = self.session.peer if self.session is not None else None
        client = str(peer[0]) if isinstance(peer, tuple) and peer else ""
        if not self._sessions.enter(client):
            await self.push(TOO_BUSY)
            if self.transport is not None:
                self.transport.close()
            return
        try:
            await super()._handle_client()
        finally:
            self._sessions.leave(client)


class SmtpReceiver(Controller):
    """The SMTP receiver, running its event loop in a thread: `start()`, then `stop()`.

    `port=0` takes a free port; `port` says which one once started.
    """

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        handler: SupportMailHandler | None = None,
        max_message_bytes: int | None = None,
        max_sessions: int | None = None,
        max_sessions_per_client: int | None = None,
    ) -> None:
        def configured(value: int | None, name: str, default: int) -> int:
            return int(value if value is not None else getattr(settings, name, default))

        self.handler: SupportMailHandler = handler or SupportMailHandler()
        self.sessions = SessionLimit(
            configured(max_sessions, "MADOGUCHI_SMTP_RECEIVER_MAX_SESSIONS", DEFAULT_MAX_SESSIONS),
            configured(
                max_sessions_per_client,
                "MADOGUCHI_SMTP_RECEIVER_MAX_SESSIONS_PER_CLIENT",
                DEFAULT_MAX_SESSIONS_PER_CLIENT,
            ),
        )
        super().__init__(
            self.handler,
            hostname=host if host is not None else settings.MADOGUCHI_SMTP_RECEIVER_HOST,
            port=port if port is not None else settings.MADOGUCHI_SMTP_RECEIVER_PORT,
            # The host's own name, without a DNS lookup (socket.getfqdn can stall start-up).
            server_hostname=socket.gethostname(),
            data_size_limit=configured(
                max_message_bytes,
                "MADOGUCHI_SMTP_RECEIVER_MAX_MESSAGE_BYTES",
                DEFAULT_MAX_MESSAGE_BYTES,
            ),
            enable_SMTPUTF8=True,
            timeout=SESSION_TIMEOUT_SECONDS,
        )

    def factory(self) -> SMTP:
        return _SupportSMTP(self.handler, sessions=self.sessions, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        sockets = getattr(self.server, "sockets", None)
        if not self.port and sockets:
            self.port = int(sockets[0].getsockname()[1])
        super()._trigger_server()

    def start(self) -> None:
        # aiosmtpd logs every command line, addresses included, at INFO: personal data.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        super().start()

    def stop(self, no_assert: bool = False, *, drain_seconds: float = 30.0) -> None:
        """Stop taking connections, let the messages being ingested finish (up to
        `drain_seconds`), then close every session."""
        server = self.server
        if server is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(server.close)
        if not self.handler.wait_idle(drain_seconds):
            logger.warning("SMTP receiver stopped with messages still being ingested")
        super().stop(no_assert=no_assert)
        self.handler.close()
