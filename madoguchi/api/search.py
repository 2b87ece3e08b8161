"""Search endpoints: GET /api/v1/search and GET /api/v1/search/autocomplete."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja import Query, Router, Schema, Status
from ninja.throttling import SimpleRateThrottle

from madoguchi.search.errors import MESSAGES, QueryError, SearchErrorCode
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


class ErrorOut(Schema):
    code: str
    message: str


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]


class SearchThrottle(SimpleRateThrottle):
    """Searches per client address; settings.MADOGUCHI_SEARCH_RATE (default 600/m)."""

    scope = "search"

    def __init__(self) -> None:
        super().__init__(rate=getattr(settings, "MADOGUCHI_SEARCH_RATE", "600/m"))

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _rate_limited(language: str) -> Status:
    with translation.override(language):
        message = str(MESSAGES[SearchErrorCode.RATE_LIMITED])
    return Status(429, {"code": SearchErrorCode.RATE_LIMITED.value, "message": message})


def _language(request: HttpRequest, locale: str | None) -> str:
    if locale:
        return locale
    active = getattr(request, "LANGUAGE_CODE", "") or translation.get_language() or "ja"
    return "en" if active.startswith("en") else "ja"


@router.get(
    "",
    response={200: SearchOut, 400: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Search articles and guides",
    description=(
        "Results in the requested language first; an answer that exists only in the other "
        "language is still found and carries its own `locale`. `snippet` is HTML with the "
        "matched words in `<mark>`. 400: nothing to search for (message in the user's "
        "language); 422: a parameter out of range; 429: too many searches from one address."
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
    if not SearchThrottle().allow_request(request):
        return _rate_limited(language)
    with translation.override(language):
        try:
            found = search(q, locale=language, limit=limit, offset=offset, category=category)
        except QueryError as error:
            return Status(400, {"code": error.code.value, "message": error.message})
    return Status(200, found)


@router.get(
    "/autocomplete",
    response={200: AutocompleteOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Titles that continue what is being typed",
)
def autocomplete_endpoint(
    request: HttpRequest,
    q: str = "",
    locale: Locale | None = None,
    limit: int = Query(8, ge=1, le=20),
) -> Status:
    language = _language(request, locale)
    if not SearchThrottle().allow_request(request):
        return _rate_limited(language)
    return Status(200, {"suggestions": autocomplete(q, locale=language, limit=limit)})
