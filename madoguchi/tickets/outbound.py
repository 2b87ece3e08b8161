"""The outbound pipeline: every reply and notice a customer receives leaves through here.

Queuing writes a `Delivery` per copy inside the caller's transaction (the reply and its copies
commit together or not at all) and asks the background worker to send it once committed.
Sending hands the copy to the transport its channel registered (`register_transport`; the mail
app registers "email" when it starts): tickets never import a channel. A failed attempt is
tried again later with growing pauses; after the last one the copy is marked failed, which the
ticket's history, its page and the admin show.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from madoguchi.tickets import events
from madoguchi.tickets.models import (
    Delivery,
    DeliveryAudience,
    DeliveryKind,
    DeliveryStatus,
    EventKind,
    Message,
    Ticket,
)

logger = logging.getLogger(__name__)

# Pauses before the 2nd, 3rd, ... attempt; after the last, the copy has failed. About a day in
# all, like an MTA's queue lifetime, but shorter: a customer waiting for an answer should not
# wait five days to learn that it never left.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=8),
)


class DeliveryFailed(Exception):
    """Raised by a transport: `permanent` when trying again cannot help (a refused recipient).

    `reason` is stored and shown to agents: a status code and the server's words, never an
    address.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class DeliverySuppressed(Exception):
    """Raised by a transport when the copy must not be sent at all (the recipient unsubscribed
    from notices): it is marked suppressed, not failed, and never tried again."""


Transport = Callable[[Delivery], None]
_transports: dict[str, Transport] = {}


def register_transport(channel: str, transport: Transport) -> None:
    """Let `transport(delivery)` send the copies of `channel`; it raises `DeliveryFailed`."""
    _transports[channel] = transport


def message_id_domain() -> str:
    configured = getattr(settings, "MADOGUCHI_MAIL_MESSAGE_ID_DOMAIN", "")
    return configured or settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "madoguchi.invalid"


def new_message_id() -> str:
    """A Message-ID (RFC 5322 §3.6.4) that says nothing about the ticket or the customer."""
    return f"<{uuid.uuid4().hex}@{message_id_domain()}>"


def _queue(ticket: Ticket, *, kind: str, message: Message | None, channel: str) -> list[Delivery]:
    # A notice goes to the customer alone; naming the copied-in people in its Cc would say
    # they got it. A reply goes to them too, as a copy of its own (without the customer's code).
    copied = list(ticket.cc_emails) if kind == DeliveryKind.REPLY else []
    audiences = [DeliveryAudience.CUSTOMER] + ([DeliveryAudience.CC] if copied else [])
    if not ticket.requester_email:
        return []
    created = [
        Delivery.objects.create(
            ticket=ticket,
            message=message,
            kind=kind,
            channel=channel,
            audience=audience,
            to=[ticket.requester_email],
            cc=copied,
            rfc_message_id=new_message_id(),
        )
        for audience in audiences
    ]
    from madoguchi.tickets.tasks import enqueue_on_commit, send_delivery

    for copy in created:
        enqueue_on_commit(send_delivery, delivery_id=copy.pk)
    return created


def queue_reply(message: Message, *, channel: str = "email") -> list[Delivery]:
    """Copies of an agent's reply: one for the customer and, when they copied people in, one
    for those people. Call inside the transaction that stored `message`."""
    return _queue(message.ticket, kind=DeliveryKind.REPLY, message=message, channel=channel)


def queue_notice(ticket: Ticket, *, kind: str, channel: str = "email") -> list[Delivery]:
    """A notice for the customer alone (acknowledgement, email confirmation, notification)."""
    return _queue(ticket, kind=kind, message=None, channel=channel)


def send(delivery_id: int, *, now: datetime | None = None) -> Delivery | None:
    """Try to send one queued copy now; records the outcome. Other states are left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            # Only this row: PostgreSQL cannot lock the nullable side of the message's join,
            # and the ticket stays free for agents while a copy is sent.
            Delivery.objects.select_for_update(of=("self",))
            .select_related("ticket", "message")
            .filter(pk=delivery_id, status=DeliveryStatus.QUEUED)
            .first()
        )
        if delivery is None:
            return None
        # Claimed for this attempt: a second worker finds it not yet due.
        delivery.attempts += 1
        delivery.next_attempt_at = now + RETRY_DELAYS[0]
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    transport = _transports.get(delivery.channel)
    try:
        if transport is None:
            raise DeliveryFailed(f"no transport for channel {delivery.channel!r}")
        transport(delivery)
    except DeliverySuppressed:
        delivery.status = DeliveryStatus.SUPPRESSED
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "next_attempt_at"])
        return delivery
    except DeliveryFailed as error:
        return _failed(delivery, error.reason[:300], permanent=error.permanent, now=now)
    except Exception as error:
        # The type only in the log: an SMTP error's text can quote the recipient.
        logger.warning("delivery %s: transport raised %s", delivery.pk, type(error).__name__)
        return _failed(delivery, type(error).__name__, permanent=False, now=now)
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = timezone.now()
    delivery.next_attempt_at = None
    delivery.last_error = ""
    delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error"])
    return delivery


def _failed(delivery: Delivery, reason: str, *, permanent: bool, now: datetime) -> Delivery:
    delivery.last_error = reason
    if not permanent and delivery.attempts <= len(RETRY_DELAYS):
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
        delivery.save(update_fields=["last_error", "next_attempt_at"])
        return delivery
    with transaction.atomic():
        delivery.status = DeliveryStatus.FAILED
        delivery.failed_at = now
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "failed_at", "next_attempt_at", "last_error"])
        events.record(
            delivery.ticket,
            EventKind.DELIVERY_FAILED,
            delivery=delivery.pk,
            message=delivery.message_id,
            delivery_kind=delivery.kind,
            audience=delivery.audience,
            reason=reason,
        )
    return delivery


def due_for_retry(now: datetime | None = None) -> list[int]:
    """Ids of queued copies whose next attempt is due (the worker's sweep)."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


def mark_bounced(rfc_message_ids: Iterable[str], *, reason: str) -> Delivery | None:
    """A bounce (RFC 3464) names the copy it returns: mark it undelivered, once."""
    ids = [value.strip() for value in rfc_message_ids if value and value.strip()]
    if not ids:
        return None
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("ticket")
            .filter(rfc_message_id__in=ids)
            .exclude(status=DeliveryStatus.BOUNCED)
            .first()
        )
        if delivery is None:
            return None
        delivery.status = DeliveryStatus.BOUNCED
        delivery.failed_at = timezone.now()
        delivery.last_error = reason[:300]
        delivery.save(update_fields=["status", "failed_at", "last_error"])
        events.record(
            delivery.ticket,
            EventKind.DELIVERY_BOUNCED,
            delivery=delivery.pk,
            message=delivery.message_id,
            delivery_kind=delivery.kind,
            audience=delivery.audience,
            reason=reason[:300],
        )
    return delivery


def retry(delivery_ids: Iterable[int]) -> int:
    """Send failed or bounced copies again (an admin's "try again", once the address or the
    mail server is fixed): queued afresh, with a new round of attempts. Returns how many."""
    from madoguchi.tickets.tasks import enqueue_on_commit, send_delivery

    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=list(delivery_ids))
            .filter(status__in=(DeliveryStatus.FAILED, DeliveryStatus.BOUNCED))
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.QUEUED,
            attempts=0,
            next_attempt_at=timezone.now(),
            failed_at=None,
            last_error="",
        )
        for delivery_id in ids:
            enqueue_on_commit(send_delivery, delivery_id=delivery_id)
    return len(ids)
