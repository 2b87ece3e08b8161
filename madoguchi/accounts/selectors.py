"""Reads about accounts shared by views, middleware and the API."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator


def has_totp(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
