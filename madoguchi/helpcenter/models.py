"""The Help Center's data: categories and sections, bilingual articles with their revisions,
branching troubleshooting guides, "was this helpful?" votes and uploaded screenshots.

Writes go through `madoguchi.helpcenter.services`; the invariants that need more than one row
(symmetric translation links, a guide whose every path ends) are kept there.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import validate_slug
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Locale(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")


LOCALES: tuple[str, ...] = tuple(Locale.values)


def other_locale(locale: str) -> str:
    return Locale.EN if locale == Locale.JA else Locale.JA


class ProblemType(models.TextChoices):
    """What a customer needs help with; preselected on "contact support" at the end of a guide."""

    LOGIN = "login", _("Cannot log in")
    DEPOSIT = "deposit", _("Deposits")
    WITHDRAWAL = "withdrawal", _("Withdrawals")
    TRADING = "trading", _("Trading")
    SECURITY = "security", _("Account security")
    ACCOUNT = "account", _("Account and verification")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    icon = models.CharField(
        _("icon"), max_length=32, blank=True, help_text=_("An emoji or a short symbol.")
    )

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.name_ja} / {self.name_en}"

    def name_for(self, locale: str) -> str:
        return self.name_en if locale == Locale.EN else self.name_ja

    def description_for(self, locale: str) -> str:
        return self.description_en if locale == Locale.EN else self.description_ja

    @property
    def name(self) -> str:
        """The name in the language of the current request, for templates."""
        return self.name_for(get_language() or Locale.JA)

    @property
    def description(self) -> str:
        return self.description_for(get_language() or Locale.JA)


class Section(models.Model):
    """A group of articles inside a category, shared by both languages."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="sections", verbose_name=_("category")
    )
    slug = models.SlugField(_("slug"), max_length=64)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["category", "slug"], name="section_unique_slug")
        ]

    def __str__(self) -> str:
        return f"{self.category.slug} / {self.name_ja} / {self.name_en}"

    def name_for(self, locale: str) -> str:
        return self.name_en if locale == Locale.EN else self.name_ja

    @property
    def name(self) -> str:
        return self.name_for(get_language() or Locale.JA)


class Article(models.Model):
    slug = models.CharField(_("slug"), max_length=200, validators=[validate_slug])
    locale = models.CharField(_("language"), max_length=2, choices=Locale.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("section"),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # One row per pair points each way; services keep a.translation.translation == a.
    translation = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    last_reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )

    class Meta:
        ordering = ["category", "title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="article_unique_slug_locale")
        ]
        indexes = [
            models.Index(fields=["locale", "status", "category"], name="article_listing"),
        ]

    def __str__(self) -> str:
        return f"[{self.locale}] {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class ArticleRevision(models.Model):
    """The state of an article after one edit; the newest revision equals the article."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class StepKind(models.TextChoices):
    QUESTION = "question", _("Question")
    FIX = "fix", _("Fix")
    CONTACT = "contact", _("Contact support")


class Guide(models.Model):
    """A troubleshooting guide: questions that branch until a fix or "contact support"."""

    slug = models.CharField(_("slug"), max_length=200, validators=[validate_slug])
    locale = models.CharField(_("language"), max_length=2, choices=Locale.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="guides", verbose_name=_("category")
    )
    problem_type = models.CharField(
        _("problem type"), max_length=16, choices=ProblemType.choices, default=ProblemType.OTHER
    )
    translation = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translation"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    start_step = models.ForeignKey(
        "GuideStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first step"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        ordering = ["category", "title"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="guide_unique_slug_locale")
        ]

    def __str__(self) -> str:
        return f"[{self.locale}] {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED


class GuideStep(models.Model):
    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="steps", verbose_name=_("guide")
    )
    key = models.SlugField(_("key"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body (Markdown)"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["guide", "position", "id"]
        verbose_name = _("guide step")
        verbose_name_plural = _("guide steps")
        constraints = [
            models.UniqueConstraint(fields=["guide", "key"], name="guidestep_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"


class GuideChoice(models.Model):
    step = models.ForeignKey(
        GuideStep, on_delete=models.CASCADE, related_name="choices", verbose_name=_("step")
    )
    label = models.CharField(_("label"), max_length=200)
    next_step = models.ForeignKey(
        GuideStep, on_delete=models.CASCADE, related_name="+", verbose_name=_("next step")
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["step", "position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.label


class Feedback(models.Model):
    """One "was this helpful?" vote per visitor session and article; a later vote replaces it."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("article")
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    # A hash of the session key: enough to count one vote per session, useless to hijack it.
    voter = models.CharField(_("voter"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["article", "voter"], name="feedback_one_per_voter")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class ArticleImage(models.Model):
    """A screenshot uploaded by an editor, stored re-encoded without its metadata."""

    file = models.ImageField(_("file"), upload_to="helpcenter/images/%Y/%m/")
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")

    def __str__(self) -> str:
        return self.file.name or ""
