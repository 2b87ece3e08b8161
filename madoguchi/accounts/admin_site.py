"""The admin site. Its login page is allauth's, so staff pass the TOTP step there too."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.permissions import is_staff_member
from madoguchi.accounts.selectors import has_totp


class MadoguchiAdminSite(admin.AdminSite):
    site_header = _("madoguchi administration")
    site_title = _("madoguchi administration")
    index_title = _("Administration")

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        # Django's own admin login form checks only the password; sending everyone
        # through allauth's login keeps the second factor impossible to skip.
        view = secure_admin_login(super().login)
        response: HttpResponse = view(request, extra_context)
        return response

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return super().has_permission(request) and is_staff_member(user) and has_totp(user)
