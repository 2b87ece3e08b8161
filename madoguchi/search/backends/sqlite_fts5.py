"""SQLite FTS5 over the analyzer's tokens (external content: the text lives in search_document).

Triggers on search_document (migrations 0007, 0009) keep the FTS5 tables in step: search_fts
over every field, search_fts_head over titles and tags only.

Public documents are in search_fts and search_fts_head, private ones (tickets) in
search_fts_private and search_fts_private_head (migration 0009): bm25() counts every row of
its table, so each scope ranks its candidates with its own collection only.

The FTS5 `ascii` tokenizer only splits on ASCII spaces and punctuation, which our tokens
never contain, so every analyzer token stays one FTS5 token, Japanese included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from madoguchi.search.backends import FieldTerms, Filters, Group, Phrase
from madoguchi.search.documents import PUBLIC

# Column weights of the rough rank that picks candidates: title, tags, body, extra.
_WEIGHTS = "3.0, 2.0, 1.0, 0.4"
_HEAD_WEIGHTS = "3.0, 2.0"


def quote(term: str) -> str:
    """An FTS5 string: user text never reaches FTS5 syntax unquoted."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(phrases: Sequence[Phrase]) -> str:
    return " OR ".join(quote(" ".join(phrase)) for phrase in phrases)


def groups_expression(groups: Sequence[Group], *, every: bool = False) -> str:
    if every:
        return " AND ".join("(" + match_expression(group) + ")" for group in groups)
    return match_expression(list(dict.fromkeys(p for group in groups for p in group)))


def _tables(filters: Filters) -> tuple[str, str]:
    """The full and the titles-and-tags table of the scope searched."""
    if filters.scope == PUBLIC:
        return "search_fts", "search_fts_head"
    return "search_fts_private", "search_fts_private_head"


def _filter_sql(filters: Filters, *, with_category: bool) -> tuple[str, list[Any]]:
    sql = ""
    params: list[Any] = []
    if with_category and filters.category:
        sql += " AND d.category = %s"
        params.append(filters.category)
    if filters.types:
        sql += " AND d.doc_type IN (" + ", ".join(["%s"] * len(filters.types)) + ")"
        params.extend(filters.types)
    if filters.exclude_types:
        sql += " AND d.doc_type NOT IN (" + ", ".join(["%s"] * len(filters.exclude_types)) + ")"
        params.extend(filters.exclude_types)
    return sql, params


class SqliteFts5Backend:
    name = "sqlite_fts5"

    columns: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = ()

    def values(self, fields: FieldTerms) -> tuple[str, ...]:
        return ()

    def count(self, groups: Sequence[Group], *, filters: Filters, up_to: int) -> int:
        table, _head = _tables(filters)
        extra, params = _filter_sql(filters, with_category=True)
        join = f" JOIN search_document d ON d.id = {table}.rowid" if extra else ""
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table}{join}"  # noqa: S608
            f" WHERE {table} MATCH %s{extra} LIMIT %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [groups_expression(groups), *params, up_to])
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
        full, titles = _tables(filters)
        table, weights = (titles, _HEAD_WEIGHTS) if head else (full, _WEIGHTS)
        extra, params = _filter_sql(filters, with_category=True)
        join = f" JOIN search_document d ON d.id = {table}.rowid" if extra else ""
        sql = (
            f"SELECT {table}.rowid FROM {table}{join} WHERE {table} MATCH %s{extra}"  # noqa: S608
            f" ORDER BY bm25({table}, {weights}) LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [groups_expression(groups, every=every), *params, limit])
            return [row[0] for row in cursor.fetchall()]

    def facets(self, groups: Sequence[Group], *, filters: Filters) -> dict[str, int]:
        table, _head = _tables(filters)
        extra, params = _filter_sql(filters, with_category=False)
        sql = (
            f"SELECT d.category, COUNT(*) FROM {table}"  # noqa: S608
            f" JOIN search_document d ON d.id = {table}.rowid"
            f" WHERE {table} MATCH %s{extra} GROUP BY d.category"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [groups_expression(groups), *params])
            return {str(category): int(count) for category, count in cursor.fetchall()}

    def title_prefix(
        self,
        terms: Sequence[str],
        prefixes: Sequence[str],
        *,
        limit: int,
        filters: Filters | None = None,
    ) -> list[int]:
        parts = [quote(term) for term in terms]
        if prefixes:
            parts.append("(" + " OR ".join(quote(p) + "*" for p in prefixes) + ")")
        if not parts:
            return []
        expression = "title_terms : (" + " AND ".join(parts) + ")"
        filters = filters or Filters()
        table, _head = _tables(filters)
        where, params = _filter_sql(filters, with_category=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f.rowid FROM {table} f JOIN search_document d ON d.id = f.rowid"  # noqa: S608 - placeholders only
                f" WHERE {table} MATCH %s{where}"
                f" ORDER BY bm25({table}, 1.0, 0.0, 0.0, 0.0) LIMIT %s",
                [expression, *params, limit],
            )
            return [row[0] for row in cursor.fetchall()]
