"""What the index knows, read for queries: totals and term counts per scope, the word list.

The word list (for did-you-mean and typo repair) is loaded once per process and reloaded
only when the index generation moves on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from rapidfuzz import process
from rapidfuzz.distance import OSA

from madoguchi.search.analyzers.ja import is_kana_only
from madoguchi.search.documents import PUBLIC


@dataclass(frozen=True, slots=True)
class Statistics:
    # The public scope's generation: the did-you-mean word list (public words only) follows it.
    generation: int = 0
    documents: int = 0
    # Average tokens per document in title, tags, body and extra.
    averages: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    scope: str = PUBLIC


def statistics(scope: str = PUBLIC) -> Statistics:
    """The figures of one scope (documents.scope_of), with the public generation."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT scope, generation, documents, title_tokens, tags_tokens, body_tokens,"
            " extra_tokens FROM search_scope_statistics WHERE scope IN (%s, %s)",
            [PUBLIC, scope],
        )
        rows = {row[0]: row for row in cursor.fetchall()}
    generation = int(rows[PUBLIC][1]) if PUBLIC in rows else 0
    row = rows.get(scope)
    if row is None or row[2] <= 0:
        return Statistics(generation=generation, scope=scope)
    documents = int(row[2])
    averages = tuple(max(1.0, float(total) / documents) for total in row[3:7])
    return Statistics(
        generation=generation,
        documents=documents,
        averages=averages,  # type: ignore[arg-type]
        scope=scope,
    )


def document_frequencies(terms: Iterable[str], scope: str = PUBLIC) -> dict[str, int]:
    """In how many documents of `scope` each term occurs."""
    wanted = sorted(set(terms))
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            sql = (
                "SELECT term, documents FROM search_scope_term"  # noqa: S608 - placeholders only
                f" WHERE scope = %s AND term IN ({placeholders})"
            )
            cursor.execute(sql, [scope, *chunk])
            found.update((term, int(count)) for term, count in cursor.fetchall())
    return {term: max(0, found.get(term, 0)) for term in wanted}


@dataclass(slots=True)
class Vocabulary:
    generation: int
    latin_words: list[str] = field(default_factory=list)
    word_term: dict[str, str] = field(default_factory=dict)
    term_documents: dict[str, int] = field(default_factory=dict)
    reading_terms: dict[str, list[str]] = field(default_factory=dict)  # most frequent first
    longest_reading: int = 0

    def closest_words(self, word: str, *, max_distance: int, limit: int = 3) -> list[str]:
        """Known words within `max_distance` edits (OSA), nearest then most frequent first."""
        found = process.extract(
            word, self.latin_words, scorer=OSA.distance, score_cutoff=max_distance, limit=50
        )
        found.sort(key=lambda hit: (hit[1], -self.term_documents.get(self.word_term[hit[0]], 0)))
        return [hit[0] for hit in found[:limit]]

    def terms_read_as(self, reading: str) -> list[str]:
        return self.reading_terms.get(reading, [])


_lock = threading.Lock()
_cached: Vocabulary | None = None


def vocabulary(generation: int) -> Vocabulary:
    global _cached
    current = _cached
    if current is not None and current.generation == generation:
        return current
    with _lock:
        if _cached is not None and _cached.generation == generation:
            return _cached
        loaded = _load(generation)
        _cached = loaded
        return loaded


def _load(generation: int) -> Vocabulary:
    vocab = Vocabulary(generation=generation)
    readings: dict[str, list[tuple[int, str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            # Public counts only: the list holds public words, and how often a word occurs
            # in private text must not decide which correction is offered first.
            "SELECT v.word, v.term, v.reading, t.documents FROM search_vocabulary v"
            " JOIN search_scope_term t ON t.term = v.term"
            " WHERE t.scope = %s AND t.documents > 0",
            [PUBLIC],
        )
        for word, term, reading, documents in cursor.fetchall():
            vocab.word_term[word] = term
            vocab.term_documents[term] = int(documents)
            if word.isascii():
                if len(word) >= 3 and word.isalpha():
                    vocab.latin_words.append(word)
            elif reading and len(reading) >= 2 and is_kana_only(reading):
                readings.setdefault(reading, []).append((int(documents), term))
    for reading, entries in readings.items():
        entries.sort(reverse=True)
        vocab.reading_terms[reading] = list(dict.fromkeys(term for _, term in entries))
        vocab.longest_reading = max(vocab.longest_reading, len(reading))
    return vocab


def forget_cached() -> None:
    """Drop the cached word list (tests that roll the database back call this)."""
    global _cached
    _cached = None
