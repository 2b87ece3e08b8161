"""Reads about accounts shared by views, middleware and the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Q


def has_totp(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def anti_phishing_code_for(email: str) -> str:
    """The anti-phishing code of the account that owns `email`, or "" (no account, no code).

    Every mail to that address carries it at the top, so its owner can tell our mail from a
    forgery; only mail to the owner's own address may carry it, never a copy to anyone else.
    """
    return anti_phishing_codes_for([email]).get(email.strip().casefold(), "")


def anti_phishing_codes_for(emails: Iterable[str]) -> dict[str, str]:
    """The codes of the accounts owning `emails`, by case-folded address (no code, no entry)."""
    from madoguchi.accounts.models import User

    wanted = {email.strip().casefold() for email in emails if email.strip()}
    if not wanted:
        return {}
    addresses = Q()
    for email in wanted:
        addresses |= Q(email__iexact=email)
    rows = User.objects.filter(addresses).exclude(anti_phishing_code="")
    return {
        email.casefold(): code.strip()
        for email, code in rows.values_list("email", "anti_phishing_code")
        if email.casefold() in wanted
    }
