"""The quarantine: input that a step of intake could not take, kept so that nothing is lost."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuarantineStatus(models.TextChoices):
    QUARANTINED = "quarantined", _("Failed; waiting for a retry")
    HELD = "held", _("Held for an agent")
    RESOLVED = "resolved", _("Taken in on retry")


class QuarantinedMessage(models.Model):
    """One inbound message as it stood when a step failed or held it, with the reason."""

    channel = models.CharField(_("channel"), max_length=16)
    step = models.CharField(_("step"), max_length=40)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=QuarantineStatus.choices,
        default=QuarantineStatus.QUARANTINED,
        db_index=True,
    )
    reason = models.TextField(_("reason"))
    # The message as JSON (text already through the secret guard) and, when the channel had
    # one, its raw input (a MIME message) for its own parser to read again.
    payload = models.JSONField(_("message"))
    raw = models.BinaryField(_("raw input"), blank=True, default=b"")
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    ticket_id = models.PositiveBigIntegerField(_("ticket"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last attempt"), auto_now=True)

    class Meta:
        verbose_name = _("quarantined message")
        verbose_name_plural = _("quarantine")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pk} {self.channel} {self.step}"
