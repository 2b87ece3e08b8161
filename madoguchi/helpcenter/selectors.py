"""Reads shared by the Help Center's pages, the editor dashboard and the API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from madoguchi.helpcenter.article_files import ArticleRecord
from madoguchi.helpcenter.models import (
    Article,
    ArticleRevision,
    Category,
    Guide,
    GuideChoice,
    GuideStep,
    ProblemType,
    Section,
    Status,
)
from madoguchi.helpcenter.permissions import visible_articles, visible_guides

# The five problems customers meet most, in the order the home page shows their guides.
COMMON_PROBLEMS = (
    ProblemType.LOGIN,
    ProblemType.DEPOSIT,
    ProblemType.WITHDRAWAL,
    ProblemType.TRADING,
    ProblemType.SECURITY,
)


def categories_with_counts(*, locale: str) -> QuerySet[Category]:
    """Categories that hold something published in `locale`, with the number of articles."""
    published = Q(articles__status=Status.PUBLISHED, articles__locale=locale)
    return (
        Category.objects.annotate(article_count=Count("articles", filter=published))
        .filter(article_count__gt=0)
        .order_by("position", "slug")
    )


def common_problem_guides(*, locale: str) -> list[Guide]:
    """One published guide per common problem, in the order of COMMON_PROBLEMS."""
    guides = Guide.objects.filter(
        locale=locale, status=Status.PUBLISHED, problem_type__in=COMMON_PROBLEMS
    ).select_related("category")
    first: dict[str, Guide] = {}
    for guide in guides.order_by("created_at", "pk"):
        first.setdefault(guide.problem_type, guide)
    return [first[p] for p in COMMON_PROBLEMS if p in first]


def published_guides(*, locale: str) -> QuerySet[Guide]:
    return Guide.objects.filter(locale=locale, status=Status.PUBLISHED).select_related("category")


@dataclass(frozen=True, slots=True)
class SectionListing:
    section: Section | None
    articles: list[Article]


def category_listing(*, user: Any, category: Category, locale: str) -> list[SectionListing]:
    """The category's articles in `locale`, grouped by section; unsectioned ones last."""
    articles = (
        visible_articles(user)
        .filter(category=category, locale=locale)
        .select_related("section")
        .order_by("title")
    )
    grouped: dict[int | None, list[Article]] = {}
    for article in articles:
        grouped.setdefault(article.section_id, []).append(article)
    listings = [
        SectionListing(section, grouped[section.pk])
        for section in category.sections.all()
        if section.pk in grouped
    ]
    if None in grouped:
        listings.append(SectionListing(None, grouped[None]))
    return listings


def category_guides(*, user: Any, category: Category, locale: str) -> QuerySet[Guide]:
    return visible_guides(user).filter(category=category, locale=locale).order_by("title")


def related_articles(*, article: Article, limit: int = 5) -> list[Article]:
    """Published articles of the same language and category, those sharing tags first."""
    candidates = list(
        Article.objects.filter(
            category_id=article.category_id, locale=article.locale, status=Status.PUBLISHED
        )
        .exclude(pk=article.pk)
        .only("slug", "locale", "title", "tags")
        .order_by("-updated_at")[:50]
    )
    tags = {str(tag).lower() for tag in article.tags or ()}
    candidates.sort(key=lambda a: -len(tags & {str(t).lower() for t in a.tags or ()}))
    return candidates[:limit]


def guide_steps(guide: Guide) -> dict[str, GuideStep]:
    """Every step of the guide by key, each with its choices and their next steps loaded."""
    choices = GuideChoice.objects.select_related("next_step").order_by("position", "pk")
    steps = guide.steps.prefetch_related(Prefetch("choices", queryset=choices))
    return {step.key: step for step in steps}


def stale_articles(*, days: int, limit: int = 200) -> QuerySet[Article]:
    """Published articles nobody reviewed (or edited) for `days` days, oldest first."""
    cutoff = timezone.now() - timedelta(days=days)
    return (
        Article.objects.filter(status=Status.PUBLISHED, updated_at__lt=cutoff)
        .filter(Q(last_reviewed_at__isnull=True) | Q(last_reviewed_at__lt=cutoff))
        .select_related("category", "reviewed_by")
        .order_by("last_reviewed_at", "updated_at")[:limit]
    )


def feedback_summary(*, limit: int = 100) -> QuerySet[Article]:
    """Articles with votes: helpful, not helpful and comment counts, least helpful first."""
    return (
        Article.objects.annotate(
            helpful_count=Count("feedback", filter=Q(feedback__helpful=True)),
            unhelpful_count=Count("feedback", filter=Q(feedback__helpful=False)),
            comment_count=Count("feedback", filter=~Q(feedback__comment="")),
        )
        .filter(Q(helpful_count__gt=0) | Q(unhelpful_count__gt=0))
        .order_by("-unhelpful_count", "helpful_count", "pk")[:limit]
    )


def recent_comments(*, article: Article, limit: int = 20) -> QuerySet[Any]:
    return article.feedback.exclude(comment="").order_by("-updated_at")[:limit]


def revisions(*, article: Article) -> QuerySet[ArticleRevision]:
    return article.revisions.select_related("author").order_by("-created_at", "-pk")


def export_records(*, locale: str | None = None) -> Iterator[ArticleRecord]:
    """Every article as the import reads it, in a stable order (by language, then slug)."""
    articles = Article.objects.select_related("category", "section", "translation").order_by(
        "locale", "slug"
    )
    if locale:
        articles = articles.filter(locale=locale)
    for article in articles.iterator(chunk_size=2000):
        yield ArticleRecord(
            slug=article.slug,
            locale=article.locale,
            title=article.title,
            category=article.category.slug,
            body=article.body,
            tags=tuple(str(tag) for tag in article.tags or ()),
            translation_of=article.translation.slug if article.translation else "",
            section=article.section.slug if article.section else "",
            status=article.status,
        )
