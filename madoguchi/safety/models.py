"""The official-channel registry: the domains, mail senders and social handles that really are
the exchange, so a customer (or a check) can ask "is this really us?"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.safety.normalize import normalize_channel_value


class OfficialChannel(models.Model):
    class Kind(models.TextChoices):
        DOMAIN = "domain", _("Domain")
        MAIL_SENDER = "mail_sender", _("Mail sender")
        SOCIAL_HANDLE = "social_handle", _("Social media handle")

    class Platform(models.TextChoices):
        NONE = "", _("(none)")
        X = "x", "X"  # notranslate: a brand name
        TELEGRAM = "telegram", "Telegram"  # notranslate: a brand name
        DISCORD = "discord", "Discord"  # notranslate: a brand name
        LINE = "line", "LINE"  # notranslate: a brand name
        YOUTUBE = "youtube", "YouTube"  # notranslate: a brand name
        INSTAGRAM = "instagram", "Instagram"  # notranslate: a brand name
        FACEBOOK = "facebook", "Facebook"  # notranslate: a brand name
        TIKTOK = "tiktok", "TikTok"  # notranslate: a brand name
        REDDIT = "reddit", "Reddit"  # notranslate: a brand name

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(
        _("value"),
        max_length=255,
        help_text=_(
            "A domain (tsukimi.example), a sender address (support@tsukimi.example) or a handle "
            "(@tsukimi_exchange). Stored lower-case; domains in their ASCII (IDNA) form."
        ),
    )
    platform = models.CharField(
        _("platform"), max_length=20, choices=Platform.choices, blank=True, default=""
    )
    note = models.TextField(_("note"), blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("official channel")
        verbose_name_plural = _("official channels")
        ordering = ("kind", "platform", "value")
        constraints = [
            models.UniqueConstraint(
                fields=("kind", "platform", "value"), name="safety_official_channel_unique"
            ),
        ]

    def __str__(self) -> str:
        if self.platform:
            return f"{self.get_platform_display()} @{self.value}"
        return self.value

    def clean(self) -> None:
        # The admin form runs this before saving: a value typed in any case, with a scheme or
        # in Unicode, is stored in the one form the selectors compare against.
        if self.kind == self.Kind.SOCIAL_HANDLE and not self.platform:
            raise ValidationError({"platform": _("A social media handle needs its platform.")})
        if self.kind != self.Kind.SOCIAL_HANDLE and self.platform:
            raise ValidationError({"platform": _("Only social media handles have a platform.")})
        normalized = normalize_channel_value(self.kind, self.value)
        if normalized is None:
            raise ValidationError({"value": _("This is not a valid value for its kind.")})
        self.value = normalized
