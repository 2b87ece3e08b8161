"""Reads about accounts shared by views, middleware and the API."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator


def has_totp(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def anti_phishing_code_for(email: str) -> str:
    """The anti-phishing code of the account that owns `email`, or "" (no account, no code).

    Every mail to that address carries it at the top, so its owner can tell our mail from a
    forgery; only mail to the owner's own address may carry it, never a copy to anyone else.
    """
    from madoguchi.accounts.models import User

    code = User.objects.filter(email__iexact=email.strip()).values_list(
        "anti_phishing_code", flat=True
    )
    return (code.first() or "").strip() if email.strip() else ""
