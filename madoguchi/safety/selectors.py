"""Reads of the official-channel registry, shared by link checks, sender checks and views.

The registry is read on almost every inbound message, so each process keeps a snapshot and
revalidates it with one cheap aggregate query (row count and latest `updated_at`): an edit in
the admin, from any process, is seen by the next call everywhere.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max

from madoguchi.safety.models import OfficialChannel
from madoguchi.safety.normalize import normalize_channel_value, normalize_domain


@dataclass(frozen=True, slots=True)
class KnownChannel:
    """One active official channel, as the registry (or settings) knows it."""

    kind: str
    value: str
    platform: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class _Snapshot:
    stamp: tuple[int, datetime | None, tuple[str, ...]]
    channels: dict[tuple[str, str, str], KnownChannel]
    domains: frozenset[str]


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _settings_domains() -> tuple[str, ...]:
    configured = getattr(settings, "MADOGUCHI_OFFICIAL_DOMAINS", ())
    if isinstance(configured, str):
        configured = configured.split(",")
    return tuple(sorted(filter(None, (normalize_domain(d) for d in configured if d.strip()))))


def _current() -> _Snapshot:
    global _snapshot
    totals = OfficialChannel.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    stamp = (totals["count"], totals["latest"], _settings_domains())
    snapshot = _snapshot
    if snapshot is not None and snapshot.stamp == stamp:
        return snapshot
    channels: dict[tuple[str, str, str], KnownChannel] = {}
    for domain in stamp[2]:
        channels[("domain", "", domain)] = KnownChannel(
            kind="domain", value=domain, note="MADOGUCHI_OFFICIAL_DOMAINS"
        )
    rows = OfficialChannel.objects.filter(active=True).values_list(
        "kind", "value", "platform", "note"
    )
    for kind, value, platform, note in rows:
        channels[(kind, platform, value)] = KnownChannel(kind, value, platform, note)
    domains = frozenset(value for (kind, _p, value) in channels if kind == "domain")
    with _lock:
        _snapshot = _Snapshot(stamp=stamp, channels=channels, domains=domains)
    return _snapshot


def official_domains() -> frozenset[str]:
    """Every active official domain in ASCII (IDNA) form; subdomains of these are official too."""
    return _current().domains


def official_channel_for(kind: str, value: str, *, platform: str = "") -> KnownChannel | None:
    """The active official channel matching `value` (any case, Unicode or ASCII form), or None.

    A domain also matches as a subdomain of an official domain (help.tsukimi.example). A
    social handle with no platform given matches the handle on any platform.
    """
    normalized = normalize_channel_value(kind, value)
    if normalized is None:
        return None
    snapshot = _current()
    if kind == OfficialChannel.Kind.SOCIAL_HANDLE and not platform:
        for (known_kind, _platform, known_value), channel in snapshot.channels.items():
            if known_kind == kind and known_value == normalized:
                return channel
        return None
    found = snapshot.channels.get((kind, platform, normalized))
    if found is not None or kind != OfficialChannel.Kind.DOMAIN:
        return found
    labels = normalized.split(".")
    for start in range(1, len(labels) - 1):
        parent = snapshot.channels.get((kind, "", ".".join(labels[start:])))
        if parent is not None:
            return parent
    return None
