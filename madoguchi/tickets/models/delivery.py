"""What the product sent a customer, per copy: the outbound side of a ticket's conversation.

A `Delivery` is written in the same transaction as the reply or notice it carries, so nothing
an agent sends can be lost between the database and the mail server; a channel's transport
(`madoguchi.tickets.outbound`) sends it later and records how that went. The customer's copy
and the copy for the people they copied in are two deliveries: only the customer's carries
their anti-phishing code.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DeliveryKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    EMAIL_CONFIRMATION = "email_confirmation", _("Email confirmation")
    NOTIFICATION = "notification", _("Notification")
    SOLVED = "solved", _("Solved notice")


# Notices about the request's progress, which a customer may stop (List-Unsubscribe, RFC 8058);
# the acknowledgement and the email confirmation are part of the request itself and always go.
NOTIFICATION_KINDS = frozenset({DeliveryKind.NOTIFICATION, DeliveryKind.SOLVED})


class DeliveryAudience(models.TextChoices):
    CUSTOMER = "customer", _("The customer")
    CC = "cc", _("People copied in")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    # A context: the project catalogue's bare "Sent" is the date column (送信日時).
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    FAILED = "failed", _("Could not be sent")
    BOUNCED = "bounced", _("Returned as undeliverable")
    SUPPRESSED = "suppressed", _("Not sent: the recipient unsubscribed")


class Delivery(models.Model):
    """One copy of one outgoing reply or notice, its recipients and its fate."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("ticket"),
    )
    # The agent's reply this copy carries; empty for notices (acknowledgement, confirmation).
    message = models.ForeignKey(
        "tickets.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("message"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DeliveryKind.choices)
    channel = models.CharField(_("channel"), max_length=8, default="email")
    audience = models.CharField(
        _("audience"),
        max_length=8,
        choices=DeliveryAudience.choices,
        default=DeliveryAudience.CUSTOMER,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
        db_index=True,
    )
    # Header recipients as sent (To, Cc); the envelope is `to` for the customer's copy and
    # `cc` for the copied-in people's copy.
    to = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    # The Message-ID of this copy (with its angle brackets), so replies and bounces find it.
    rfc_message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # Why the last attempt failed or the mail bounced: a status code and the server's words,
    # never a recipient's address.
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["created_at", "id"]
        indexes = [
            # The worker's retry sweep: queued copies whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_retry_due",
                condition=models.Q(status="queued"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.kind}/{self.pk}"
