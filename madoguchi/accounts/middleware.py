"""Staff must enrol a TOTP authenticator before they can work behind the counter."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from madoguchi.accounts.selectors import has_totp

# Paths a staff member without a second factor may still reach: enrolment itself,
# logout, static files and the language switch.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/ja/accounts/", "/en/accounts/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "is_staff_member", False)
            and not request.path.startswith(_OPEN_PREFIXES)
            and not has_totp(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
