"""PostgreSQL: a tsvector per document built straight from the analyzer's tokens, GIN-indexed.

No text search configuration ever parses our text: tokens go into tsvector and tsquery
literals as quoted lexemes, weighted A (title), B (tags), C (body) and D (extra words).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from madoguchi.search.backends import FieldTerms, Filters, Group, Phrase

_MAX_POSITION = 16383  # tsvector positions stop there
# ts_rank weights in the order {D, C, B, A}: extra, body, tags, title.
_WEIGHTS = "{0.13, 0.33, 0.67, 1.0}"
_HEAD_WEIGHTS = "{0, 0, 0.67, 1.0}"


def lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(row: FieldTerms, *, head: bool = False) -> str:
    positions: dict[str, list[str]] = {}
    position = 0
    fields = [
        (row.title_terms, "A"),
        (row.tags_terms, "B"),
        (row.body_terms, "C"),
        (row.extra_terms, "D"),
    ]
    for text, weight in fields[:2] if head else fields:
        for term in text.split():
            position = min(position + 1, _MAX_POSITION)
            positions.setdefault(term, []).append(f"{position}{weight}")
        position = min(position + 1, _MAX_POSITION)  # phrases never span two fields
    return " ".join(lexeme(term) + ":" + ",".join(p) for term, p in positions.items())


def _phrase(phrase: Phrase, weights: str) -> str:
    if len(phrase) == 1:
        return lexeme(phrase[0]) + weights
    return "(" + " <-> ".join(lexeme(term) + weights for term in phrase) + ")"


def tsquery_literal(phrases: Sequence[Phrase], *, weights: str = "") -> str:
    return " | ".join(_phrase(phrase, weights) for phrase in phrases)


def groups_literal(groups: Sequence[Group], *, every: bool = False, head: bool = False) -> str:
    weights = ":AB" if head else ""  # A and B are titles and tags
    if every:
        return " & ".join("(" + tsquery_literal(g, weights=weights) + ")" for g in groups)
    unique = list(dict.fromkeys(p for group in groups for p in group))
    return tsquery_literal(unique, weights=weights)


def _filter_sql(filters: Filters, *, with_category: bool) -> tuple[str, list[Any]]:
    sql = ""
    params: list[Any] = []
    if with_category and filters.category:
        sql += " AND d.category = %s"
        params.append(filters.category)
    if filters.types:
        sql += " AND d.doc_type = ANY(%s)"
        params.append(list(filters.types))
    if filters.exclude_types:
        sql += " AND d.doc_type <> ALL(%s)"
        params.append(list(filters.exclude_types))
    return sql, params


@contextmanager
def _index_scans() -> Iterator[CursorWrapper]:
    """A cursor whose queries go through the GIN indexes.

    With a LIMIT, or many matches, the planner believes a sequential scan is cheaper, but
    testing every row's (toasted) vector costs far more than reading the index.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield cursor


class PostgresBackend:
    name = "postgres"

    columns: tuple[str, ...] = ("terms", "head")
    placeholders: tuple[str, ...] = ("%s::tsvector", "%s::tsvector")

    def values(self, fields: FieldTerms) -> tuple[str, ...]:
        return tsvector_literal(fields), tsvector_literal(fields, head=True)

    def count(self, groups: Sequence[Group], *, filters: Filters, up_to: int) -> int:
        extra, params = _filter_sql(filters, with_category=True)
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM search_document d"  # noqa: S608
            f" WHERE d.terms @@ %s::tsquery{extra} LIMIT %s) AS matches"
        )
        with _index_scans() as cursor:
            cursor.execute(sql, [groups_literal(groups), *params, up_to])
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def candidates(
        self,
        groups: Sequence[Group],
        *,
        filters: Filters,
        limit: int,
        every: bool = False,
        head: bool = False,
    ) -> list[int]:
        extra, params = _filter_sql(filters, with_category=True)
        wanted = groups_literal(groups, every=every)
        ranked_by = groups_literal(groups)
        # Ranking reads the vector of every match; for the sets that can be large (every
        # concept, or titles and tags) the small title-and-tags vector does that job.
        column, weights = ("head", _HEAD_WEIGHTS) if head or every else ("terms", _WEIGHTS)
        where = "d.head" if head else "d.terms"
        sql = (
            "SELECT d.id FROM search_document d"  # noqa: S608
            f" WHERE {where} @@ %s::tsquery{extra}"
            f" ORDER BY ts_rank('{weights}', d.{column}, %s::tsquery, 1) DESC, d.id"
            " LIMIT %s"
        )
        with _index_scans() as cursor:
            cursor.execute(sql, [wanted, *params, ranked_by, limit])
            return [row[0] for row in cursor.fetchall()]

    def facets(self, groups: Sequence[Group], *, filters: Filters) -> dict[str, int]:
        extra, params = _filter_sql(filters, with_category=False)
        sql = (
            "SELECT d.category, COUNT(*) FROM search_document d"  # noqa: S608
            f" WHERE d.terms @@ %s::tsquery{extra} GROUP BY d.category"
        )
        with _index_scans() as cursor:
            cursor.execute(sql, [groups_literal(groups), *params])
            return {str(category): int(count) for category, count in cursor.fetchall()}

    def title_prefix(
        self,
        terms: Sequence[str],
        prefixes: Sequence[str],
        *,
        limit: int,
        filters: Filters | None = None,
    ) -> list[int]:
        parts = [lexeme(term) + ":A" for term in terms]
        if prefixes:
            parts.append("(" + " | ".join(lexeme(p) + ":*A" for p in prefixes) + ")")
        if not parts:
            return []
        query = " & ".join(parts)
        where, params = _filter_sql(filters or Filters(), with_category=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d.id FROM search_document d WHERE d.terms @@ %s::tsquery"  # noqa: S608 - placeholders only
                f"{where}"
                " ORDER BY ts_rank('{0, 0, 0, 1.0}', d.terms, %s::tsquery, 1) DESC, d.id"
                " LIMIT %s",
                [query, *params, query, limit],
            )
            return [row[0] for row in cursor.fetchall()]
