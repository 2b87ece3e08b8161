"""allauth hooks: a signup stores the username mirror, the page language and the role group."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from madoguchi.accounts import services
from madoguchi.accounts.models import Role


def _home_in_current_language(url: str) -> str:
    # "/" would pick the language again from the browser; someone who just logged in on
    # the Japanese pages stays on them.
    if url == "/":
        return f"/{translation.get_language() or settings.LANGUAGE_CODE}/"
    return url


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return _home_in_current_language(super().get_login_redirect_url(request))

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        return _home_in_current_language(super().get_logout_redirect_url(request))

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        # `username` is unique in the table but nobody types it: it mirrors the email.
        user.username = user.email
        language = translation.get_language() or "ja"
        user.preferred_language = language if language in services.LANGUAGES else "ja"
        if commit:
            user.save()
            services.set_role(user=user, role=Role.CUSTOMER)
        return user
