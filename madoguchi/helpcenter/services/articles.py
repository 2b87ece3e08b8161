"""Writing articles, categories and sections: every edit leaves a revision and reaches search."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from madoguchi.helpcenter.article_files import normalize_body
from madoguchi.helpcenter.documents import ARTICLE, article_document
from madoguchi.helpcenter.errors import HelpCenterError, HelpCenterErrorCode
from madoguchi.helpcenter.models import (
    Article,
    ArticleRevision,
    Category,
    Section,
    Status,
)
from madoguchi.search.services import index_documents, remove_document

# The fields whose change is an edit worth a revision and a new search document.
_CONTENT_FIELDS = ("slug", "locale", "title", "body", "category", "section", "tags", "status")


def reindex_articles_on_commit(articles: Iterable[Article]) -> None:
    """After the transaction commits, publish what is published and withdraw the rest."""
    visible = [article_document(a) for a in articles if a.status == Status.PUBLISHED]
    hidden = [a.pk for a in articles if a.status != Status.PUBLISHED]

    def push() -> None:
        if visible:
            index_documents(visible)
        for pk in hidden:
            remove_document(type=ARTICLE, id=pk)

    transaction.on_commit(push)


def save_category(
    *,
    slug: str,
    name_ja: str,
    name_en: str,
    description_ja: str = "",
    description_en: str = "",
    position: int = 0,
    icon: str = "",
    category: Category | None = None,
) -> Category:
    """Create or change a category; its published articles are reindexed for the new name."""
    with transaction.atomic():
        if category is None:
            category = Category.objects.filter(slug=slug).first() or Category(slug=slug)
        values: dict[str, Any] = {
            "slug": slug,
            "name_ja": name_ja,
            "name_en": name_en,
            "description_ja": description_ja,
            "description_en": description_en,
            "position": position,
            "icon": icon,
        }
        changed = [name for name, value in values.items() if getattr(category, name) != value]
        for name in changed:
            setattr(category, name, values[name])
        if category.pk is None:
            category.full_clean()
            category.save()
        elif changed:
            category.full_clean()
            category.save(update_fields=changed)
            if {"slug", "name_ja", "name_en"} & set(changed):
                published = category.articles.filter(status=Status.PUBLISHED)
                reindex_articles_on_commit(list(published.select_related("category")))
        return category


def save_section(
    *,
    category: Category,
    slug: str,
    name_ja: str,
    name_en: str,
    position: int = 0,
    section: Section | None = None,
) -> Section:
    with transaction.atomic():
        if section is None:
            section = Section.objects.filter(category=category, slug=slug).first() or Section(
                category=category, slug=slug
            )
        section.category = category
        section.slug = slug
        section.name_ja = name_ja
        section.name_en = name_en
        section.position = position
        section.full_clean()
        section.save()
        return section


def save_article(
    *,
    author: Any,
    slug: str,
    locale: str,
    title: str,
    body: str,
    category: Category,
    section: Section | None = None,
    tags: Sequence[str] = (),
    status: str = Status.DRAFT,
    article: Article | None = None,
    note: str = "",
) -> Article:
    """Create an article, or change `article`; an edit that changes something leaves a revision.

    An unchanged save writes nothing, so importing the same content twice is a no-op.
    Raises django.core.exceptions.ValidationError for an invalid slug, locale or a slug
    already used in that language.
    """
    with transaction.atomic():
        creating = article is None
        if article is None:
            article = Article(author=author)
        values: dict[str, Any] = {
            "slug": slug,
            "locale": locale,
            "title": title.strip(),
            # One stored form (LF line ends, no blank lines around), so that a browser's
            # CRLF or an export-import round trip is not mistaken for an edit.
            "body": normalize_body(body),
            "category": category,
            "section": section,
            "tags": list(tags),
            "status": status,
        }
        changed = [
            name for name in _CONTENT_FIELDS if creating or _differs(article, name, values[name])
        ]
        if not changed:
            return article
        if not creating and "locale" in changed and article.translation_id is not None:
            # A translation into the language the article now has would no longer be one.
            unlink_translation(article=article)
        for name in changed:
            setattr(article, name, values[name])
        if status == Status.PUBLISHED and article.published_at is None:
            article.published_at = timezone.now()
            changed.append("published_at")
        article.full_clean(exclude=["translation"], validate_unique=True)
        if creating:
            article.save()
        else:
            article.save(update_fields=[*changed, "updated_at"])
        ArticleRevision.objects.create(
            article=article, title=article.title, body=article.body, author=author, note=note
        )
        reindex_articles_on_commit([article])
        return article


def _differs(article: Article, name: str, value: Any) -> bool:
    if name in {"category", "section"}:
        # Compare keys: reading the relation would cost a query per field.
        return getattr(article, f"{name}_id") != (value.pk if value is not None else None)
    return bool(getattr(article, name) != value)


def publish_article(*, article: Article, actor: Any) -> Article:
    return _set_status(article=article, actor=actor, status=Status.PUBLISHED)


def unpublish_article(*, article: Article, actor: Any) -> Article:
    return _set_status(article=article, actor=actor, status=Status.DRAFT)


def _set_status(*, article: Article, actor: Any, status: str) -> Article:
    return save_article(
        author=actor,
        article=article,
        slug=article.slug,
        locale=article.locale,
        title=article.title,
        body=article.body,
        category=article.category,
        section=article.section,
        tags=article.tags,
        status=status,
        note=str(Status(status).label),
    )


def delete_article(*, article: Article) -> None:
    with transaction.atomic():
        pk = article.pk
        if article.translation_id is not None:
            unlink_translation(article=article)
        article.delete()
        transaction.on_commit(lambda: remove_document(type=ARTICLE, id=pk))


def mark_reviewed(*, article: Article, reviewer: Any) -> Article:
    """An editor read the article and found it still right; it leaves the stale list."""
    with transaction.atomic():
        article.last_reviewed_at = timezone.now()
        article.reviewed_by = reviewer
        article.save(update_fields=["last_reviewed_at", "reviewed_by"])
        return article


def link_translations(*, article: Article, translation: Article) -> None:
    """Make `article` and `translation` each other's other-language version.

    Whatever either was linked to before is unlinked, so links stay symmetric.
    """
    if article.locale == translation.locale or article.pk == translation.pk:
        raise HelpCenterError(HelpCenterErrorCode.SAME_LANGUAGE_TRANSLATION)
    with transaction.atomic():
        if article.translation_id == translation.pk and translation.translation_id == article.pk:
            return
        for one in (article, translation):
            if one.translation_id is not None:
                unlink_translation(article=one)
        # Both sides are now free, so the one-to-one constraint holds after each update.
        Article.objects.filter(pk=article.pk).update(translation=translation)
        Article.objects.filter(pk=translation.pk).update(translation=article)
        article.translation = translation
        translation.translation = article
        reindex_articles_on_commit([article, translation])


def unlink_translation(*, article: Article) -> None:
    with transaction.atomic():
        partners = list(Article.objects.filter(translation=article).select_related("category"))
        Article.objects.filter(translation=article).update(translation=None)
        Article.objects.filter(pk=article.pk).update(translation=None)
        article.translation = None
        for partner in partners:
            partner.translation = None
        reindex_articles_on_commit([article, *partners])
