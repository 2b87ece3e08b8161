"""Admins write the routing rules here, in the order they run, and see or change who is away.

Conditions are ticked from the values madoguchi knows (languages, channels, priorities) or typed
as comma-separated words (customer tiers, tags); anything else is refused in words, so a rule
never silently matches nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import Role
from madoguchi.tickets import services
from madoguchi.tickets.models import AgentAvailability, Channel, Priority, RoutingRule

_TAG = re.compile(r"^[^\s,]{1,50}$")
_TIER_CHARS = 50


def _checkboxes(choices: Any, refusal: Any, label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices,
        required=False,
        label=label,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any."),
        error_messages={"invalid_choice": refusal},
    )


class WordsField(forms.CharField):
    """A list of words typed with commas between them, kept as a JSON list."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        words: list[str] = []
        for word in (part.strip() for part in str(text).split(",")):
            if word and word not in words:
                words.append(word)
        return words


class RoutingRuleForm(forms.ModelForm[RoutingRule]):
    languages = _checkboxes(
        settings.LANGUAGES,
        _("“%(value)s” is not a language madoguchi knows: tick Japanese or English."),
        _("languages"),
    )
    channels = _checkboxes(
        Channel.choices,
        _("“%(value)s” is not a channel: tick one of the channels listed."),
        _("channels"),
    )
    priorities = _checkboxes(
        Priority.choices,
        _("“%(value)s” is not a priority: tick low, normal, high or urgent."),
        _("priorities"),
    )
    customer_tiers = WordsField(
        required=False,
        label=_("customer tiers"),
        help_text=_(
            'Words with commas between them, e.g. "vip, pro"; matched against the "tier" of '
            "the account context. Empty: any."
        ),
    )
    tags = WordsField(
        required=False,
        label=_("any of the tags"),
        help_text=_("Tags with commas between them; the ticket needs one of them. Empty: any."),
    )
    add_tags = WordsField(
        required=False,
        label=_("add tags"),
        help_text=_("Tags with commas between them."),
    )

    class Meta:
        model = RoutingRule
        fields = (
            "name",
            "position",
            "is_active",
            "problem_types",
            "languages",
            "channels",
            "priorities",
            "customer_tiers",
            "tags",
            "set_group",
            "set_priority",
            "add_tags",
            "set_assignee",
            "stop",
        )
        widgets = {"problem_types": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["set_assignee"]
        # Only people who work tickets can be given one.
        assignee.queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(role__in=(Role.AGENT, Role.ADMIN), is_active=True)
            .order_by("email")
        )

    def _tags(self, name: str) -> list[str]:
        tags = [tag.lower() for tag in self.cleaned_data.get(name) or []]
        for tag in tags:
            if not _TAG.match(tag):
                raise forms.ValidationError(
                    _("“%(tag)s” is not a tag: a tag is 1 to 50 characters without spaces."),
                    params={"tag": tag},
                )
        return tags

    def clean_tags(self) -> list[str]:
        return self._tags("tags")

    def clean_add_tags(self) -> list[str]:
        return self._tags("add_tags")

    def clean_customer_tiers(self) -> list[str]:
        tiers: list[str] = self.cleaned_data.get("customer_tiers") or []
        for tier in tiers:
            if len(tier) > _TIER_CHARS:
                raise forms.ValidationError(
                    _("“%(tier)s” is too long for a tier: at most %(limit)s characters."),
                    params={"tier": tier[:60] + "…", "limit": _TIER_CHARS},
                )
        return tiers

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        group = cleaned.get("set_group")
        assignee = cleaned.get("set_assignee")
        if not (group or cleaned.get("set_priority") or cleaned.get("add_tags") or assignee):
            raise forms.ValidationError(
                _("This rule changes nothing: choose a group, a priority, tags or an assignee.")
            )
        if (
            group is not None
            and assignee is not None
            and not group.members.filter(pk=assignee.pk).exists()
        ):
            self.add_error(
                "set_assignee",
                forms.ValidationError(
                    _("%(agent)s is not a member of the group %(group)s."),
                    params={"agent": assignee.email, "group": group},
                ),
            )
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    form = RoutingRuleForm
    list_display = ("position", "name", "is_active", "set_group", "set_priority", "stop")
    list_display_links = ("name",)
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "set_group")
    ordering = ("position", "pk")
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "position", "is_active")}),
        (
            _("When a new ticket matches every condition set"),
            {
                "fields": (
                    "problem_types",
                    "languages",
                    "channels",
                    "priorities",
                    "customer_tiers",
                    "tags",
                )
            },
        ),
        (
            _("Then"),
            {
                "fields": ("set_group", "set_priority", "add_tags", "set_assignee", "stop"),
                "description": _(
                    "A security problem always stays in the security group and stays urgent, "
                    "whatever a rule says; its other actions still apply."
                ),
            },
        ),
    )


class AgentAvailabilityForm(forms.ModelForm[AgentAvailability]):
    class Meta:
        model = AgentAvailability
        fields = ("agent", "is_away", "away_until")


@admin.register(AgentAvailability)
class AgentAvailabilityAdmin(admin.ModelAdmin[AgentAvailability]):
    form = AgentAvailabilityForm
    list_display = ("agent", "is_away", "away_until", "changed_at")
    list_filter = ("is_away",)
    search_fields = ("agent__email",)
    list_select_related = ("agent",)
    raw_id_fields = ("agent",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # One row per agent: an existing row is about its agent for good.
        return ("agent",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Through the service, like the agent's own switch.
        saved = services.set_availability(agent=obj.agent, away=obj.is_away, until=obj.away_until)
        obj.pk = saved.pk
