"""Importing many articles at once: bulk writes in one transaction, one reindex batch after it.

`import_articles` is idempotent on (slug, locale): an unchanged article is not written, gets no
revision and is not reindexed. Translations are linked in a second pass, so an article may
name a translation that comes later in the same import.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.helpcenter.article_files import ArticleRecord, ImportProblem
from madoguchi.helpcenter.category_names import category_names, section_names
from madoguchi.helpcenter.documents import ArticleUrls, article_document
from madoguchi.helpcenter.models import (
    Article,
    ArticleRevision,
    Category,
    Section,
    Status,
    other_locale,
)
from madoguchi.search.services import index_documents, remove_document

T = TypeVar("T")
BATCH = 500
_COMPARED = ("title", "body", "category_id", "section_id", "tags", "status")


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    categories_created: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _categories(records: Sequence[ArticleRecord], report: ImportReport) -> dict[str, Category]:
    wanted = sorted({record.category for record in records})
    found = {c.slug: c for c in Category.objects.filter(slug__in=wanted)}
    missing = [slug for slug in wanted if slug not in found]
    if missing:
        created = Category.objects.bulk_create(
            Category(slug=slug, name_ja=names[0], name_en=names[1], position=names[2])
            for slug in missing
            for names in [category_names(slug)]
        )
        report.categories_created = len(created)
        found.update({c.slug: c for c in Category.objects.filter(slug__in=missing)})
    return found


def _sections(
    records: Sequence[ArticleRecord], categories: dict[str, Category]
) -> dict[tuple[str, str], Section]:
    wanted = {(r.category, r.section) for r in records if r.section}
    if not wanted:
        return {}
    found = {
        (s.category.slug, s.slug): s
        for s in Section.objects.filter(category__slug__in={c for c, _s in wanted}).select_related(
            "category"
        )
    }
    missing = [key for key in sorted(wanted) if key not in found]
    if missing:
        Section.objects.bulk_create(
            Section(category=categories[cat], slug=slug, name_ja=ja, name_en=en)
            for cat, slug in missing
            for ja, en in [section_names(slug)]
        )
        for s in Section.objects.filter(category__slug__in={c for c, _s in missing}).select_related(
            "category"
        ):
            found[(s.category.slug, s.slug)] = s
    return found


def _existing(records: Sequence[ArticleRecord]) -> dict[tuple[str, str], Article]:
    found: dict[tuple[str, str], Article] = {}
    by_locale: dict[str, list[str]] = {}
    for record in records:
        by_locale.setdefault(record.locale, []).append(record.slug)
    for locale, slugs in by_locale.items():
        for chunk in _chunks(slugs):
            for article in Article.objects.filter(locale=locale, slug__in=chunk):
                found[(article.slug, article.locale)] = article
    return found


def _unique(
    records: Iterable[ArticleRecord | ImportProblem],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> list[ArticleRecord]:
    """Good records, first come first kept; a repeated (slug, locale) is reported."""
    kept: dict[tuple[str, str], ArticleRecord] = {}
    for item in records:
        if progress is not None:
            progress(1)
        if isinstance(item, ImportProblem):
            report.problems.append(item)
            continue
        key = (item.slug, item.locale)
        if key in kept:
            first = kept[key]
            where = f"{first.source}:{first.line}" if first.line is not None else first.source
            report.problems.append(
                ImportProblem(
                    item.source,
                    item.line,
                    _("“%(slug)s” (%(locale)s) already came in %(where)s")
                    % {"slug": item.slug, "locale": item.locale, "where": where},
                )
            )
            continue
        kept[key] = item
    return list(kept.values())


def import_articles(
    records: Iterable[ArticleRecord | ImportProblem],
    *,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update every good record; report the bad ones (and pass problems through).

    `progress(n)` is called as records are read. Everything is written in one
    transaction; the changed published articles go to search in one batch after commit.
    """
    report = ImportReport()
    good = _unique(records, report, progress)
    if not good:
        return report
    now = timezone.now()
    with transaction.atomic():
        categories = _categories(good, report)
        sections = _sections(good, categories)
        existing = _existing(good)
        new: list[Article] = []
        changed: list[Article] = []
        for record in good:
            category = categories[record.category]
            section = sections.get((record.category, record.section)) if record.section else None
            values = {
                "title": record.title,
                "body": record.body,
                "category_id": category.pk,
                "section_id": section.pk if section else None,
                "tags": list(record.tags),
                "status": record.status,
            }
            article = existing.get((record.slug, record.locale))
            if article is None:
                article = Article(slug=record.slug, locale=record.locale, created_at=now, **values)
                new.append(article)
            elif any(getattr(article, name) != values[name] for name in _COMPARED):
                for name, value in values.items():
                    setattr(article, name, value)
                changed.append(article)
            else:
                report.unchanged += 1
                continue
            article.category = category  # for the search document, without a query
            article.updated_at = now
            if article.status == Status.PUBLISHED and article.published_at is None:
                article.published_at = now
        Article.objects.bulk_create(new, batch_size=BATCH)
        Article.objects.bulk_update(
            changed, [*_COMPARED, "updated_at", "published_at"], batch_size=BATCH
        )
        report.created, report.updated = len(new), len(changed)
        ArticleRevision.objects.bulk_create(
            (
                ArticleRevision(
                    article=article, title=article.title, body=article.body, note=_("Imported")
                )
                for article in (*new, *changed)
            ),
            batch_size=BATCH,
        )
        stored = {(a.slug, a.locale): a for a in (*existing.values(), *new)}
        relinked = _link_translations(good, stored, report)
        slugs = {a.pk: a.slug for a in stored.values()}
        touched = [*new, *changed]
        seen = {a.pk for a in touched}
        touched += [a for a in stored.values() if a.pk in relinked and a.pk not in seen]
        # Only published articles reach search here; a changed one that became a draft
        # must also leave it.
        withdrawn = [a.pk for a in changed if a.status != Status.PUBLISHED]
        transaction.on_commit(lambda: _reindex(touched, withdrawn, slugs))
    return report


# From this many articles on, analysis is spread over one process per core.
PARALLEL_FROM = 5000


def _reindex(articles: list[Article], withdrawn: list[int], slugs: dict[int, str]) -> None:
    urls = ArticleUrls()
    workers = (os.cpu_count() or 1) if len(articles) >= PARALLEL_FROM else 1
    index_documents(
        (
            article_document(a, urls=urls, translation_slugs=slugs)
            for a in articles
            if a.status == Status.PUBLISHED
        ),
        workers=workers,
    )
    for pk in withdrawn:
        remove_document(type="article", id=pk)


def _link_translations(
    records: Sequence[ArticleRecord],
    stored: dict[tuple[str, str], Article],
    report: ImportReport,
) -> set[int]:
    """Link each record to its `translation_of`; returns the pks whose link changed."""
    wanted: dict[int, int] = {}
    outside: list[tuple[ArticleRecord, tuple[str, str]]] = []
    for record in records:
        if record.translation_of:
            target = (record.translation_of, other_locale(record.locale))
            if target not in stored:
                outside.append((record, target))
    if outside:
        # Translations that already exist in the database but were not in this import.
        by_locale: dict[str, list[str]] = {}
        for _record, (slug, locale) in outside:
            by_locale.setdefault(locale, []).append(slug)
        for locale, slugs in by_locale.items():
            for chunk in _chunks(sorted(set(slugs))):
                for article in Article.objects.filter(locale=locale, slug__in=chunk):
                    stored[(article.slug, article.locale)] = article
    for record in records:
        if not record.translation_of:
            continue
        me = stored[(record.slug, record.locale)]
        other = stored.get((record.translation_of, other_locale(record.locale)))
        if other is None:
            report.problems.append(
                ImportProblem(
                    record.source,
                    record.line,
                    _("translation_of: no %(locale)s article “%(slug)s”")
                    % {"locale": other_locale(record.locale), "slug": record.translation_of},
                )
            )
            continue
        if wanted.get(me.pk, other.pk) != other.pk or wanted.get(other.pk, me.pk) != me.pk:
            report.problems.append(
                ImportProblem(
                    record.source,
                    record.line,
                    _("translation_of: “%(slug)s” is already the translation of another article")
                    % {"slug": record.translation_of},
                )
            )
            continue
        wanted[me.pk] = other.pk
        wanted[other.pk] = me.pk
    by_pk = {a.pk: a for a in stored.values()}
    moving = {pk for pk, target in wanted.items() if by_pk[pk].translation_id != target}
    if not moving:
        return set()
    # A partner of a moving article is rewritten too, so that clearing it below is undone.
    moving |= {pk for pk, target in wanted.items() if target in moving}
    # Free both ends first, then link: the one-to-one column never holds a value twice.
    for pks in _chunks(sorted(moving)):
        Article.objects.filter(translation__in=pks).update(translation=None)
        Article.objects.filter(pk__in=pks).update(translation=None)
    updates = []
    for pk in sorted(moving):
        article = by_pk[pk]
        article.translation_id = wanted[pk]
        updates.append(article)
    Article.objects.bulk_update(updates, ["translation"], batch_size=BATCH)
    report.linked = len(moving) // 2
    return moving
