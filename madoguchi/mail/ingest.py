"""One raw mail into intake: what every mail source (the pipe command, IMAP, the SMTP receiver)
calls, so that they all take mail in the same way.

No mail is lost: a mail the adapter cannot read is kept whole in intake's quarantine, and
intake quarantines whatever fails later. No mail is taken in twice: each one is remembered by
a digest of its Message-ID and sender (`ReceivedMail`), so an IMAP reread or an SMTP redelivery
is dropped. A bounce of one of our replies marks that reply undelivered on its ticket.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from madoguchi.intake import quarantine
from madoguchi.intake.inbound import InboundMessage
from madoguchi.intake.pipeline import receive
from madoguchi.mail.adapter import CHANNEL, MailReading, read_mail
from madoguchi.mail.classify import Automation, MailKind
from madoguchi.mail.models import ReceivedMail
from madoguchi.tickets import outbound

__all__ = ["IngestResult", "digest_of", "ingest_mail", "reader"]

logger = logging.getLogger(__name__)

# A mail being taken in is claimed first; a claim this old was left by a process that died
# on the way, and the next delivery of the mail takes it over.
RECEIVING = "receiving"
STALE_CLAIM = timedelta(minutes=10)
ADDRESS = re.compile(r"<?[^\s<>\"'(),;:@]+@[^\s<>\"'(),;]+>?")


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What became of one mail, for the operator: why it went where it went."""

    outcome: str  # created, appended, held, dropped or quarantined
    ticket_id: int | None = None
    reason: str = ""
    subject: str = ""
    sender: str = ""
    attachments: tuple[str, ...] = ()
    quarantine_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "ticket": self.ticket_id,
            "reason": self.reason,
            "subject": self.subject,
            "from": self.sender,
            "attachments": list(self.attachments),
        }


def digest_of(raw: bytes, message: InboundMessage | None) -> str:
    """Names one mail across deliveries: its Message-ID and sender, or its bytes without one.

    What the mail says (subject, text, attachments) is part of the name too: some mailers
    give every mail the same Message-ID, and two different mails must never be taken for one.
    It is read from the parsed mail, so a relay that re-encodes the body or adds Received
    headers on a redelivery does not change it.
    """
    if message is None or not message.message_id.strip():
        return hashlib.sha256(raw).hexdigest()
    digest = hashlib.sha256()
    for value in (
        message.message_id.strip(),
        message.sender_email.strip().casefold(),
        message.subject,
        message.body,
    ):
        digest.update(value.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    for part in message.attachments:
        digest.update(part.name.encode("utf-8", "surrogatepass"))
        digest.update(hashlib.sha256(part.data).digest())
    return digest.hexdigest()


def reader(raw: bytes) -> InboundMessage:
    """Raw bytes to the message intake receives; what `intake retry` reads email rows with."""
    return read_mail(raw).message


def _claim(digest: str, source: str) -> bool:
    """True when this call takes the mail in; False when it was (or is being) taken in."""
    try:
        with transaction.atomic():
            ReceivedMail.objects.create(digest=digest, source=source[:100], outcome=RECEIVING)
        return True
    except IntegrityError:
        taken = ReceivedMail.objects.filter(
            digest=digest, outcome=RECEIVING, received_at__lt=timezone.now() - STALE_CLAIM
        ).update(source=source[:100], received_at=timezone.now())
        return taken == 1


def _record(digest: str, outcome: str, ticket_id: int | None) -> None:
    ReceivedMail.objects.filter(digest=digest).update(outcome=outcome, ticket_id=ticket_id)


def _without_addresses(text: str) -> str:
    return ADDRESS.sub("<address>", text)


def _bounce_reason(automation: Automation) -> str:
    """The status code and the remote server's diagnostic, without anyone's address."""
    parts: list[str] = []
    for status in automation.recipients:
        if status.action == "failed" or status.status.startswith("5") or not parts:
            text = " ".join(bit for bit in (status.status, status.diagnostic) if bit)
            if text:
                parts.append(_without_addresses(text))
    return "; ".join(dict.fromkeys(parts))[:300] or "bounced"


def _mark_bounced(automation: Automation) -> None:
    if automation.kind != MailKind.BOUNCE or not automation.original_message_id:
        return
    try:
        outbound.mark_bounced([automation.original_message_id], reason=_bounce_reason(automation))
    except Exception as error:
        # The bounce itself is dropped either way; the type only, never the mail's text.
        logger.error("marking a bounced reply failed (%s)", type(error).__name__)


def _keep_unreadable(
    raw: bytes, error: Exception, brand: str, language: str, group: str
) -> IngestResult:
    # The type only in the log: an error's text may quote the mail's headers.
    logger.error("mail adapter failed (%s); the mail is quarantined", type(error).__name__)
    # Only the mailbox's facts beside the raw bytes: `intake retry` reads the mail anew.
    placeholder = _with_mailbox(InboundMessage(channel=CHANNEL, body=""), brand, language, group)
    row = quarantine.keep(
        placeholder,
        step="parse",
        reason=repr(error)[:2000],
        raw=raw,
        held=False,
    )
    return IngestResult(
        "quarantined", reason=f"parse: {type(error).__name__}", quarantine_id=row.pk
    )


def _with_mailbox(message: InboundMessage, brand: str, language: str, group: str) -> InboundMessage:
    changes: dict[str, str] = {}
    if brand:
        changes["brand"] = brand
    if language:
        changes["language"] = language
    if group:
        changes["group_hint"] = group
    return message.with_changes(**changes) if changes else message


def ingest_mail(
    raw: bytes, *, source: str = "pipe", brand: str = "", language: str = "", group: str = ""
) -> IngestResult:
    """Take one raw mail in through intake; never raises for anything the mail contains.

    `source` names where it came from (a mailbox of MADOGUCHI_MAILBOXES, "smtp", "pipe");
    `brand`, `language` and `group` are what that mailbox is kept for.
    """
    reading: MailReading | None = None
    failure: Exception | None = None
    try:
        reading = read_mail(raw)
    except Exception as error:
        failure = error
    message = reading.message if reading is not None else None
    digest = digest_of(raw, message)
    subject = message.subject if message else ""
    sender = (message.sender_email or message.sender_name) if message else ""
    names = tuple(part.name for part in message.attachments) if message else ()
    if not _claim(digest, source):
        return IngestResult("dropped", None, "already received", subject, sender, names)
    if reading is None or message is None:
        result = _keep_unreadable(raw, failure or RuntimeError(), brand, language, group)
        _record(digest, result.outcome, None)
        return result

    def record_stored(stored: InboundMessage) -> InboundMessage:
        # In the transaction that stores the ticket: a process dying after it commits cannot
        # leave the claim to go stale and the mail to be taken in again.
        outcome = "created" if stored.created else "appended"
        _record(digest, outcome, stored.stored_ticket_id)
        return stored

    outcome = receive(
        _with_mailbox(message, brand, language, group), raw=raw, with_stored=record_stored
    )
    reason = outcome.reason
    if reading.automation.automatic and outcome.outcome == "dropped":
        reason = str(reading.automation.kind)
        _mark_bounced(reading.automation)
    if outcome.outcome not in ("created", "appended"):
        _record(digest, outcome.outcome, outcome.ticket_id)
    return IngestResult(
        outcome.outcome,
        outcome.ticket_id,
        reason,
        subject,
        sender,
        names,
        outcome.quarantine_id,
    )
