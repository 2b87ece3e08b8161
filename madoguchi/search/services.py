"""Every write to the search index: add or replace documents, remove one, rebuild all.

Each batch is one transaction that keeps four things in step: the document rows, the
backend's full-text structure, the per-term document counts and the totals, the last two
per scope (the public collection, and each private type on its own: documents.scope_of).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from madoguchi.search.analyzers import index_terms, ja
from madoguchi.search.backends import FieldTerms, get_backend
from madoguchi.search.documents import PUBLIC, Document, registered_sources, scope_of

BATCH_SIZE = 500
PARALLEL_FROM = 5000  # documents; below that, starting worker processes costs more
_FIELDS = ("title_terms", "tags_terms", "body_terms", "extra_terms")
_MAX_WORD = 100


@dataclass(frozen=True, slots=True)
class IndexRow:
    """A document as it is indexed now (to undo its statistics when it goes)."""

    pk: int
    doc_type: str
    locale: str
    title_terms: str
    tags_terms: str
    body_terms: str
    extra_terms: str


@dataclass(frozen=True, slots=True)
class _Analyzed(FieldTerms):
    document: Document


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
            "SELECT id, doc_type, locale, title_terms, tags_terms, body_terms, extra_terms"  # noqa: S608 - placeholders only
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
    by_scope: dict[str, tuple[list[_Analyzed], list[IndexRow]]] = {}
    for analyzed in added:
        by_scope.setdefault(scope_of(analyzed.document.type), ([], []))[0].append(analyzed)
    for row in removed:
        by_scope.setdefault(scope_of(row.doc_type), ([], []))[1].append(row)
    # Each scope counts its own documents only; always in the same order, so that two
    # writers lock the statistics rows in the same order.
    for scope, (plus_rows, minus_rows) in sorted(by_scope.items()):
        _update_scope(cursor, scope, added=plus_rows, removed=minus_rows)


def _update_scope(
    cursor: CursorWrapper, scope: str, *, added: Sequence[_Analyzed], removed: Sequence[IndexRow]
) -> None:
    delta = _term_counts(added)
    delta.subtract(_term_counts(removed))
    cursor.executemany(
        "INSERT INTO search_scope_term (scope, term, documents) VALUES (%s, %s, %s)"
        " ON CONFLICT (scope, term)"
        " DO UPDATE SET documents = search_scope_term.documents + excluded.documents",
        [(scope, term, count) for term, count in delta.items() if count],
    )
    plus, minus = _lengths(added), _lengths(removed)
    cursor.execute(
        "INSERT INTO search_scope_statistics (scope, generation, documents, title_tokens,"
        " tags_tokens, body_tokens, extra_tokens) VALUES (%s, 0, 0, 0, 0, 0, 0)"
        " ON CONFLICT (scope) DO NOTHING",
        [scope],
    )
    cursor.execute(
        "UPDATE search_scope_statistics SET generation = generation + 1,"
        " documents = documents + %s, title_tokens = title_tokens + %s,"
        " tags_tokens = tags_tokens + %s, body_tokens = body_tokens + %s,"
        " extra_tokens = extra_tokens + %s WHERE scope = %s",
        [len(added) - len(removed), *(p - m for p, m in zip(plus, minus, strict=True)), scope],
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
    # The full-text index follows the table (triggers, or columns of the table itself).
    if not rows:
        return
    placeholders = ", ".join(["%s"] * len(rows))
    sql = f"DELETE FROM search_document WHERE id IN ({placeholders})"  # noqa: S608
    cursor.execute(sql, [r.pk for r in rows])


_COLUMNS = (
    "doc_type, scope, doc_id, locale, slug, title, body, url, category, category_name, tags,"
    " translation_of, title_terms, tags_terms, body_terms, extra_terms"
)


def _insert_sql() -> str:
    backend = get_backend()
    columns = ", ".join((_COLUMNS, *backend.columns))
    placeholders = ", ".join(["%s"] * 16 + list(backend.placeholders))
    return f"INSERT INTO search_document ({columns}) VALUES ({placeholders})"  # noqa: S608


def _analyze_batch(batch: list[Document]) -> tuple[list[Document], list[_Analyzed], set]:
    words: set[tuple[str, str, str]] = set()
    # Later versions of the same document in one batch win.
    latest = list({(d.type, d.id): d for d in batch}.values())
    # A private document's words (a customer's name, say) must never come back as a public
    # search's did-you-mean: they are analyzed into a set that is thrown away.
    return (
        latest,
        [_analyze(d, words if scope_of(d.type) == PUBLIC else set()) for d in latest if d.visible],
        words,
    )


def _write_batch(
    latest: list[Document], analyzed: list[_Analyzed], words: set[tuple[str, str, str]]
) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        old = _existing(cursor, [(d.type, d.id) for d in latest])
        _forget(cursor, old)
        backend = get_backend()
        cursor.executemany(
            _insert_sql(),
            [
                (
                    a.document.type,
                    scope_of(a.document.type),
                    a.document.id,
                    a.document.locale,
                    a.document.slug,
                    a.document.title,
                    a.document.body,
                    a.document.url,
                    a.document.category,
                    a.document.category_name,
                    "\n".join(a.document.tags),
                    a.document.translation_of,
                    a.title_terms,
                    a.tags_terms,
                    a.body_terms,
                    a.extra_terms,
                    *backend.values(a),
                )
                for a in analyzed
            ],
        )
        _update_statistics(cursor, added=analyzed, removed=old)
        _remember_words(cursor, words)
    return len(analyzed)


def _index_batch(batch: list[Document]) -> int:
    return _write_batch(*_analyze_batch(batch))


def _fresh_worker() -> None:
    # A forked worker builds its own Sudachi tokenizer; it never touches the database.
    ja._local.__dict__.clear()


def _index_in_parallel(batches: Iterable[list[Document]], workers: int) -> Iterator[int]:
    """Analyze batches in worker processes while this one writes the previous batch."""
    context = multiprocessing.get_context("fork")
    # No database connection may be shared with forked processes: close it first, the
    # next query opens a new one.
    connection.close()
    with context.Pool(workers, initializer=_fresh_worker) as pool:
        for latest, analyzed, words in pool.imap(_analyze_batch, batches):
            yield _write_batch(latest, analyzed, words)


def index_documents(documents: Iterable[Document], *, workers: int = 1) -> int:
    """Add or replace documents, matched by (type, id); returns how many are now indexed.

    A document with visible=False is removed instead. Documents are written in batches,
    one transaction per batch. With workers > 1 (bulk loads), batches are analyzed in that
    many forked processes while this process writes.
    """
    batches = _batches(documents, BATCH_SIZE)
    if workers > 1 and not connection.in_atomic_block and _can_fork():
        return sum(_index_in_parallel(batches, workers))
    return sum(_index_batch(batch) for batch in batches)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


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
        cursor.execute("DELETE FROM search_document")
        cursor.execute("DELETE FROM search_scope_term")
        cursor.execute("DELETE FROM search_vocabulary")
        cursor.execute(
            "UPDATE search_scope_statistics SET generation = generation + 1, documents = 0,"
            " title_tokens = 0, tags_tokens = 0, body_tokens = 0, extra_tokens = 0"
        )


def rebuild_index(*, progress: Callable[[int], None] | None = None) -> int:
    """Index every document of every registered source again, from an empty index.

    `progress` is called with the number of documents read after each batch.
    """
    clear_index()
    total = 0
    for source in registered_sources():
        batches = _batches(source.documents(), BATCH_SIZE)
        workers = os.cpu_count() or 1
        parallel = workers > 1 and not connection.in_atomic_block and _can_fork()
        if parallel and source.count() >= PARALLEL_FROM:
            written: Iterable[int] = _index_in_parallel(batches, workers)
        else:
            written = (_index_batch(batch) for batch in batches)
        for count in written:
            total += count
            if progress is not None:
                progress(count)
    return total


def total_to_rebuild() -> int:
    return sum(source.count() for source in registered_sources())
