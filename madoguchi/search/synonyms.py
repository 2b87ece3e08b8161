"""The synonym table, analyzed: which query phrases stand for which equivalent phrases.

Groups are read from the database and analyzed with the same analyzer as everything
else; the result is cached per process until a group is added, edited or removed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db import connection

from madoguchi.search.analyzers import analyze, normalize

Phrase = tuple[str, ...]


@dataclass(slots=True)
class SynonymTable:
    key: tuple[object, ...]
    # First term of a phrase -> (phrase, group numbers), longest phrases first.
    starts: dict[str, list[tuple[Phrase, tuple[int, ...]]]] = field(default_factory=dict)
    groups: list[list[Phrase]] = field(default_factory=list)

    def longest_match(self, terms: list[str], at: int) -> tuple[int, list[Phrase]] | None:
        """The longest phrase of the table starting at terms[at]: its length and synonyms."""
        for phrase, group_ids in self.starts.get(terms[at], []):
            if tuple(terms[at : at + len(phrase)]) == phrase:
                equivalents: list[Phrase] = []
                for group_id in group_ids:
                    equivalents.extend(self.groups[group_id])
                return len(phrase), list(dict.fromkeys(equivalents))
        return None


def phrases_of(text: str) -> list[Phrase]:
    """A synonym as phrases: "two-factor" is both (two, factor) and (twofactor,)."""
    tokens = analyze(normalize(text))
    if not tokens:
        return []
    phrases = [tuple(token.term for token in tokens)]
    if tokens[0].joined and all(t.joined == tokens[0].joined for t in tokens):
        phrases.append((tokens[0].joined,))
    return phrases


def build_table(key: tuple[object, ...], groups: list[list[str]]) -> SynonymTable:
    table = SynonymTable(key=key)
    by_phrase: dict[Phrase, list[int]] = {}
    for words in groups:
        phrases = list(dict.fromkeys(p for w in words for p in phrases_of(w)))
        if len(phrases) < 2:
            continue
        group_id = len(table.groups)
        table.groups.append(phrases)
        for phrase in phrases:
            by_phrase.setdefault(phrase, []).append(group_id)
    for phrase, group_ids in by_phrase.items():
        table.starts.setdefault(phrase[0], []).append((phrase, tuple(group_ids)))
    for entries in table.starts.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return table


_lock = threading.Lock()
_cached: SynonymTable | None = None


def synonym_table() -> SynonymTable:
    """The current table; one cheap query tells whether the cached one is still right."""
    global _cached
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), MAX(updated_at) FROM search_synonymgroup WHERE enabled = %s",
            [True],
        )
        row = cursor.fetchone()
    key = (connection.alias, row[0] if row else 0, str(row[1]) if row else "")
    current = _cached
    if current is not None and current.key == key:
        return current
    with _lock:
        from madoguchi.search.models import SynonymGroup

        groups = [g.term_list() for g in SynonymGroup.objects.filter(enabled=True)]
        _cached = build_table(key, groups)
        return _cached


def forget_cached() -> None:
    global _cached
    _cached = None
