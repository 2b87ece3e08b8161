"""What the support form keeps of its own: contacts that an article ended before any ticket."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tickets.models import ProblemType


class Deflection(models.Model):
    """A customer on the support form said a suggested article solved the problem.

    No ticket was filed; the row is what the self-service reports count.
    """

    problem_type = models.ForeignKey(
        ProblemType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deflections",
        verbose_name=_("problem type"),
    )
    # The article's path in the Help Center (/ja/articles/<slug>/), as suggested.
    article = models.CharField(_("article"), max_length=200)
    language = models.CharField(_("language"), max_length=8)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("solved by an article")
        verbose_name_plural = _("solved by an article")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.article
