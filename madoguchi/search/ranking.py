"""BM25F over concepts, in Python, identical for every backend.

Each field (title, tags, body, extra words) has its own boost and length normalization.
A concept's alternatives add up as one pseudo-term (a synonym never counts twice as a
separate word), weighted by how close each alternative is to what was typed. Documents in
the requested language come first unless a document in the other language matches
clearly better, and a translation inherits part of its counterpart's relevance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from madoguchi.search.backends import Filters
from madoguchi.search.expansion import ParsedQuery
from madoguchi.search.vocabulary import Statistics

FIELD_BOOSTS = (5.0, 3.0, 1.0, 0.4)  # title, tags, body, extra
FIELD_B = (0.5, 0.3, 0.75, 0.75)
K1 = 2.0
STRONG = 0.8  # alternatives at least this close to the query decide how rare a concept is
COVERAGE_POWER = 0.0  # how much a document matching only part of the query is held back
OTHER_LOCALE = 0.7  # a document in the other language counts this much of its own score
# Its translation in the requested language is lifted above it when the translation
# matches the query well on its own too (then both say the same thing)...
SHARED = 0.5
INHERITED = 0.75
# ...and is kept just below it when the detail asked about is only in the other language.
FALLBACK = 0.5

_COLUMNS = (
    "id, doc_type, doc_id, locale, slug, title, body, url, category, category_name,"
    " translation_of, title_terms, tags_terms, body_terms, extra_terms"
)


@dataclass(slots=True)
class Scored:
    pk: int
    doc_type: str
    doc_id: int
    locale: str
    slug: str
    title: str
    body: str
    url: str
    category: str
    category_name: str
    translation_of: str
    fields: tuple[str, str, str, str]
    score: float = 0.0
    own: float = 0.0


def _scored(row: Sequence[Any]) -> Scored:
    return Scored(
        pk=row[0],
        doc_type=row[1],
        doc_id=row[2],
        locale=row[3],
        slug=row[4],
        title=row[5],
        body=row[6],
        url=row[7],
        category=row[8],
        category_name=row[9],
        translation_of=row[10],
        fields=(row[11], row[12], row[13], row[14]),
    )


def fetch(pks: Sequence[int]) -> list[Scored]:
    if not pks:
        return []
    placeholders = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        sql = f"SELECT {_COLUMNS} FROM search_document WHERE id IN ({placeholders})"  # noqa: S608
        cursor.execute(sql, list(pks))
        rows = cursor.fetchall()
    return [_scored(row) for row in rows]


def fetch_translations(others: Sequence[Scored], *, locale: str, filters: Filters) -> list[Scored]:
    """Documents in `locale` that are translations of the given documents."""
    wanted = {(d.doc_type, d.translation_of) for d in others if d.translation_of}
    if not wanted:
        return []
    conditions = " OR ".join(["(doc_type = %s AND slug = %s)"] * len(wanted))
    params: list[Any] = [locale]
    for doc_type, slug in wanted:
        params.extend((doc_type, slug))
    sql = f"SELECT {_COLUMNS} FROM search_document WHERE locale = %s AND ({conditions})"  # noqa: S608 - placeholders only
    if filters.category:
        sql += " AND category = %s"
        params.append(filters.category)
    if filters.types:
        sql += " AND doc_type IN (" + ", ".join(["%s"] * len(filters.types)) + ")"
        params.extend(filters.types)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [_scored(row) for row in rows]


def _idf(documents: int, total: int) -> float:
    return math.log(1.0 + (total - documents + 0.5) / (documents + 0.5))


def _spaced(text: str) -> str:
    # Two spaces between terms so that counting " term " never overlaps two occurrences.
    return "  " + text.replace(" ", "  ") + "  " if text else ""


def score_documents(parsed: ParsedQuery, docs: Sequence[Scored], stats: Statistics) -> None:
    """Set each document's own BM25F score for the query."""
    total = max(stats.documents, 1)
    frequencies = parsed.frequencies
    concepts = []
    for concept in parsed.concepts:
        # Weak alternatives (parts of a compound) must not make a rare concept look common.
        counts = [
            (min(frequencies.get(t, 0) for t in a.phrase), a.weight >= STRONG)
            for a in concept.alternatives
        ]
        documents = max((n for n, strong in counts if strong), default=0) or max(
            (n for n, _strong in counts), default=0
        )
        if documents <= 0:
            continue  # nothing in the collection has it: it can neither help nor hurt
        needles = [(" " + "  ".join(a.phrase) + " ", a.weight) for a in concept.alternatives]
        concepts.append((_idf(documents, total), needles))
    if not concepts:
        return
    idf_total = sum(idf for idf, _ in concepts)
    for doc in docs:
        spaced = [_spaced(text) for text in doc.fields]
        norms = [
            1.0 - b + b * ((text.count(" ") + 1 if text else 0) / avg)
            for text, b, avg in zip(doc.fields, FIELD_B, stats.averages, strict=True)
        ]
        score = 0.0
        matched = 0.0
        for idf, needles in concepts:
            tf = 0.0
            for field_text, boost, norm in zip(spaced, FIELD_BOOSTS, norms, strict=True):
                if not field_text:
                    continue
                count = 0.0
                for needle, weight in needles:
                    n = field_text.count(needle)
                    if n:
                        count += weight * n
                if count:
                    tf += boost * count / norm
            if tf:
                score += idf * tf * (K1 + 1.0) / (tf + K1)
                matched += idf
        if score:
            score *= (matched / idf_total) ** COVERAGE_POWER
        doc.own = score
        doc.score = score


def order(docs: list[Scored], *, locale: str) -> list[Scored]:
    """Final order: the requested language first, translations lifted by their counterpart."""
    by_key = {(d.doc_type, d.locale, d.slug): d for d in docs}
    for doc in docs:
        if doc.locale != locale:
            doc.score = doc.own * OTHER_LOCALE
    for doc in docs:
        if doc.locale != locale and doc.translation_of:
            counterpart = by_key.get((doc.doc_type, locale, doc.translation_of))
            if counterpart is not None:
                share = INHERITED if counterpart.own >= SHARED * doc.own else FALLBACK
                counterpart.score = max(counterpart.score, doc.own * share)
    ranked = [d for d in docs if d.score > 0]
    ranked.sort(key=lambda d: (-d.score, d.locale != locale, d.pk))
    return ranked
