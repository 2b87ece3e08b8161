"""Canned replies in the admin: both languages, a group or every group, and only the
placeholders agents' replies can fill (a misspelt one is refused here, not sent to a customer)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from madoguchi.tickets.canned import PLACEHOLDERS, unknown_placeholders
from madoguchi.tickets.models import CannedReply


def placeholder_help() -> str:
    return format_html_join(
        "", "<br><code>{{{}}}</code>: {}", ((name, text) for name, text in PLACEHOLDERS.items())
    )


class CannedReplyForm(forms.ModelForm[CannedReply]):
    class Meta:
        model = CannedReply
        fields = ("title", "shortcut", "group", "body_ja", "body_en", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("body_ja", "body_en"):
            self.fields[name].help_text = format_html(
                "{} {}", gettext("Placeholders:"), placeholder_help()
            )

    def _checked(self, name: str) -> str:
        text: str = self.cleaned_data.get(name) or ""
        unknown = unknown_placeholders(text)
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown placeholders: %(unknown)s. The placeholders are %(known)s.")
                % {
                    "unknown": ", ".join(unknown),
                    "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                },
                code="unknown_placeholder",
            )
        return text

    def clean_body_ja(self) -> str:
        return self._checked("body_ja")

    def clean_body_en(self) -> str:
        return self._checked("body_en")


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin[CannedReply]):
    form = CannedReplyForm
    list_display = ("title", "shortcut", "group", "is_active", "updated_at")
    list_filter = ("is_active", "group")
    search_fields = ("title", "shortcut", "body_ja", "body_en")
    list_select_related = ("group",)
