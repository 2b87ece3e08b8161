"""Searching: `search()` for results with snippets, facets and did-you-mean, `autocomplete()`.

User text never reaches FTS5 or tsquery syntax: it is analyzed into terms first, and the
backends quote every term they receive.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from madoguchi.search.analyzers import analyze, normalize
from madoguchi.search.backends import Filters, get_backend
from madoguchi.search.documents import private_types, scope_for
from madoguchi.search.errors import QueryError, SearchErrorCode
from madoguchi.search.expansion import ParsedQuery, parse
from madoguchi.search.models import SearchQuery
from madoguchi.search.ranking import Scored, fetch, fetch_translations, order, score_documents
from madoguchi.search.snippets import snippet
from madoguchi.search.vocabulary import Statistics, statistics

LOCALES = ("ja", "en")
MAX_LIMIT = 50
MIN_CANDIDATES = 50
MAX_CANDIDATES = 300
LARGE = 2000  # matches beyond which candidates come from cheaper sets (see _candidates)
RARE_SHARE = 0.02  # a concept in at most this share of documents counts as rare
FACETS_EXACT = 2000
# Like Elasticsearch's default, matches are counted exactly up to this many; a bigger total
# is reported as this number (nobody pages that far, and counting costs time).
TOTAL_EXACT = 10000


@dataclass(frozen=True, slots=True)
class Hit:
    type: str
    id: int
    slug: str
    locale: str
    title: str
    url: str
    snippet: str  # HTML-safe; matched words in <mark>
    score: float
    category: str
    category_name: str = ""


@dataclass(frozen=True, slots=True)
class SearchResults:
    results: list[Hit]
    total: int
    took_ms: float
    facets: dict[str, int] = field(default_factory=dict)  # category slug -> documents
    suggestion: str | None = None  # did you mean


@dataclass(frozen=True, slots=True)
class Suggestion:
    title: str
    url: str
    locale: str
    type: str


def _check_locale(locale: str) -> None:
    if locale not in LOCALES:
        raise QueryError(SearchErrorCode.INVALID_LOCALE)


def _log(query: str, *, locale: str, total: int, took_ms: float) -> None:
    longest = SearchQuery.MAX_QUERY_LENGTH
    SearchQuery.objects.create(
        query=normalize(query[: 2 * longest])[:longest].strip(),
        locale=locale,
        results=total,
        took_ms=round(took_ms, 2),
    )


def _candidates(
    parsed: ParsedQuery, *, filters: Filters, limit: int, stats: Statistics
) -> tuple[list[int], int]:
    """Candidate documents for scoring, and how many documents match at all.

    Ranking every match of a common word is what makes full-text search slow on a big
    collection, so past LARGE matches the candidates come from cheaper sets that hold the
    best answers anyway: documents matching every concept, documents matching the rarer
    concepts, and documents with the words in their title or tags.
    """
    backend = get_backend()
    groups = [[a.phrase for a in c.alternatives] for c in parsed.concepts]
    matching = backend.count(groups, filters=filters, up_to=TOTAL_EXACT)
    if matching <= LARGE:
        return backend.candidates(groups, filters=filters, limit=limit), matching
    found: dict[int, None] = {}
    by_rarity = sorted(parsed.concepts, key=lambda c: c.documents)
    rare = [
        [a.phrase for a in c.alternatives]
        for c in by_rarity
        if 0 < c.documents <= RARE_SHARE * max(stats.documents, 1)
    ]
    attempts = []
    if len(groups) > 1:
        attempts.append({"groups": groups, "every": True})
    if rare and len(rare) < len(groups):
        attempts.append({"groups": rare})
    attempts.append({"groups": groups, "head": True})
    for attempt in attempts:
        for pk in backend.candidates(filters=filters, limit=limit, **attempt):  # type: ignore[arg-type]
            found.setdefault(pk, None)
        if len(found) >= limit:
            break
    return list(found), matching


def _ranked(
    parsed: ParsedQuery, *, locale: str, filters: Filters, wanted: int, stats: Statistics
) -> tuple[list[Scored], dict[str, int], int]:
    if not parsed.concepts:
        return [], {}, 0
    limit = min(MAX_CANDIDATES, max(MIN_CANDIDATES, wanted * 2))
    pks, matching = _candidates(parsed, filters=filters, limit=limit, stats=stats)
    docs = fetch(pks)
    present = {(d.doc_type, d.locale, d.slug) for d in docs}
    others = [
        d
        for d in docs
        if d.locale != locale and (d.doc_type, locale, d.translation_of) not in present
    ]
    added = fetch_translations(others, locale=locale, filters=filters)
    score_documents(parsed, docs + added, stats)
    ranked = order(docs + added, locale=locale)
    facets = _facets(parsed, docs, filters=filters, matching=matching)
    extra = sum(1 for d in added if d.own == 0 and d.score > 0)
    return ranked, facets, matching + extra


def _facets(
    parsed: ParsedQuery, docs: list[Scored], *, filters: Filters, matching: int
) -> dict[str, int]:
    """Matches per category: counted exactly up to FACETS_EXACT matches, beyond that
    estimated from the categories of the best candidates (counting every one of tens of
    thousands of matches would cost more than the search itself)."""
    if matching <= FACETS_EXACT or not docs:
        groups = [[a.phrase for a in c.alternatives] for c in parsed.concepts]
        return get_backend().facets(groups, filters=filters) if matching else {}
    shares: dict[str, int] = {}
    for doc in docs:
        shares[doc.category] = shares.get(doc.category, 0) + 1
    return {
        category: max(1, round(matching * count / len(docs)))
        for category, count in sorted(shares.items(), key=lambda item: -item[1])
    }


def search(
    query: str,
    *,
    locale: str,
    limit: int = 10,
    offset: int = 0,
    category: str | None = None,
    types: Sequence[str] | None = None,
    log: bool = True,
) -> SearchResults:
    """Documents answering `query`, best first, the requested locale's versions first.

    Raises QueryError for a query with nothing to search (empty, only punctuation).
    """
    started = time.perf_counter()
    _check_locale(locale)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    # Ranked with the statistics of what is searched only: tickets never move a public score.
    scope = scope_for(types)
    stats = statistics(scope)
    parsed = parse(query, generation=stats.generation, scope=scope)
    filters = Filters(
        category=category or None,
        types=tuple(types) if types else None,
        exclude_types=() if types else private_types(),
        scope=scope,
    )
    ranked, facets, total = _ranked(
        parsed, locale=locale, filters=filters, wanted=offset + limit, stats=stats
    )
    terms = parsed.terms()
    page = ranked[offset : offset + limit]
    hits = [
        Hit(
            type=d.doc_type,
            id=d.doc_id,
            slug=d.slug,
            locale=d.locale,
            title=d.title,
            url=d.url,
            snippet=snippet(d.body, terms, locale=d.locale),
            score=round(d.score, 4),
            category=d.category,
            category_name=d.category_name,
        )
        for d in page
    ]
    took_ms = (time.perf_counter() - started) * 1000
    total = max(total, len(ranked))
    if log:
        _log(query, locale=locale, total=total, took_ms=took_ms)
    return SearchResults(
        results=hits,
        total=total,
        took_ms=round(took_ms, 2),
        facets=facets,
        suggestion=parsed.suggestion,
    )


def autocomplete(
    prefix: str, *, locale: str, limit: int = 8, types: Sequence[str] | None = None
) -> list[Suggestion]:
    """Titles that continue what is being typed, in the requested locale first; private
    types (tickets) only when `types` names them."""
    _check_locale(locale)
    text = normalize(prefix[:200]).strip()
    if not text:
        return []
    tokens = analyze(text)
    if not tokens:
        return []
    last = tokens[-1]
    prefixes = {last.term, text[last.start :].strip()}
    terms = [t.term for t in tokens[:-1]]
    backend = get_backend()
    filters = Filters(
        types=tuple(types) if types else None,
        exclude_types=() if types else private_types(),
        scope=scope_for(types),
    )
    pks = backend.title_prefix(
        terms, sorted(p for p in prefixes if p), limit=limit * 4, filters=filters
    )
    docs = fetch(pks)
    rank = {pk: i for i, pk in enumerate(pks)}
    folded = text.casefold()
    docs.sort(
        key=lambda d: (
            d.locale != locale,
            not normalize(d.title).startswith(folded),
            rank[d.pk],
        )
    )
    return [Suggestion(title=d.title, url=d.url, locale=d.locale, type=d.doc_type) for d in docs][
        :limit
    ]
