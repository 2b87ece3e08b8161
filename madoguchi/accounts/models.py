"""Users and their roles. A customer signs in by email; staff roles also need TOTP."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Support agent")
    MODERATOR = "moderator", _("Moderator")
    EDITOR = "editor", _("Editor")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset({Role.AGENT, Role.MODERATOR, Role.EDITOR, Role.ADMIN})


class EmailUserManager(UserManager["User"]):
    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("username", email)
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(email=email, password=password, **extra)


class User(AbstractUser):
    """An account. `username` mirrors the email; people only ever see and type the email."""

    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="ja",
        choices=[("ja", "日本語"), ("en", "English")],  # notranslate: each language in its own name
    )

    # Shown at the top of every mail the product sends this person, so that a mail without it
    # is known to be fake (set only after re-authenticating; see accounts.services).
    anti_phishing_code = models.CharField(_("anti-phishing code"), max_length=20, blank=True)

    USERNAME_FIELD = "email"  # type: ignore[misc]
    REQUIRED_FIELDS = []

    objects = EmailUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff_member(self) -> bool:
        """Staff roles work behind the counter and must sign in with a second factor."""
        return self.role in STAFF_ROLES
