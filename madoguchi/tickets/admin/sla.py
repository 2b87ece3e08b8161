"""Admins set the desk's business hours (time zone, opening hours, holidays, closures) and the SLA
policies (targets per problem type and priority, warnings, escalation) here; a mistake is
explained in words next to its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from madoguchi.tickets.models import BusinessHours, SlaPolicy
from madoguchi.tickets.sla.policies import calendar_for

TARGET_FIELDS = ("first_response_minutes", "next_response_minutes", "resolution_minutes")


class BusinessHoursForm(forms.ModelForm[BusinessHours]):
    class Meta:
        model = BusinessHours
        fields = (
            "name",
            "time_zone",
            "weekly_hours",
            "holiday_country",
            "closed_dates",
            "closed_every_year",
        )
        help_texts = {
            "weekly_hours": _(
                'Days mon…sun, each a list of ["HH:MM", "HH:MM"] intervals, for example '
                '{"mon": [["09:00", "12:00"], ["13:00", "18:00"]]}; 24:00 closes at midnight; '
                "a day left out is closed."
            ),
            "closed_dates": _('One-off closures, for example ["2026-12-29"].'),
            "closed_every_year": _('Closures every year (month-day), for example ["12-31"].'),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        candidate = BusinessHours(
            time_zone=cleaned.get("time_zone", ""),
            weekly_hours=cleaned.get("weekly_hours"),
            holiday_country=cleaned.get("holiday_country", ""),
            closed_dates=cleaned.get("closed_dates") or [],
            closed_every_year=cleaned.get("closed_every_year") or [],
        )
        # ValidationError with one message per field, raised as the form's field errors.
        calendar_for(candidate)
        cleaned["holiday_country"] = (cleaned.get("holiday_country") or "").strip().upper()
        return cleaned


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin[BusinessHours]):
    form = BusinessHoursForm
    list_display = ("name", "time_zone", "holiday_country")
    search_fields = ("name",)


class SlaPolicyForm(forms.ModelForm[SlaPolicy]):
    class Meta:
        model = SlaPolicy
        fields = (
            "name_ja",
            "name_en",
            "position",
            "is_active",
            "problem_type",
            "priority",
            "business_hours",
            *TARGET_FIELDS,
            "warn_before_minutes",
            "escalate_to_priority",
            "escalate_to_group",
            "notify_on_breach",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        targets: list[int] = [
            cleaned[name] for name in TARGET_FIELDS if cleaned.get(name) is not None
        ]
        if not targets:
            raise forms.ValidationError(
                _("Set at least one target: first response, next response or resolution.")
            )
        if any(minutes == 0 for minutes in targets):
            raise forms.ValidationError(_("A target of 0 minutes is breached at once."))
        warn = cleaned.get("warn_before_minutes")
        if warn is not None and warn >= min(targets):
            self.add_error(
                "warn_before_minutes",
                _("Warn before the shortest target (%(minutes)d minutes), or every ticket is "
                  "warned about at once.") % {"minutes": min(targets)},
            )  # fmt: skip
        return cleaned


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin[SlaPolicy]):
    form = SlaPolicyForm
    list_display = (
        "name_ja",
        "name_en",
        "position",
        "is_active",
        "problem_type",
        "priority",
        "business_hours",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
    )
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "priority", "problem_type", "business_hours")
    list_select_related = ("problem_type", "business_hours")
    fieldsets = (
        (None, {"fields": ("name_ja", "name_en", "position", "is_active")}),
        (_("Which tickets"), {"fields": ("problem_type", "priority")}),
        (
            _("Targets"),
            {"fields": ("business_hours", *TARGET_FIELDS, "warn_before_minutes")},
        ),
        (
            _("On breach"),
            {"fields": ("escalate_to_priority", "escalate_to_group", "notify_on_breach")},
        ),
    )
