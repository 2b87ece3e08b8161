"""The problem types with their form fields and groups, read once per process.

Every form page, every submission and every message through intake asks for its problem type;
the rows change only when an admin edits them. Each process keeps them in memory and reads them
again when a version number in the shared cache moves, which a change bumps once it has
committed (so a process never caches a change that is then rolled back), or at the latest
after MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS (60; 0 reads the database every time).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from madoguchi.tickets.models import ProblemType

VERSION_KEY = "madoguchi:tickets:problem-types:version"


@dataclass(frozen=True)
class _Snapshot:
    version: int
    loaded_at: float
    by_slug: dict[str, ProblemType]


_snapshot: _Snapshot | None = None
_lock = threading.Lock()


def _seconds() -> float:
    return float(getattr(settings, "MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS", 60))


def _load() -> dict[str, ProblemType]:
    rows = ProblemType.objects.select_related("group").prefetch_related("fields")
    return {problem_type.slug: problem_type for problem_type in rows}


def problem_type(slug: str) -> ProblemType | None:
    """The problem type `slug` names, with `group` and `fields` loaded; None if there is none.

    The object may be shared with other requests of this process: read it, never change it.
    """
    global _snapshot
    seconds = _seconds()
    if seconds <= 0:
        return _load_one(slug)
    version = int(cache.get(VERSION_KEY, 0))
    now = time.monotonic()
    snapshot = _snapshot
    if snapshot is None or snapshot.version != version or now - snapshot.loaded_at > seconds:
        snapshot = _Snapshot(version, now, _load())
        with _lock:
            _snapshot = snapshot
    return snapshot.by_slug.get(slug)


def _load_one(slug: str) -> ProblemType | None:
    return (
        ProblemType.objects.select_related("group").prefetch_related("fields").filter(slug=slug)
    ).first()


def forget(**kwargs: Any) -> None:
    """Signal receiver for any change to problem types, their fields or groups."""
    transaction.on_commit(_bump_version)


def _bump_version() -> None:
    if not cache.add(VERSION_KEY, 1, timeout=None):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # evicted between add and incr
            cache.set(VERSION_KEY, 1, timeout=None)
