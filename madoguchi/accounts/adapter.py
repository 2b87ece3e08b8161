"""allauth hooks: a signup stores the username mirror, the page language and the role group."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from madoguchi.accounts import services
from madoguchi.accounts.models import Role


class AccountAdapter(DefaultAccountAdapter):
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
