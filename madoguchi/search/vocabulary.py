"""What the index knows, read for queries: collection totals, term counts, the word list.

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


@dataclass(frozen=True, slots=True)
class Statistics:
    generation: int = 0
    documents: int = 0
    # Average tokens per document in title, tags, body and extra.
    averages: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)


def statistics() -> Statistics:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generation, documents, title_tokens, tags_tokens, body_tokens, extra_tokens"
            " FROM search_statistics WHERE id = 1"
        )
        row = cursor.fetchone()
    if row is None or row[1] <= 0:
        return Statistics(generation=row[0] if row else 0)
    documents = int(row[1])
    averages = tuple(max(1.0, float(total) / documents) for total in row[2:6])
    return Statistics(generation=int(row[0]), documents=documents, averages=averages)  # type: ignore[arg-type]


def document_frequencies(terms: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(terms))
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT term, documents FROM search_term WHERE term IN ({placeholders})"  # noqa: S608
            cursor.execute(sql, chunk)
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
            "SELECT v.word, v.term, v.reading, t.documents FROM search_vocabulary v"
            " JOIN search_term t ON t.term = v.term WHERE t.documents > 0"
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
