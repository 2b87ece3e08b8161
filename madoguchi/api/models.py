"""API tokens: one per integration, with scopes; the secret itself is never stored."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.api.scopes import Scope


class TokenState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


STATE_LABELS = {
    TokenState.ACTIVE: _("Active"),
    TokenState.EXPIRED: _("Expired"),
    TokenState.REVOKED: _("Revoked"),
}


class ApiToken(models.Model):
    """A credential an integration sends as `Authorization: Bearer mdg_<public_id>_<secret>`.

    Only the SHA-256 of the secret is kept (see madoguchi.api.tokens); `public_id` finds the
    row and may be shown anywhere. A token is never deleted, only revoked, so the record of
    who could do what stays.
    """

    name = models.CharField(_("integration"), max_length=100)
    public_id = models.CharField(_("ID"), max_length=8, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    groups = models.JSONField(
        _("support groups"),
        default=list,
        blank=True,
        help_text=_("Slugs of the support groups the token is limited to; empty for all."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.public_id})"

    def state(self, now: datetime | None = None) -> TokenState:
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    def has_scope(self, scope: Scope | str) -> bool:
        return str(scope) in self.scopes

    def allows_group(self, slug: str) -> bool:
        """Whether the token may act on tickets of the support group `slug`."""
        return not self.groups or slug in self.groups
