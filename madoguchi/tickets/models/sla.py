"""SLA policies: the response and resolution targets per problem type and priority, counted in
the business hours of a calendar an admin edits (the arithmetic is `madoguchi.tickets.sla`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tickets.models.core import Priority, ProblemType, SupportGroup, _in_language


def default_weekly_hours() -> dict[str, list[list[str]]]:
    office = [["09:00", "18:00"]]
    return {"mon": office, "tue": office, "wed": office, "thu": office, "fri": office}


def default_yearly_closures() -> list[str]:
    return ["12-31", "01-01", "01-02", "01-03"]


class BusinessHours(models.Model):
    """When the desk works: a time zone, opening hours per weekday, national holidays, closures.

    `weekly_hours` maps "mon".."sun" to lists of ["HH:MM", "HH:MM"] intervals ("24:00" or
    "00:00" as a closing time is midnight at the end of the day); a missing day is closed.
    `closed_dates` are "YYYY-MM-DD" one-off closures, `closed_every_year` "MM-DD" ones.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tokyo")
    weekly_hours = models.JSONField(_("opening hours"), default=default_weekly_hours)
    holiday_country = models.CharField(
        _("national holidays of"),
        max_length=8,
        blank=True,
        default="JP",
        help_text=_("An ISO 3166 country code such as JP; empty for no national holidays."),
    )
    closed_dates = models.JSONField(_("closed on"), default=list, blank=True)
    closed_every_year = models.JSONField(
        _("closed every year on"), default=default_yearly_closures, blank=True
    )

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class SlaPolicy(models.Model):
    """Targets for the tickets it matches: the first active policy in `position` order whose
    problem type and priority match (an empty one matches any) applies when a ticket is routed
    and again when its priority or problem type changes."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    problem_type = models.ForeignKey(
        ProblemType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("problem type"),
        help_text=_("Empty: any problem type."),
    )
    priority = models.CharField(
        _("priority"),
        max_length=8,
        choices=Priority.choices,
        blank=True,
        help_text=_("Empty: any priority."),
    )
    business_hours = models.ForeignKey(
        BusinessHours,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("business hours"),
        help_text=_("Empty: the clock runs around the clock, every day."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response within (minutes)"),
        null=True,
        blank=True,
        help_text=_("After each customer message that follows an answer."),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (minutes)"), null=True, blank=True
    )
    warn_before_minutes = models.PositiveIntegerField(
        _("warn this many minutes before a breach"), default=30
    )
    escalate_to_priority = models.CharField(
        _("on breach, raise priority to"), max_length=8, choices=Priority.choices, blank=True
    )
    escalate_to_group = models.ForeignKey(
        SupportGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on breach, move to group"),
    )
    notify_on_breach = models.BooleanField(
        _("on breach, notify the assignee and the group"), default=True
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self, "name")
