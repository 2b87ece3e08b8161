"""API tokens in the admin: listed, created (the token shown once) and revoked; never a secret.

Creating here, not only with `madoguchi create-api-token`: whoever connects the exchange's
back office to support is often an administrator without a shell on the server. The new
token is rendered straight into the response page, not passed through the messages
framework (which keeps its text in a cookie or the session table), and the page is sent
with `Cache-Control: no-store` so the browser keeps no copy. Tokens cannot be edited or
deleted, only revoked: the record of which integration could do what stays.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from madoguchi.accounts.models import User
from madoguchi.api.errors import ApiError
from madoguchi.api.models import STATE_LABELS, ApiToken
from madoguchi.api.scopes import DESCRIPTIONS, Scope
from madoguchi.api.tokens import MAX_EXPIRY_DAYS, create_api_token, parse_groups, revoke_api_token


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("api token", "Integration"),
        max_length=100,
        help_text=_("Who will use the token, e.g. “exchange back office”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[
            (scope.value, format_lazy("{} — {}", scope.value, DESCRIPTIONS[scope]))
            for scope in Scope
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.CharField(
        label=_("Support groups"),
        required=False,
        help_text=_("Comma-separated group slugs, e.g. security,general. Empty: all groups."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"),
        required=False,
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        help_text=_("Empty: the token does not expire."),
    )

    def clean_groups(self) -> list[str]:
        try:
            return parse_groups(self.cleaned_data["groups"])
        except ApiError as error:
            raise forms.ValidationError(error.message) from None


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "public_id",
        "scope_list",
        "group_list",
        "state_label",
        "created_at",
        "last_used_at",
        "expires_at",
    )
    search_fields = ("name", "public_id")
    fields = (
        "name",
        "public_id",
        "scope_list",
        "group_list",
        "state_label",
        "created_at",
        "created_by",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = fields
    actions = ["revoke_selected"]

    @admin.display(description=_("scopes"))
    def scope_list(self, token: ApiToken) -> str:
        return ", ".join(token.scopes)

    @admin.display(description=_("support groups"))
    def group_list(self, token: ApiToken) -> str:
        return ", ".join(token.groups) or str(pgettext_lazy("support groups", "all"))

    @admin.display(description=_("state"))
    def state_label(self, token: ApiToken) -> str:
        return str(STATE_LABELS[token.state()])

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # read-only page; revoking is the only change

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("api.change_apitoken")

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        by = request.user if isinstance(request.user, User) else None
        revoked = [token for token in queryset if revoke_api_token(token=token, by=by)]
        for token in revoked:
            self.log_change(request, token, [{"changed": {"fields": ["revoked_at"]}}])
        self.message_user(
            request,
            ngettext("Revoked %(count)d API token.", "Revoked %(count)d API tokens.", len(revoked))
            % {"count": len(revoked)},
            messages.SUCCESS,
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiTokenCreateForm(request.POST if request.method == "POST" else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Create an API token"),
        }
        if request.method == "POST" and form.is_valid():
            by = request.user if isinstance(request.user, User) else None
            try:
                issued = create_api_token(
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    groups=form.cleaned_data["groups"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                    created_by=by,
                )
            except ApiError as error:
                form.add_error(None, error.message)
            else:
                self.log_addition(request, issued.token, [{"added": {}}])
                context.update(
                    title=_("API token created"), token=issued.token, plaintext=issued.plaintext
                )
                response = TemplateResponse(request, "admin/api/apitoken/issued.html", context)
                add_never_cache_headers(response)  # no-store: the browser keeps no copy
                return response
        context["form"] = form
        return TemplateResponse(request, "admin/api/apitoken/create.html", context)
