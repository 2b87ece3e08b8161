"""Request limits of the API, per token and per client address: 429 with Retry-After when over.

The counting is madoguchi.safety.rate_limits' (a sliding window in the shared cache); this
module plugs it into django-ninja's `throttle=` and `Throttled` machinery. django-ninja's own
SimpleRateThrottle keeps each request's time in a list (600 floats rewritten per request at
600/m) and holds per-request state on an instance that every thread shares; these throttles
do neither.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.throttling import BaseThrottle

from madoguchi.api.models import ApiToken
from madoguchi.safety.rate_limits import configured_rate, hit, limit_address

TOKEN_RATE_SETTING = "MADOGUCHI_API_RATE"  # noqa: S105 - a setting's name
DEFAULT_RATE = "600/m"


class AddressThrottle(BaseThrottle):
    """Requests per client address, for endpoints without a token.

    `@router.get(..., throttle=AddressThrottle("search", setting="MADOGUCHI_SEARCH_RATE"))`;
    the rate is read from settings on every request (default 600/m). django-ninja answers a
    refusal with `Throttled`, which the API renders as a translated 429 with Retry-After.
    """

    def __init__(self, scope: str, *, setting: str, default: str = DEFAULT_RATE) -> None:
        self.scope = scope
        self.setting = setting
        self.default = default
        # The instance is shared by every request; the wait belongs to each request's context.
        self._wait: ContextVar[int | None] = ContextVar(f"throttle_wait_{scope}", default=None)

    def allow_request(self, request: HttpRequest) -> bool:
        wait = limit_address(request, scope=self.scope, setting=self.setting, default=self.default)
        self._wait.set(wait)
        return wait is None

    def wait(self) -> float | None:
        return self._wait.get()


def limit_token(token: ApiToken) -> None:
    """Count one request of `token`; raise Throttled when it is over MADOGUCHI_API_RATE."""
    rate = configured_rate(TOKEN_RATE_SETTING, DEFAULT_RATE)
    wait = hit(scope="api-token", ident=token.public_id, rate=rate)
    if wait is not None:
        raise Throttled(wait=wait)
