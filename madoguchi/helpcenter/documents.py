"""Articles and guides as search documents, and the sources `madoguchi reindex` reads them from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.urls import reverse
from django.utils import translation

from madoguchi.helpcenter.models import Article, Guide, Status
from madoguchi.safety.markdown import markdown_to_text
from madoguchi.search.documents import Document, DocumentSource

ARTICLE = "article"
GUIDE = "guide"
# What public searches ask for by name: never tickets or anything else private (the search
# service leaves private types out by default too; naming these says so at each call).
HELP_CENTER_TYPES = (ARTICLE, GUIDE)


def article_url(*, locale: str, slug: str) -> str:
    with translation.override(locale):
        return reverse("helpcenter:article", kwargs={"slug": slug})


def guide_url(*, locale: str, slug: str) -> str:
    with translation.override(locale):
        return reverse("helpcenter:guide", kwargs={"slug": slug})


class ArticleUrls:
    """Article URLs for many documents: the URLconf is asked once per language, not per article."""

    _PLACEHOLDER = "slug-placeholder"

    def __init__(self) -> None:
        self._patterns: dict[str, str] = {}

    def __call__(self, *, locale: str, slug: str) -> str:
        pattern = self._patterns.get(locale)
        if pattern is None:
            pattern = article_url(locale=locale, slug=self._PLACEHOLDER)
            self._patterns[locale] = pattern
        return pattern.replace(self._PLACEHOLDER, slug)


def _translation_slug(item: Article | Guide, slugs: Mapping[int, str] | None) -> str:
    """The other-language version's slug, which search uses to keep the pair in order.

    Bulk callers pass `slugs` (pk -> slug) so that no article costs a query of its own.
    """
    if item.translation_id is None:
        return ""
    if slugs is not None and item.translation_id in slugs:
        return slugs[item.translation_id]
    return item.translation.slug if item.translation else ""


def article_document(
    article: Article,
    *,
    urls: ArticleUrls | None = None,
    translation_slugs: Mapping[int, str] | None = None,
) -> Document:
    category = article.category
    return Document(
        type=ARTICLE,
        id=article.pk,
        locale=article.locale,
        slug=article.slug,
        title=article.title,
        body=markdown_to_text(article.body),
        url=(urls or article_url)(locale=article.locale, slug=article.slug),
        category=category.slug,
        category_name=category.name_for(article.locale),
        tags=tuple(str(tag) for tag in article.tags or ()),
        translation_of=_translation_slug(article, translation_slugs),
        visible=article.status == Status.PUBLISHED,
    )


def guide_document(guide: Guide) -> Document:
    """A guide is found by its title, summary and the words of every step and answer."""
    parts = [guide.summary]
    for step in guide.steps.all():
        parts.append(step.title)
        parts.append(markdown_to_text(step.body))
        parts.extend(choice.label for choice in step.choices.all())
    return Document(
        type=GUIDE,
        id=guide.pk,
        locale=guide.locale,
        slug=guide.slug,
        title=guide.title,
        body="\n".join(part for part in parts if part),
        url=guide_url(locale=guide.locale, slug=guide.slug),
        category=guide.category.slug,
        category_name=guide.category.name_for(guide.locale),
        translation_of=_translation_slug(guide, None),
        visible=guide.status == Status.PUBLISHED,
    )


def _published_articles() -> Iterator[Document]:
    articles = Article.objects.filter(status=Status.PUBLISHED).select_related(
        "category", "translation"
    )
    urls = ArticleUrls()
    for article in articles.iterator(chunk_size=2000):
        yield article_document(article, urls=urls)


def _published_guides() -> Iterator[Document]:
    guides = (
        Guide.objects.filter(status=Status.PUBLISHED)
        .select_related("category", "translation")
        .prefetch_related("steps__choices")
    )
    for guide in guides.iterator(chunk_size=200):
        yield guide_document(guide)


ARTICLE_SOURCE = DocumentSource(
    type=ARTICLE,
    count=lambda: Article.objects.filter(status=Status.PUBLISHED).count(),
    documents=_published_articles,
)
GUIDE_SOURCE = DocumentSource(
    type=GUIDE,
    count=lambda: Guide.objects.filter(status=Status.PUBLISHED).count(),
    documents=_published_guides,
)
