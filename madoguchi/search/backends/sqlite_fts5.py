"""SQLite FTS5 over the analyzer's tokens (external content: the text lives in search_document).

The FTS5 `ascii` tokenizer only splits on ASCII spaces and punctuation, which our tokens
never contain, so every analyzer token stays one FTS5 token, Japanese included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

from madoguchi.search.backends import Filters, IndexRow, Phrase

# Column weights of the rough rank that picks candidates: title, tags, body, extra.
_WEIGHTS = "3.0, 2.0, 1.0, 0.4"


def quote(term: str) -> str:
    """An FTS5 string: user text never reaches FTS5 syntax unquoted."""
    return '"' + term.replace('"', '""') + '"'


def match_expression(phrases: Sequence[Phrase]) -> str:
    return " OR ".join(quote(" ".join(phrase)) for phrase in phrases)


def _filter_sql(filters: Filters, *, with_category: bool) -> tuple[str, list[Any]]:
    sql = ""
    params: list[Any] = []
    if with_category and filters.category:
        sql += " AND d.category = %s"
        params.append(filters.category)
    if filters.types:
        sql += " AND d.doc_type IN (" + ", ".join(["%s"] * len(filters.types)) + ")"
        params.extend(filters.types)
    return sql, params


class SqliteFts5Backend:
    name = "sqlite_fts5"

    def add(self, cursor: CursorWrapper, rows: Sequence[IndexRow]) -> None:
        cursor.executemany(
            "INSERT INTO search_fts(rowid, title_terms, tags_terms, body_terms, extra_terms)"
            " VALUES (%s, %s, %s, %s, %s)",
            [(r.pk, r.title_terms, r.tags_terms, r.body_terms, r.extra_terms) for r in rows],
        )

    def discard(self, cursor: CursorWrapper, rows: Sequence[IndexRow]) -> None:
        # An external-content FTS5 table forgets a row only when told its old values.
        cursor.executemany(
            "INSERT INTO search_fts(search_fts, rowid, title_terms, tags_terms, body_terms,"
            " extra_terms) VALUES ('delete', %s, %s, %s, %s, %s)",
            [(r.pk, r.title_terms, r.tags_terms, r.body_terms, r.extra_terms) for r in rows],
        )

    def clear(self, cursor: CursorWrapper) -> None:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")

    def candidates(self, phrases: Sequence[Phrase], *, filters: Filters, limit: int) -> list[int]:
        extra, params = _filter_sql(filters, with_category=True)
        join = " JOIN search_document d ON d.id = search_fts.rowid" if extra else ""
        sql = (
            f"SELECT search_fts.rowid FROM search_fts{join} WHERE search_fts MATCH %s{extra}"  # noqa: S608 - placeholders only
            f" ORDER BY bm25(search_fts, {_WEIGHTS}) LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match_expression(phrases), *params, limit])
            return [row[0] for row in cursor.fetchall()]

    def facets(self, phrases: Sequence[Phrase], *, filters: Filters) -> dict[str, int]:
        extra, params = _filter_sql(filters, with_category=False)
        sql = (
            "SELECT d.category, COUNT(*) FROM search_fts"  # noqa: S608 - placeholders only
            " JOIN search_document d ON d.id = search_fts.rowid"
            f" WHERE search_fts MATCH %s{extra} GROUP BY d.category"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [match_expression(phrases), *params])
            return {str(category): int(count) for category, count in cursor.fetchall()}

    def title_prefix(
        self, terms: Sequence[str], prefixes: Sequence[str], *, limit: int
    ) -> list[int]:
        parts = [quote(term) for term in terms]
        if prefixes:
            parts.append("(" + " OR ".join(quote(p) + "*" for p in prefixes) + ")")
        if not parts:
            return []
        expression = "title_terms : (" + " AND ".join(parts) + ")"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
                " ORDER BY bm25(search_fts, 1.0, 0.0, 0.0, 0.0) LIMIT %s",
                [expression, limit],
            )
            return [row[0] for row in cursor.fetchall()]
