"""Admins configure support here: groups and their agents, problem types and their form fields,
tags. Tickets and their history are shown, never edited: work on a ticket goes through the agent
page, whose services write the history, and the history itself is append-only for everyone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Role
from madoguchi.tickets.models import (
    FieldKind,
    Message,
    Priority,
    ProblemField,
    ProblemType,
    SupportGroup,
    Tag,
    Ticket,
    TicketEvent,
)

MAX_RESPONSE_HOURS = 24 * 365


@admin.register(SupportGroup)
class SupportGroupAdmin(admin.ModelAdmin[SupportGroup]):
    list_display = ("slug", "name_ja", "name_en", "handles_security", "member_count")
    list_filter = ("handles_security",)
    search_fields = ("slug", "name_ja", "name_en")
    filter_horizontal = ("members",)
    fields = (
        "slug",
        "name_ja",
        "name_en",
        "handles_security",
        "assignment",
        "only_assignee_replies",
        "members",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[SupportGroup]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, group: Any) -> int:
        return int(getattr(group, "member_total", 0))

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "members":
            # Only people who work tickets: a customer in a group would see other customers.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(role__in=(Role.AGENT, Role.ADMIN), is_active=True)
                .order_by("email")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ProblemFieldForm(forms.ModelForm[ProblemField]):
    class Meta:
        model = ProblemField
        fields = (
            "key",
            "kind",
            "label_ja",
            "label_en",
            "help_ja",
            "help_en",
            "required",
            "choices",
            "position",
        )

    def clean_choices(self) -> list[dict[str, str]]:
        """A list of {"value", "ja", "en"} objects, each a non-empty string, values unique."""
        choices = self.cleaned_data.get("choices")
        if choices in (None, ""):
            return []
        if not isinstance(choices, list):
            raise forms.ValidationError(
                _('Write the choices as a list: [{"value": "app", "ja": "…", "en": "…"}].')
            )
        cleaned: list[dict[str, str]] = []
        seen: set[str] = set()
        for number, choice in enumerate(choices, start=1):
            if not isinstance(choice, Mapping) or set(choice) != {"value", "ja", "en"}:
                raise forms.ValidationError(
                    _('Choice %(number)s must have exactly "value", "ja" and "en".'),
                    params={"number": number},
                )
            if not all(isinstance(v, str) and v.strip() for v in choice.values()):
                raise forms.ValidationError(
                    _('Choice %(number)s: "value", "ja" and "en" must be non-empty text.'),
                    params={"number": number},
                )
            value = choice["value"].strip()
            if value in seen:
                raise forms.ValidationError(
                    _("The value “%(value)s” is used by two choices."), params={"value": value}
                )
            seen.add(value)
            cleaned.append({"value": value, "ja": choice["ja"].strip(), "en": choice["en"].strip()})
        return cleaned

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        choices = cleaned.get("choices")
        if kind == FieldKind.CHOICE and "choices" in cleaned and not choices:
            self.add_error("choices", _("A choice field needs at least one choice."))
        if kind and kind != FieldKind.CHOICE and choices:
            self.add_error("choices", _("Only a choice field has choices; leave this empty."))
        return cleaned


class ProblemFieldInline(admin.StackedInline[ProblemField, ProblemType]):
    model = ProblemField
    form = ProblemFieldForm
    extra = 0
    ordering = ("position", "id")


class ProblemTypeForm(forms.ModelForm[ProblemType]):
    class Meta:
        model = ProblemType
        fields = (
            "slug",
            "name_ja",
            "name_en",
            "description_ja",
            "description_en",
            "position",
            "is_active",
            "is_security",
            "default_priority",
            "group",
            "response_hours",
        )

    def clean_response_hours(self) -> dict[str, int]:
        """Hours for every priority, each a whole number from 1 to a year."""
        hours = self.cleaned_data.get("response_hours")
        message = _('Give whole hours for each priority: {"urgent": 1, "high": 8, …}.')
        if not isinstance(hours, Mapping) or set(hours) != set(Priority.values):
            raise forms.ValidationError(message)
        cleaned: dict[str, int] = {}
        for priority, value in hours.items():
            if not isinstance(value, int) or isinstance(value, bool):
                raise forms.ValidationError(message)
            if not 1 <= value <= MAX_RESPONSE_HOURS:
                raise forms.ValidationError(
                    _("Hours must be between 1 and %(most)s."), params={"most": MAX_RESPONSE_HOURS}
                )
            cleaned[priority] = value
        return cleaned


@admin.register(ProblemType)
class ProblemTypeAdmin(admin.ModelAdmin[ProblemType]):
    form = ProblemTypeForm
    list_display = (
        "slug",
        "name_ja",
        "name_en",
        "group",
        "default_priority",
        "is_security",
        "is_active",
        "position",
    )
    list_filter = ("is_active", "is_security", "group")
    list_editable = ("position", "is_active")
    search_fields = ("slug", "name_ja", "name_en")
    list_select_related = ("group",)
    inlines = [ProblemFieldInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    """Agents make tags as they tag tickets; a tag in use is renamed or removed nowhere but on
    the tickets, so that each change is in their history."""

    list_display = ("name", "ticket_count")
    search_fields = ("name",)

    def _unused(self, tag: Tag | None) -> bool:
        return tag is None or not tag.tickets.exists()

    def has_change_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._unused(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Tag | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._unused(obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk delete would not stop at tags in use.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(ticket_total=Count("tickets"))

    @admin.display(description=_("tickets"), ordering="ticket_total")
    def ticket_count(self, tag: Any) -> int:
        return int(getattr(tag, "ticket_total", 0))


class ReadOnlyMixin:
    """Shown, never written through the admin, whoever asks: superusers included."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(ReadOnlyMixin, admin.TabularInline[Message, Ticket]):
    model = Message
    extra = 0
    fields = ("created_at", "author_kind", "author", "is_internal", "channel", "body")
    readonly_fields = fields
    show_change_link = False


class EmailConfirmedFilter(admin.SimpleListFilter):
    title = _("email confirmed")
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No (hidden from agents)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(email_confirmed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(email_confirmed_at__isnull=True)
        return queryset


@admin.register(Ticket)
class TicketAdmin(ReadOnlyMixin, admin.ModelAdmin[Ticket]):
    list_display = (
        "id",
        "subject",
        "status",
        "priority",
        "group",
        "assignee",
        "channel",
        "requester_email",
        "created_at",
    )
    list_filter = (
        "status",
        "priority",
        "channel",
        "group",
        "problem_type",
        EmailConfirmedFilter,
        "created_at",
    )
    search_fields = ("=id", "subject", "requester_email", "external_user_id")
    list_select_related = ("group", "assignee")
    date_hierarchy = "created_at"
    readonly_fields = ("agent_page",)
    inlines = [MessageInline]
    fieldsets = (
        (None, {"fields": ("agent_page", "subject", "problem_type", "status", "priority")}),
        (
            _("Customer"),
            {
                "fields": (
                    "requester_email",
                    "requester_name",
                    "customer",
                    "external_user_id",
                    "language",
                    "email_confirmed_at",
                )
            },
        ),
        (_("Routing"), {"fields": ("channel", "group", "assignee", "tags")}),
        (
            _("Details"),
            {"fields": ("details", "account_context", "safety_flags")},
        ),
        (
            _("Dates"),
            {
                "fields": (
                    "created_at",
                    "updated_at",
                    "first_response_due_at",
                    "first_response_at",
                    "solved_at",
                    "closed_at",
                )
            },
        ),
        (_("Satisfaction"), {"fields": ("csat_rating", "csat_comment", "csat_at")}),
    )

    @admin.display(description=_("agent page"))
    def agent_page(self, ticket: Ticket) -> str:
        url = reverse("tickets:agent_ticket", kwargs={"ticket_id": ticket.pk})
        return format_html('<a href="{}">{}</a>', url, _("Work on this ticket"))


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyMixin, admin.ModelAdmin[TicketEvent]):
    list_display = ("ticket_id", "sequence", "kind", "actor_label", "created_at")
    list_filter = ("kind",)
    search_fields = ("=ticket__id", "actor_label")
    fields = (
        "ticket",
        "sequence",
        "kind",
        "actor_label",
        "data",
        "created_at",
        "previous_hash",
        "hash",
    )
    readonly_fields = fields
    ordering = ("-id",)
