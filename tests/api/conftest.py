"""API fixtures: tokens made through the real service, a clean cache for rate limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from madoguchi.api.tokens import IssuedToken, create_api_token

Issue = Callable[..., IssuedToken]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # Request counts live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue(db: None) -> Issue:
    """issue("tickets:read", name=..., groups=..., expires_in_days=...) → IssuedToken."""

    def make(*scopes: str, name: str = "exchange back office", **options: Any) -> IssuedToken:
        return create_api_token(name=name, scopes=scopes or ["tickets:read"], **options)

    return make


def bearer(token: IssuedToken | str) -> dict[str, str]:
    plaintext = token if isinstance(token, str) else token.plaintext
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
