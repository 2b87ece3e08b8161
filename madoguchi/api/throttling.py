"""Request limits of the API, per token and per client address: 429 with Retry-After when over.

Counting is a sliding window made of ten buckets a period, the oldest weighted by how much
of it still overlaps: one atomic cache increment and one read of the buckets a request,
no burst of twice the rate at a window's edge, and a Retry-After after which the next
request goes through (at most a tenth of the period later than a request-by-request
window would say). django-ninja's SimpleRateThrottle keeps each request's time in a
list (600 floats rewritten per request at 600/m) and holds per-request state on an instance
that every thread shares; the API throttles here plug into the same `throttle=` and
`Throttled` machinery without either.
Counts are exact on Redis, memcached and the local-memory cache; the file and database
caches increment without a lock, so concurrent requests can slip a little past the limit.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import ipaddress
import math
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.throttling import BaseThrottle

from madoguchi.api.models import ApiToken

TOKEN_RATE_SETTING = "MADOGUCHI_API_RATE"  # noqa: S105 - a setting's name
DEFAULT_RATE = "600/m"

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"\s*(\d{1,9})\s*/\s*(\d{0,6})\s*(s|sec|m|min|h|hour|d|day)\s*")
# Float weights can land a hair above a limit that was met exactly.
_EPSILON = 1e-9
# Buckets per period: the sliding window is estimated to within a tenth of the period.
BUCKETS = 10


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


@functools.lru_cache(maxsize=64)
def parse_rate(text: str) -> Rate:
    """`600/m`, `10/s`, `1000/h`, `5/15m`, as django-ninja writes rates."""
    match = _RATE.fullmatch(text)
    if not match or int(match[1]) < 1 or (match[2] and int(match[2]) < 1):
        raise ImproperlyConfigured(f"Not a rate: {text!r}; write it like 600/m (s, m, h or d).")
    return Rate(limit=int(match[1]), period=int(match[2] or 1) * _PERIODS[match[3]])


def configured_rate(setting: str, default: str = DEFAULT_RATE) -> Rate:
    value = getattr(settings, setting, default)
    try:
        return parse_rate(str(value))
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured(f"{setting}: {error}") from None


def hit(*, scope: str, ident: str, rate: Rate, now: float | None = None) -> int | None:
    """Count one request of `ident`: None when it may go ahead, else whole seconds to wait.

    A refused request is not counted, so a client that waits as told gets through.
    """
    now = time.time() if now is None else now
    size = rate.period / BUCKETS
    bucket = int(now // size)
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    base = f"madoguchi:rate:{scope}:{digest}"
    key = f"{base}:{bucket}"
    timeout = rate.period + math.ceil(size) + 1
    cache.add(key, 0, timeout=timeout)
    try:
        current = int(cache.incr(key))
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=timeout)
        current = 1
    earlier = [f"{base}:{index}" for index in range(bucket - BUCKETS, bucket)]
    stored = cache.get_many(earlier)
    # counts[0] is the bucket partly out of the window, counts[-1] the current one.
    counts = [int(stored.get(name, 0)) for name in earlier] + [current]
    elapsed = now / size - bucket  # fraction of the current bucket gone by
    if counts[0] * (1 - elapsed) + sum(counts[1:]) <= rate.limit + _EPSILON:
        return None
    with contextlib.suppress(ValueError):  # the key expired meanwhile: nothing to undo
        cache.decr(key)
    counts[-1] -= 1
    return _retry_after(counts, rate.limit, bucket=bucket, size=size, now=now, elapsed=elapsed)


def _retry_after(
    counts: list[int], limit: int, *, bucket: int, size: float, now: float, elapsed: float
) -> int:
    """Seconds until one more request fits, if no other arrives meanwhile."""
    room = limit - 1
    for step in range(BUCKETS + 1):
        # During bucket `bucket + step`, counts[step] is the one sliding out of the window.
        oldest, whole = counts[step], sum(counts[step + 1 :])
        if whole > room:
            continue
        needed = 1 - (room - whole) / oldest if oldest else 0.0
        at = (bucket + step + max(needed, elapsed if step == 0 else 0.0)) * size
        return max(1, math.ceil(at - now))
    return max(1, math.ceil(BUCKETS * size))  # only if counts changed under a concurrent writer


def client_address(request: HttpRequest) -> str:
    """The address requests are counted by.

    REMOTE_ADDR; behind TRUSTED_PROXY_COUNT proxies (the setting allauth's login limits use),
    the entry that many hops from the right of X-Forwarded-For, since the entries left of it
    are whatever the client chose to send. An IPv6 client counts by its /64: one subscriber
    holds a whole /64 and could otherwise take a new address for every request.
    """
    address = str(request.META.get("REMOTE_ADDR", ""))
    trusted = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted > 0:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= trusted:
            address = hops[-trusted]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


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
        rate = configured_rate(self.setting, self.default)
        wait = hit(scope=self.scope, ident=client_address(request), rate=rate)
        self._wait.set(wait)
        return wait is None

    def wait(self) -> float | None:
        return self._wait.get()


def limit_token(token: ApiToken) -> None:
    """Count one request of `token`; raise Throttled when it is over MADOGUCHI_API_RATE."""
    rate = configured_rate(TOKEN_RATE_SETTING)
    wait = hit(scope="api-token", ident=token.public_id, rate=rate)
    if wait is not None:
        raise Throttled(wait=wait)
