"""The embedded cache: diskcache's Django backend, kept open between requests.

Django closes every cache when a request ends. For diskcache that means closing its SQLite
files and, on the next request, opening them again and re-running their PRAGMAs: eight
connections a request, about 5 ms (bench/tickets.py). The connections are per thread and
per process (diskcache reopens them after a fork), so keeping them is as safe as
CONN_MAX_AGE is for the database.
"""

from __future__ import annotations

from typing import Any

from diskcache import DjangoCache


class PersistentDiskCache(DjangoCache):  # type: ignore[misc]
    def close(self, **kwargs: Any) -> None:
        """Keep the files open: called by Django at the end of every request."""
