"""Keeping what intake could not take, and trying it again.

Text that has not yet passed the secret guard is redacted before it is kept: the quarantine
must not become the one place where a customer's seed phrase survives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from django.db import transaction

from madoguchi.intake.inbound import InboundMessage
from madoguchi.intake.models import QuarantinedMessage, QuarantineStatus
from madoguchi.safety.redaction import redact_secrets

logger = logging.getLogger(__name__)


def _guarded(message: InboundMessage) -> InboundMessage:
    if message.screened:
        return message
    try:
        return replace(
            message,
            subject=redact_secrets(message.subject).text,
            body=redact_secrets(message.body).text,
            sender_name=redact_secrets(message.sender_name).text,
            fields={k: redact_secrets(str(v)).text for k, v in message.fields.items()},
        )
    except Exception:
        return replace(message, subject="", body="", sender_name="", fields={})


def keep(
    message: InboundMessage,
    *,
    step: str,
    reason: str,
    raw: bytes = b"",
    held: bool,
    retry_of: int | None = None,
    ticket_id: int | None = None,
) -> QuarantinedMessage:
    """Store `message` (or update the row it was retried from) with why it stopped."""
    status = QuarantineStatus.HELD if held else QuarantineStatus.QUARANTINED
    payload = _guarded(message).to_json()
    with transaction.atomic():
        if retry_of is not None:
            row = QuarantinedMessage.objects.select_for_update().get(pk=retry_of)
            row.step, row.reason, row.status, row.payload = step, reason, status, payload
            row.attempts += 1
            row.ticket_id = ticket_id
            row.save(
                update_fields=[
                    "step",
                    "reason",
                    "status",
                    "payload",
                    "attempts",
                    "ticket_id",
                    "updated_at",
                ]
            )
            return row
        return QuarantinedMessage.objects.create(
            channel=message.channel[:16],
            step=step,
            status=status,
            reason=reason,
            payload=payload,
            raw=raw,
            ticket_id=ticket_id,
        )


# Channels that keep raw bytes (email) register how to read them again, so that a retry starts
# from what arrived, not from a copy redacted before the secret guard saw it. Intake never
# imports the channels: they register themselves when their app is ready.
Reader = Callable[[bytes], InboundMessage]
_readers: dict[str, Reader] = {}


def register_reader(channel: str, reader: Reader) -> None:
    """`reader(raw)` turns the raw bytes kept for `channel` back into an `InboundMessage`."""
    _readers[channel] = reader


def _reread(row: QuarantinedMessage, kept: InboundMessage) -> InboundMessage:
    reader = _readers.get(row.channel)
    if reader is None or not row.raw:
        return kept
    fresh = reader(bytes(row.raw))
    # What the channel knew beside the bytes (the mailbox's brand and team) stays.
    return replace(
        fresh,
        brand=kept.brand or fresh.brand,
        language=kept.language or fresh.language,
        group_hint=kept.group_hint or fresh.group_hint,
        received_at=kept.received_at,
        ticket_id=kept.ticket_id,
    )


class NotRetryable(Exception):
    """The row was already taken in."""


def retry(quarantine_id: int, *, release_hold: bool = False):  # type: ignore[no-untyped-def]
    """Run a quarantined message through intake again, from the start.

    A held message is only taken in with `release_hold=True` (an agent decided it belongs);
    it then skips the sender check that held it.
    """
    from madoguchi.intake.pipeline import Outcome, receive

    row = QuarantinedMessage.objects.get(pk=quarantine_id)
    if row.status == QuarantineStatus.RESOLVED:
        raise NotRetryable(str(quarantine_id))
    kept = InboundMessage.from_json(row.payload)
    try:
        message = _reread(row, kept)
    except Exception as error:
        # Still unreadable: it stays in the quarantine, raw bytes and all, for the next try.
        logger.error(
            "reading a quarantined %s message failed (%s)", row.channel, type(error).__name__
        )
        keep(kept, step="parse", reason=repr(error)[:2000], held=False, retry_of=row.pk)
        return Outcome("quarantined", reason=f"parse: {type(error).__name__}", quarantine_id=row.pk)
    # Files already checked and notices already written stay; the later steps decide anew.
    message = replace(
        message,
        triage=None,
        stored_ticket_id=None,
        stored_message_id=None,
        created=False,
        hold_released=release_hold and row.status == QuarantineStatus.HELD,
        ticket_id=message.ticket_id or (row.ticket_id if release_hold else None),
    )
    outcome = receive(message, raw=bytes(row.raw), retry_of=row.pk)
    if outcome.outcome in ("created", "appended", "dropped"):
        QuarantinedMessage.objects.filter(pk=row.pk).update(
            status=QuarantineStatus.RESOLVED,
            ticket_id=outcome.ticket_id,
            attempts=row.attempts + 1,
        )
    return outcome
