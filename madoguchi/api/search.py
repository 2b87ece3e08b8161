"""Search endpoints: GET /api/v1/search and GET /api/v1/search/autocomplete."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils import translation
from ninja import Query, Router, Schema, Status

from madoguchi.api.errors import ErrorOut, ValidationErrorOut
from madoguchi.api.throttling import AddressThrottle
from madoguchi.helpcenter.documents import HELP_CENTER_TYPES
from madoguchi.search.errors import QueryError
from madoguchi.search.query import autocomplete, search

router = Router(tags=["search"])

Locale = Literal["ja", "en"]


class HitOut(Schema):
    type: str
    id: int
    slug: str
    locale: str
    title: str
    url: str
    snippet: str
    score: float
    category: str


class SearchOut(Schema):
    results: list[HitOut]
    total: int
    took_ms: float
    facets: dict[str, int]
    suggestion: str | None


class SuggestionOut(Schema):
    title: str
    url: str
    locale: str
    type: str


class AutocompleteOut(Schema):
    suggestions: list[SuggestionOut]


# Searches and autocompletions per client address share settings.MADOGUCHI_SEARCH_RATE
# (default 600/m); over it, 429 rate_limited with Retry-After (madoguchi.api.errors).
SEARCH_THROTTLE = AddressThrottle("search", setting="MADOGUCHI_SEARCH_RATE")


def _language(request: HttpRequest, locale: str | None) -> str:
    if locale:
        return locale
    active = getattr(request, "LANGUAGE_CODE", "") or translation.get_language() or "ja"
    return "en" if active.startswith("en") else "ja"


@router.get(
    "",
    response={200: SearchOut, 400: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    throttle=SEARCH_THROTTLE,
    summary="Search articles and guides",
    description=(
        "Results in the requested language first; an answer that exists only in the other "
        "language is still found and carries its own `locale`. `snippet` is HTML with the "
        "matched words in `<mark>`. 400: nothing to search for (message in the user's "
        "language); 422: a parameter out of range; 429: too many searches from one address, "
        "with Retry-After in seconds."
    ),
)
def search_endpoint(
    request: HttpRequest,
    q: str = "",
    locale: Locale | None = None,
    limit: int = Query(10, ge=1, le=50),
    offset: int = Query(0, ge=0, le=1000),
    category: str | None = Query(None, max_length=100),
) -> Status:
    language = _language(request, locale)
    with translation.override(language):
        try:
            found = search(
                q,
                locale=language,
                limit=limit,
                offset=offset,
                category=category,
                types=HELP_CENTER_TYPES,
            )
        except QueryError as error:
            return Status(400, {"code": error.code.value, "message": error.message})
    return Status(200, found)


@router.get(
    "/autocomplete",
    response={200: AutocompleteOut, 422: ValidationErrorOut, 429: ErrorOut},
    throttle=SEARCH_THROTTLE,
    summary="Titles that continue what is being typed",
)
def autocomplete_endpoint(
    request: HttpRequest,
    q: str = "",
    locale: Locale | None = None,
    limit: int = Query(8, ge=1, le=20),
) -> Status:
    language = _language(request, locale)
    suggestions = autocomplete(q, locale=language, limit=limit, types=HELP_CENTER_TYPES)
    return Status(200, {"suggestions": suggestions})
