"""The anti-phishing code pages, in the account settings beside allauth's.

The overview says only whether a code is set. Seeing the code and changing or removing it
happen on a second page behind allauth's re-authentication (the password again, within
ACCOUNT_REAUTHENTICATION_TIMEOUT), so a session left open or stolen can neither read the
code (and then forge mail that carries it) nor replace it.
"""

from __future__ import annotations

from typing import cast

from allauth.account.decorators import reauthentication_required
from allauth.core.ratelimit import consume_or_429
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi.accounts import services
from madoguchi.accounts.forms import AntiPhishingCodeForm
from madoguchi.accounts.models import User

# An entry of ACCOUNT_RATE_LIMITS (allauth's rate limiting, counted per user).
CHANGE_RATE_ACTION = "change_anti_phishing_code"


@never_cache
@login_required
@require_GET
def anti_phishing_code(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    return render(
        request, "accounts/anti_phishing_code.html", {"has_code": bool(user.anti_phishing_code)}
    )


@never_cache
@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def change_anti_phishing_code(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    form = AntiPhishingCodeForm()
    if request.method == "POST":
        limited = consume_or_429(request, action=CHANGE_RATE_ACTION, user=user)
        if limited is not None:
            return limited
        if "remove" in request.POST:
            services.remove_anti_phishing_code(user=user)
            messages.success(request, _("Your anti-phishing code was removed."))
            return redirect("account_anti_phishing_code")
        form = AntiPhishingCodeForm(request.POST)
        if form.is_valid():
            services.set_anti_phishing_code(user=user, code=form.cleaned_data["code"])
            messages.success(
                request, _("Your anti-phishing code was saved. Our mails show it from now on.")
            )
            return redirect("account_anti_phishing_code")
    return render(
        request,
        "accounts/anti_phishing_code_change.html",
        {"form": form, "current_code": user.anti_phishing_code},
        status=400 if form.errors else 200,
    )
