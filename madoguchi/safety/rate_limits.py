"""How often one client may do one thing: counters in the shared cache, and how long to wait.

Every web worker counts in the same cache (Redis at scale, the data directory's file cache
on one machine). A rate is `count/period` as django-ninja writes it (`600/m`, `10/h`,
`5/15m`); `hit()` counts one request and says whether it may go ahead, and if not, after how
many seconds (Retry-After). The API's throttles (madoguchi.api.throttling) and the support
pages' limits (madoguchi.support.limits) are thin adapters over it.

Counting is a sliding window made of ten buckets a period, the oldest weighted by how much
of it still overlaps: one atomic cache increment and one read of the buckets a request, no
burst of twice the rate at a window's edge, and a Retry-After after which the next request
goes through (at most a tenth of the period later than a request-by-request window would
say). Counts are exact on Redis, memcached and the local-memory cache; the file and database
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
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

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


def configured_rate(setting: str, default: str) -> Rate:
    """The rate in settings.`setting`, read on every call so that a change applies at once."""
    value = getattr(settings, setting, default)
    try:
        return parse_rate(str(value))
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured(f"{setting}: {error}") from None


def hit(*, scope: str, ident: str, rate: Rate, now: float | None = None) -> int | None:
    """Count one request of `ident`: None when it may go ahead, else whole seconds to wait.

    `scope` names the budget (one key space for every caller: "search", "submit-email");
    `ident` is whom it counts (an address, a token's ID), kept in the cache only hashed.
    A refused request is not counted, so a client that waits as told gets through.
    """
    now = time.time() if now is None else now
    size = rate.period / BUCKETS
    bucket = int(now // size)
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    base = f"madoguchi:rate:{scope}:{digest}"
    key = f"{base}:{bucket}"
    timeout = rate.period + math.ceil(size) + 1
    # A bucket's first request is counted by the add alone: one cache write instead of
    # three on the file cache, and most email addresses and visitors come once.
    if cache.add(key, 1, timeout=timeout):
        current = 1
    else:
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


def limit_address(request: HttpRequest, *, scope: str, setting: str, default: str) -> int | None:
    """Count one request of the client's address against settings.`setting` (or `default`):
    None when it may go ahead, else whole seconds to wait."""
    rate = configured_rate(setting, default)
    return hit(scope=scope, ident=client_address(request), rate=rate)
