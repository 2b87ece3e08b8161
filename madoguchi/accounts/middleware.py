"""Staff must enrol a TOTP authenticator before they can work behind the counter."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from madoguchi.accounts.permissions import is_staff_member
from madoguchi.accounts.selectors import has_totp


def _open_prefixes() -> tuple[str, ...]:
    # What a staff member without a second factor may still reach: the account pages
    # (enrolment itself, logout), static and uploaded files, and the language switch.
    prefixes = ["/accounts/", "/i18n/", settings.STATIC_URL or "/static/"]
    if settings.MEDIA_URL:
        prefixes.append(settings.MEDIA_URL)
    prefixes += [f"/{code}/accounts/" for code, _name in settings.LANGUAGES]
    return tuple(prefixes)


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.open_prefixes = _open_prefixes()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            is_staff_member(user)
            and not request.path.startswith(self.open_prefixes)
            and not has_totp(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
