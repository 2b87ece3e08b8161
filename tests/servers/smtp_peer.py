"""A real SMTP peer for the tests: aiosmtpd on 127.0.0.1, keeping what it receives.

A pytest plugin (loaded by tests/conftest.py), so its fixtures are available in every test:

- `smtp_peer`: a running `SmtpPeer` on a free port of 127.0.0.1, stopped after the test.
  `peer.received` lists every accepted message as `Received(mail_from, rcpt_tos, data)`;
  `received[i].message` parses the bytes with the email package (policy.default).
- `smtp_outbound`: the same peer, with Django pointed at it (EMAIL_BACKEND smtp, EMAIL_HOST,
  EMAIL_PORT), so whatever the product sends over SMTP arrives in `peer.received`.

Making the peer misbehave, as a real mail server does:

- `peer.refuse(code, text, recipients=None)`: answer RCPT TO with `code` ("450 ..." temporary,
  "550 ..." permanent) for the given addresses (all of them when None), until `peer.accept()`.
- `peer.stop()` / `peer.start()`: the server goes away (connection refused) and comes back on
  the same port.
- `deliver`: a callback `deliver(Received)` run for each accepted message, e.g. to APPEND it
  into a Dovecot mailbox (`SmtpPeer(deliver=...)` or `smtp_peer.deliver = ...`). An exception
  it raises answers the client "451" (a temporary failure), like a server whose store failed.
"""

from __future__ import annotations

import email
import email.policy
import logging
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

__all__ = ["Received", "SmtpPeer", "smtp_outbound", "smtp_peer"]

# aiosmtpd logs every command at INFO: pages of noise under a failing test.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Received:
    """One message the peer accepted: the envelope and the bytes as they came."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Refusal:
    reply: str  # "550 5.1.1 No such user"
    recipients: frozenset[str] | None  # lower-cased; None: everybody


@dataclass
class _Handler:
    peer: SmtpPeer
    refusals: list[_Refusal] = field(default_factory=list)

    async def handle_RCPT(  # aiosmtpd names its hooks so
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        for refusal in self.refusals:
            if refusal.recipients is None or address.lower() in refusal.recipients:
                return refusal.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # aiosmtpd names its hooks so
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        if isinstance(content, str):
            content = content.encode()
        received = Received(
            mail_from=str(envelope.mail_from or ""),
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=bytes(content),
        )
        if self.peer.deliver is not None:
            try:
                self.peer.deliver(received)
            except Exception:  # any failure of the store is a 451 to the client
                return "451 4.3.0 Could not store the message"
        self.peer.received.append(received)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpPeer:
    """aiosmtpd on 127.0.0.1:`port` (a free one by default) that keeps what it receives."""

    host = "127.0.0.1"

    def __init__(
        self, *, port: int | None = None, deliver: Callable[[Received], Any] | None = None
    ) -> None:
        self.port = port or _free_port()
        self.deliver = deliver
        self.received: list[Received] = []
        self._handler = _Handler(self)
        self._controller: Controller | None = None

    def start(self) -> SmtpPeer:
        if self._controller is None:
            # decode_data=False keeps the bytes as sent; 8BITMIME/SMTPUTF8 are announced.
            self._controller = Controller(
                self._handler, hostname=self.host, port=self.port, enable_SMTPUTF8=True
            )
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def refuse(self, reply: str, recipients: Iterable[str] | None = None) -> None:
        """Answer RCPT TO with `reply` ("450 4.2.0 Mailbox busy", "550 5.1.1 No such user")
        for `recipients` (every recipient when None)."""
        wanted = None if recipients is None else frozenset(r.lower() for r in recipients)
        self._handler.refusals.append(_Refusal(reply, wanted))

    def accept(self) -> None:
        """Forget every refusal: accept all recipients again."""
        self._handler.refusals.clear()

    def messages_to(self, address: str) -> list[Received]:
        """What arrived for `address` (by envelope recipient)."""
        wanted = address.lower()
        return [item for item in self.received if wanted in (r.lower() for r in item.rcpt_tos)]


@pytest.fixture
def smtp_peer() -> Iterator[SmtpPeer]:
    """A running SMTP peer on a free port of 127.0.0.1, stopped after the test."""
    peer = SmtpPeer().start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def smtp_outbound(smtp_peer: SmtpPeer, settings: Any) -> SmtpPeer:
    """The SMTP peer, with Django's mail sent to it over real SMTP."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_peer.host
    settings.EMAIL_PORT = smtp_peer.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    return smtp_peer
