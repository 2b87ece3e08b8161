"""How often one client address or one email may use the support form, counted in the cache.

Fixed windows in the shared cache (Redis at scale), so every web worker counts the same
requests. Limits come from settings as `count/period` (`10/h`, `60/m`, `5/15m`).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

# Tickets filed per client address and per email address.
SUBMIT_RATE_SETTING = "MADOGUCHI_SUPPORT_FORM_RATE"
SUBMIT_RATE_DEFAULT = "10/h"
# Every post of the form, failed ones included: they may hold files server-side.
ATTEMPT_RATE_SETTING = "MADOGUCHI_SUPPORT_FORM_ATTEMPT_RATE"
ATTEMPT_RATE_DEFAULT = "30/h"
# Article suggestions while typing, and "this solved my problem".
SUGGEST_RATE_SETTING = "MADOGUCHI_SUPPORT_SUGGEST_RATE"
SUGGEST_RATE_DEFAULT = "120/m"
DEFLECTION_RATE_SETTING = "MADOGUCHI_SUPPORT_DEFLECTION_RATE"
DEFLECTION_RATE_DEFAULT = "30/h"

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"\s*(\d{1,9})\s*/\s*(\d{0,6})\s*([smhd])\s*")


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


def configured_rate(setting: str, default: str) -> Rate:
    text = str(getattr(settings, setting, default))
    match = _RATE.fullmatch(text)
    if not match or int(match[1]) < 1 or (match[2] and int(match[2]) < 1):
        raise ImproperlyConfigured(f"{setting}: not a rate: {text!r}; write it like 10/h.")
    return Rate(limit=int(match[1]), period=int(match[2] or 1) * _PERIODS[match[3]])


def hit(*, scope: str, ident: str, rate: Rate) -> int | None:
    """Count one use by `ident`: None when it may go ahead, else seconds until it may.

    A refused use is not counted, so a client that waits as told gets through.
    """
    now = time.time()
    window = int(now // rate.period)
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"madoguchi:support-rate:{scope}:{digest}:{window}"
    # The first use of a window is counted by the add alone: one cache write instead of
    # three on the file cache, and most email addresses are seen once.
    if cache.add(key, 1, timeout=rate.period + 1):
        count = 1
    else:
        try:
            count = int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=rate.period + 1)
            count = 1
    if count <= rate.limit:
        return None
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to undo
        cache.decr(key)
    return max(1, int((window + 1) * rate.period - now) + 1)


def client_address(request: HttpRequest) -> str:
    """The address uses are counted by: REMOTE_ADDR, or the trusted proxy's entry.

    Behind TRUSTED_PROXY_COUNT proxies (the setting the login limits use), the entry that many
    hops from the right of X-Forwarded-For; entries left of it are whatever the client sent.
    An IPv6 client counts by its /64, which one subscriber holds whole.
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
    """Count one use by the request's client address; seconds to wait when over the limit."""
    return hit(scope=scope, ident=client_address(request), rate=configured_rate(setting, default))


def limit_submission(request: HttpRequest, *, email: str) -> int | None:
    """Count one filed ticket by address and by email; seconds to wait when either is over."""
    rate = configured_rate(SUBMIT_RATE_SETTING, SUBMIT_RATE_DEFAULT)
    wait = hit(scope="submit-ip", ident=client_address(request), rate=rate)
    if wait is not None:
        return wait
    return hit(scope="submit-email", ident=email.strip().casefold(), rate=rate)
