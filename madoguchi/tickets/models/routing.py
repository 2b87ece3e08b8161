"""Routing rules an admin edits without code, and whether an agent is taking tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tickets.models.core import Priority, ProblemType, SupportGroup


class RoutingRule(models.Model):
    """When a new ticket matches every condition that is set (an empty condition matches
    anything; a list matches any of its values), the rule's actions apply. Rules run in
    `position` order; a rule with `stop` ends the walk. What applied is written to the ticket's
    history."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Conditions.
    problem_types = models.ManyToManyField(
        ProblemType, blank=True, related_name="+", verbose_name=_("problem types")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    customer_tiers = models.JSONField(
        _("customer tiers"),
        default=list,
        blank=True,
        help_text=_('Matched against the "tier" of the account context.'),
    )
    tags = models.JSONField(_("any of the tags"), default=list, blank=True)
    # Actions.
    set_group = models.ForeignKey(
        SupportGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("move to group"),
    )
    set_priority = models.CharField(
        _("set priority"), max_length=8, choices=Priority.choices, blank=True
    )
    add_tags = models.JSONField(_("add tags"), default=list, blank=True)
    set_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assign to"),
        help_text=_("Empty: the group's own assignment (round robin, least busy or by hand)."),
    )
    stop = models.BooleanField(_("stop after this rule"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class AgentAvailability(models.Model):
    """An agent who is away is skipped by automatic assignment until they are back."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availability",
        verbose_name=_("agent"),
    )
    is_away = models.BooleanField(_("away"), default=False)
    away_until = models.DateTimeField(_("away until"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("agent availability")
        verbose_name_plural = _("agent availability")

    def __str__(self) -> str:
        return str(self.agent)
