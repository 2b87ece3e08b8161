"""Index backends behind one interface, chosen from the database engine.

A backend only finds and counts: its full-text structure follows the `search_document`
table (triggers on SQLite, columns of the table on PostgreSQL), and it returns candidate
documents for a query. Scoring, snippets and everything else happen in Python, the same
way for every backend, so that SQLite and PostgreSQL rank alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import connection

from madoguchi.search.documents import PUBLIC

Phrase = tuple[str, ...]  # one or more terms that must stand next to each other
Group = Sequence[Phrase]  # the alternatives of one concept: any of them will do


@dataclass(frozen=True, slots=True)
class FieldTerms:
    """A document's analyzed fields: analyzer tokens joined by spaces."""

    title_terms: str
    tags_terms: str
    body_terms: str
    extra_terms: str


@dataclass(frozen=True, slots=True)
class Filters:
    category: str | None = None
    types: Sequence[str] | None = None
    # Types no search returns unless it names them in `types` (documents.private_types()).
    exclude_types: Sequence[str] = ()
    # The scope searched (documents.scope_for): a backend whose ranking reads collection
    # figures (SQLite's bm25) ranks with that scope's only.
    scope: str = PUBLIC


class Backend(Protocol):
    name: str

    # Columns of search_document that only this backend fills, with their placeholders
    # (the SQLite index follows the table through triggers and needs none).
    columns: tuple[str, ...]
    placeholders: tuple[str, ...]

    def values(self, fields: FieldTerms) -> tuple[str, ...]:
        """Values for `columns` when a document with these fields is inserted."""

    def count(self, groups: Sequence[Group], *, filters: Filters, up_to: int) -> int:
        """How many documents match any phrase of any group, counting no further than up_to."""

    def candidates(
        self,
        groups: Sequence[Group],
        *,
        filters: Filters,
        limit: int,
        every: bool = False,
        head: bool = False,
    ) -> list[int]:
        """Primary keys of matching documents, best first by a rough rank.

        every: a document must match each group (some phrase of it), not just one phrase.
        head: only titles and tags are searched (a much smaller index, for common words).
        """

    def facets(self, groups: Sequence[Group], *, filters: Filters) -> dict[str, int]:
        """Matching documents per category (ignoring the category filter)."""

    def title_prefix(
        self,
        terms: Sequence[str],
        prefixes: Sequence[str],
        *,
        limit: int,
        filters: Filters | None = None,
    ) -> list[int]:
        """Documents whose title has every term and a word starting with one of prefixes."""


def backend_name() -> str:
    forced = getattr(settings, "MADOGUCHI_SEARCH_BACKEND", "")
    if forced:
        return str(forced)
    return "postgres" if connection.vendor == "postgresql" else "sqlite_fts5"


def get_backend() -> Backend:
    name = backend_name()
    if name == "postgres":
        from madoguchi.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    if name == "sqlite_fts5":
        from madoguchi.search.backends.sqlite_fts5 import SqliteFts5Backend

        return SqliteFts5Backend()
    raise ValueError(f"Unknown MADOGUCHI_SEARCH_BACKEND {name!r}")
