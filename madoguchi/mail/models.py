"""What the mail channel remembers between runs: where each IMAP mailbox was read up to, and
the addresses that asked for no more notices (List-Unsubscribe, RFC 8058)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MailboxCursor(models.Model):
    """How far one IMAP mailbox (named in MADOGUCHI_MAILBOXES) has been read.

    A UID means something only under its UIDVALIDITY (RFC 3501 §2.3.1.1): when the server
    changes it, every UID is new and the mailbox is read again from the start; mail already
    taken in is recognised by its Message-ID (`ReceivedMail`).
    """

    mailbox = models.CharField(_("mailbox"), max_length=100, unique=True)
    uidvalidity = models.PositiveBigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.PositiveBigIntegerField(_("last UID taken in"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("mailbox cursor")
        verbose_name_plural = _("mailbox cursors")

    def __str__(self) -> str:
        return f"{self.mailbox} {self.uidvalidity}:{self.last_uid}"


class ReceivedMail(models.Model):
    """One mail taken in, by a digest of its Message-ID (or of its bytes when it has none), so
    that the same mail fetched twice (a reread after UIDVALIDITY changed, a redelivery) starts
    nothing twice."""

    digest = models.CharField(_("digest"), max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=100)
    outcome = models.CharField(_("outcome"), max_length=12)
    ticket_id = models.PositiveBigIntegerField(_("ticket"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("received mail")
        verbose_name_plural = _("received mail")

    def __str__(self) -> str:
        return f"{self.source} {self.outcome}"


class Unsubscribe(models.Model):
    """An address that asked for no more notices. Answers to its own requests still arrive:
    those are the conversation, not a notice."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    created_at = models.DateTimeField(_("unsubscribed"), auto_now_add=True)

    class Meta:
        verbose_name = _("unsubscribed address")
        verbose_name_plural = _("unsubscribed addresses")

    def __str__(self) -> str:
        return self.email
