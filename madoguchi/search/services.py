"""Every write to the search index: add or replace documents, remove one, rebuild all.

Each batch is one transaction that keeps four things in step: the document rows, the
backend's full-text structure, the per-term document counts and the collection totals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from madoguchi.search.analyzers import index_terms
from madoguchi.search.backends import IndexRow, get_backend
from madoguchi.search.documents import Document, registered_sources
from madoguchi.search.models import IndexedDocument

BATCH_SIZE = 500
_FIELDS = ("title_terms", "tags_terms", "body_terms", "extra_terms")
_MAX_WORD = 100


@dataclass(frozen=True, slots=True)
class _Analyzed:
    document: Document
    title_terms: str
    tags_terms: str
    body_terms: str
    extra_terms: str


def _analyze(document: Document, words: set[tuple[str, str, str]]) -> _Analyzed:
    title, title_extra = index_terms(document.title, words)
    tags, tags_extra = index_terms("\n".join(document.tags), words)
    body, body_extra = index_terms(document.body, words)
    return _Analyzed(
        document=document,
        title_terms=title,
        tags_terms=tags,
        body_terms=body,
        extra_terms=" ".join(part for part in (title_extra, tags_extra, body_extra) if part),
    )


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(documents)
    while batch := list(islice(iterator, size)):
        yield batch


def _existing(cursor: CursorWrapper, keys: Sequence[tuple[str, int]]) -> list[IndexRow]:
    rows: list[IndexRow] = []
    by_type: dict[str, list[int]] = {}
    for doc_type, doc_id in keys:
        by_type.setdefault(doc_type, []).append(doc_id)
    for doc_type, ids in by_type.items():
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(
            "SELECT id, locale, title_terms, tags_terms, body_terms, extra_terms"  # noqa: S608 - placeholders only
            f" FROM search_document WHERE doc_type = %s AND doc_id IN ({placeholders})",
            [doc_type, *ids],
        )
        rows.extend(IndexRow(*row) for row in cursor.fetchall())
    return rows


def _term_counts(rows: Iterable[IndexRow | _Analyzed]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in rows:
        terms: set[str] = set()
        for field in _FIELDS:
            terms.update(getattr(row, field).split())
        counts.update(terms)
    return counts


def _lengths(rows: Iterable[IndexRow | _Analyzed]) -> list[int]:
    totals = [0, 0, 0, 0]
    for row in rows:
        for i, field in enumerate(_FIELDS):
            text = getattr(row, field)
            totals[i] += text.count(" ") + 1 if text else 0
    return totals


def _update_statistics(
    cursor: CursorWrapper, *, added: Sequence[_Analyzed], removed: Sequence[IndexRow]
) -> None:
    delta = _term_counts(added)
    delta.subtract(_term_counts(removed))
    cursor.executemany(
        "INSERT INTO search_term (term, documents) VALUES (%s, %s) ON CONFLICT (term)"
        " DO UPDATE SET documents = search_term.documents + excluded.documents",
        [(term, count) for term, count in delta.items() if count],
    )
    plus, minus = _lengths(added), _lengths(removed)
    cursor.execute(
        "INSERT INTO search_statistics (id, generation, documents, title_tokens, tags_tokens,"
        " body_tokens, extra_tokens) VALUES (1, 0, 0, 0, 0, 0, 0) ON CONFLICT (id) DO NOTHING"
    )
    cursor.execute(
        "UPDATE search_statistics SET generation = generation + 1,"
        " documents = documents + %s, title_tokens = title_tokens + %s,"
        " tags_tokens = tags_tokens + %s, body_tokens = body_tokens + %s,"
        " extra_tokens = extra_tokens + %s WHERE id = 1",
        [len(added) - len(removed), *(p - m for p, m in zip(plus, minus, strict=True))],
    )


def _remember_words(cursor: CursorWrapper, words: set[tuple[str, str, str]]) -> None:
    rows = [
        (word, term, reading[:_MAX_WORD])
        for word, term, reading in words
        if len(word) <= _MAX_WORD and len(term) <= _MAX_WORD and not word.isdigit()
    ]
    cursor.executemany(
        "INSERT INTO search_vocabulary (word, term, reading) VALUES (%s, %s, %s)"
        " ON CONFLICT (word) DO NOTHING",
        rows,
    )


def _forget(cursor: CursorWrapper, rows: Sequence[IndexRow]) -> None:
    if not rows:
        return
    get_backend().discard(cursor, rows)
    placeholders = ", ".join(["%s"] * len(rows))
    sql = f"DELETE FROM search_document WHERE id IN ({placeholders})"  # noqa: S608
    cursor.execute(sql, [r.pk for r in rows])


def _index_batch(batch: list[Document]) -> int:
    words: set[tuple[str, str, str]] = set()
    # Later versions of the same document in one batch win.
    latest = {(d.type, d.id): d for d in batch}
    analyzed = [_analyze(d, words) for d in latest.values() if d.visible]
    with transaction.atomic(), connection.cursor() as cursor:
        old = _existing(cursor, list(latest))
        _forget(cursor, old)
        created = IndexedDocument.objects.bulk_create(
            IndexedDocument(
                doc_type=a.document.type,
                doc_id=a.document.id,
                locale=a.document.locale,
                slug=a.document.slug,
                title=a.document.title,
                body=a.document.body,
                url=a.document.url,
                category=a.document.category,
                category_name=a.document.category_name,
                tags="\n".join(a.document.tags),
                translation_of=a.document.translation_of,
                title_terms=a.title_terms,
                tags_terms=a.tags_terms,
                body_terms=a.body_terms,
                extra_terms=a.extra_terms,
            )
            for a in analyzed
        )
        get_backend().add(
            cursor,
            [
                IndexRow(
                    pk=row.pk,
                    locale=row.locale,
                    title_terms=row.title_terms,
                    tags_terms=row.tags_terms,
                    body_terms=row.body_terms,
                    extra_terms=row.extra_terms,
                )
                for row in created
            ],
        )
        _update_statistics(cursor, added=analyzed, removed=old)
        _remember_words(cursor, words)
    return len(analyzed)


def index_documents(documents: Iterable[Document]) -> int:
    """Add or replace documents, matched by (type, id); returns how many are now indexed.

    A document with visible=False is removed instead. Documents are written in batches,
    one transaction per batch.
    """
    return sum(_index_batch(batch) for batch in _batches(documents, BATCH_SIZE))


def remove_document(*, type: str, id: int) -> None:
    """Take one document out of the index; nothing happens if it was not there."""
    with transaction.atomic(), connection.cursor() as cursor:
        old = _existing(cursor, [(type, id)])
        if old:
            _forget(cursor, old)
            _update_statistics(cursor, added=[], removed=old)


def clear_index() -> None:
    """Empty the index and its statistics (the synonyms and the query log stay)."""
    with transaction.atomic(), connection.cursor() as cursor:
        get_backend().clear(cursor)
        cursor.execute("DELETE FROM search_document")
        cursor.execute("DELETE FROM search_term")
        cursor.execute("DELETE FROM search_vocabulary")
        cursor.execute(
            "UPDATE search_statistics SET generation = generation + 1, documents = 0,"
            " title_tokens = 0, tags_tokens = 0, body_tokens = 0, extra_tokens = 0"
        )


def rebuild_index(*, progress: Callable[[int], None] | None = None) -> int:
    """Index every document of every registered source again, from an empty index.

    `progress` is called with the number of documents read after each batch.
    """
    clear_index()
    total = 0
    for source in registered_sources():
        for batch in _batches(source.documents(), BATCH_SIZE):
            total += _index_batch(batch)
            if progress is not None:
                progress(len(batch))
    return total


def total_to_rebuild() -> int:
    return sum(source.count() for source in registered_sources())
