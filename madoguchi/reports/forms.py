"""The report's choices: a period of whole days, a group and a breakdown, all validated."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.reports.selectors import Breakdown, Period
from madoguchi.tickets.models import SupportGroup

DEFAULT_DAYS = 30
# A year and a day, so that a whole leap year fits; longer periods are what exports are for.
MAX_DAYS = 366
EARLIEST = date(2000, 1, 1)
ALL_GROUPS = ""


def today() -> date:
    return timezone.localdate()  # the site's time zone: Asia/Tokyo


class ReportForm(forms.Form):
    """`from`, `to` (YYYY-MM-DD, both included), `group` (a slug or all) and `by`."""

    group = forms.ChoiceField(label=_("Group"), required=False)  # choices: the reader's groups
    by = forms.ChoiceField(
        label=_("Broken down by"),
        required=False,
        choices=[(breakdown.value, breakdown.label) for breakdown in Breakdown],
    )

    def __init__(
        self, data: QueryDict, *, groups: list[SupportGroup], every_group: bool, **kwargs: Any
    ):
        if not data.get("from") and not data.get("to"):
            # The default period, written into the form so that its fields show it.
            data = data.copy()
            data["to"] = today().isoformat()
            data["from"] = (today() - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        super().__init__(data, **kwargs)
        # "from" is a Python keyword, so these two fields are added by name.
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields = {
            "from": forms.DateField(
                label=_("From"), required=False, input_formats=["%Y-%m-%d"], widget=date_input
            ),
            "to": forms.DateField(
                label=_("To"), required=False, input_formats=["%Y-%m-%d"], widget=date_input
            ),
            **self.fields,
        }
        self.groups = {group.slug: group for group in groups}
        everything = _("All groups") if every_group else _("All my groups")
        cast(forms.ChoiceField, self.fields["group"]).choices = [
            (ALL_GROUPS, everything),
            *((group.slug, group.name) for group in groups),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        last = cleaned.get("to") or today()
        first = cleaned.get("from") or last - timedelta(days=DEFAULT_DAYS - 1)
        if first < EARLIEST:
            raise forms.ValidationError(
                _("Reports start on %(date)s at the earliest."),
                code="too_early",
                params={"date": EARLIEST.isoformat()},
            )
        if last > today():
            raise forms.ValidationError(_("The end date is in the future."), code="future")
        if first > last:
            raise forms.ValidationError(
                _("The start date comes after the end date."), code="reversed"
            )
        if (last - first).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                _("A report covers at most %(days)s days."),
                code="too_long",
                params={"days": MAX_DAYS},
            )
        cleaned["period"] = Period(first, last)
        return cleaned

    @property
    def period(self) -> Period:
        return cast(Period, self.cleaned_data["period"])

    @property
    def chosen_group(self) -> SupportGroup | None:
        return self.groups.get(self.cleaned_data.get("group") or ALL_GROUPS)

    @property
    def breakdown(self) -> Breakdown:
        return Breakdown(self.cleaned_data.get("by") or Breakdown.GROUP)
