"""A per-process copy of rows that only admins change (problem types, SLA policies, routing
rules), read again when a version token in the shared cache moves or when the copy is too old.

Every ticket asks for these rows, so each process keeps what `load()` built from them. A change
to a watched model replaces the token once its transaction has committed: every process reads
the rows again at its next call, and a change that is rolled back moves nothing. The copy is
read again at the latest after the seconds the first of `max_age_settings` that is set names
(60 when none is; 0 keeps no copy, so every call reads the database).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

DEFAULT_MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True)
class _Copy(Generic[T]):
    version: str
    loaded_at: float
    value: T


class ProcessCache(Generic[T]):
    """`get()` returns this process's copy of what `load()` builds, loading it again after a
    committed change to a watched model or after the maximum age.

    The copy may be shared with other requests of this process: read it, never change it."""

    def __init__(
        self, *, load: Callable[[], T], version_key: str, max_age_settings: tuple[str, ...]
    ) -> None:
        self.load = load
        self.version_key = version_key
        self.max_age_settings = max_age_settings
        self._copy: _Copy[T] | None = None
        self._lock = threading.Lock()

    def max_age(self) -> float:
        for name in self.max_age_settings:
            if hasattr(settings, name):
                return float(getattr(settings, name))
        return DEFAULT_MAX_AGE_SECONDS

    def enabled(self) -> bool:
        """Whether a copy is kept at all (a maximum age of 0 reads the database every time)."""
        return self.max_age() > 0

    def get(self) -> T:
        seconds = self.max_age()
        if seconds <= 0:
            return self.load()
        version = self._version()
        now = time.monotonic()
        copy = self._copy
        if copy is None or copy.version != version or now - copy.loaded_at > seconds:
            copy = _Copy(version, now, self.load())
            with self._lock:
                self._copy = copy
        return copy.value

    def _version(self) -> str:
        version = cache.get(self.version_key)
        if version is None:
            # A fresh token rather than 0: after the cache lost the key (eviction, a restart
            # of the cache server) no process mistakes its old copy for the current one.
            cache.add(self.version_key, uuid.uuid4().hex, timeout=None)
            version = cache.get(self.version_key)
        return str(version)

    def forget(self, **signal_kwargs: Any) -> None:
        """Signal receiver: every process reads the rows again once this change has committed."""
        transaction.on_commit(self.bump)

    def bump(self) -> None:
        # Any new value will do, so two changes committing at once need no atomic increment.
        cache.set(self.version_key, uuid.uuid4().hex, timeout=None)

    def watch(self, *models: type[Model], many_to_many: tuple[type[Model], ...] = ()) -> None:
        """Forget the copy when a row of `models` is saved or deleted, or a link in one of the
        `many_to_many` through tables changes."""
        for model in models:
            uid = f"{self.version_key}:{model._meta.label}"
            post_save.connect(self.forget, sender=model, dispatch_uid=f"{uid}:save")
            post_delete.connect(self.forget, sender=model, dispatch_uid=f"{uid}:delete")
        for through in many_to_many:
            uid = f"{self.version_key}:{through._meta.label}:m2m"
            m2m_changed.connect(self.forget, sender=through, dispatch_uid=uid)
