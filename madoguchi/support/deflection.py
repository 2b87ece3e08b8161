"""Help Center answers offered while the customer writes, and the contacts they end.

`suggest_articles` asks the search service for the subject typed so far (not logged as a
search: half-typed subjects would swamp the search reports). The pages the customer was
shown and opened travel with the form as Help Center paths; `suggestion_paths` keeps only
well-formed ones, so nothing else reaches the ticket.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from madoguchi.search.errors import QueryError
from madoguchi.search.query import search
from madoguchi.support.models import Deflection
from madoguchi.tickets.models import ProblemType

MAX_SUGGESTIONS = 5
MAX_RECORDED = 20
MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
_HELP_CENTER_PATH = re.compile(r"/(?:ja|en)/(?:articles|guides)/[-a-zA-Z0-9_]{1,100}/")


@dataclass(frozen=True, slots=True)
class Suggestion:
    title: str
    url: str
    locale: str


def suggest_articles(subject: str, *, language: str) -> list[Suggestion]:
    """Up to MAX_SUGGESTIONS articles and guides answering `subject`, best first."""
    query = " ".join(subject[:MAX_QUERY_LENGTH].split())
    if len(query) < MIN_QUERY_LENGTH:
        return []
    try:
        found = search(
            query,
            locale=language if language in ("ja", "en") else "ja",
            limit=MAX_SUGGESTIONS,
            types=("article", "guide"),
            log=False,
        )
    except QueryError:
        return []
    return [
        Suggestion(title=hit.title, url=hit.url, locale=hit.locale)
        for hit in found.results
        if _HELP_CENTER_PATH.fullmatch(hit.url)
    ]


def suggestion_paths(values: Iterable[str]) -> tuple[str, ...]:
    """The Help Center paths among `values`, each once, in order, at most MAX_RECORDED."""
    paths: list[str] = []
    for value in values:
        path = value.strip()[:200]
        if _HELP_CENTER_PATH.fullmatch(path) and path not in paths:
            paths.append(path)
        if len(paths) == MAX_RECORDED:
            break
    return tuple(paths)


def is_help_center_path(value: str) -> bool:
    return bool(_HELP_CENTER_PATH.fullmatch(value))


def record_deflection(
    *, problem_type: ProblemType | None, article: str, language: str
) -> Deflection:
    """Note that `article` solved the customer's problem before any ticket was filed."""
    with transaction.atomic():
        return Deflection.objects.create(
            problem_type=problem_type, article=article[:200], language=language[:8]
        )
