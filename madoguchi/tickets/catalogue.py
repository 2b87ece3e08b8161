"""The problem types with their form fields and groups, read once per process.

Every form page, every submission and every message through intake asks for its problem type;
the rows change only when an admin edits them. Each process keeps them in memory and reads them
again once an admin's change has committed, or at the latest after
MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS (60; 0 reads the database every time): see
madoguchi.tickets.process_cache.
"""

from __future__ import annotations

from madoguchi.tickets.models import ProblemType
from madoguchi.tickets.process_cache import ProcessCache

VERSION_KEY = "madoguchi:tickets:problem-types:version"


def _load() -> dict[str, ProblemType]:
    rows = ProblemType.objects.select_related("group").prefetch_related("fields")
    return {problem_type.slug: problem_type for problem_type in rows}


PROBLEM_TYPES = ProcessCache(
    load=_load,
    version_key=VERSION_KEY,
    max_age_settings=("MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS",),
)


def problem_type(slug: str) -> ProblemType | None:
    """The problem type `slug` names, with `group` and `fields` loaded; None if there is none.

    The object may be shared with other requests of this process: read it, never change it.
    """
    if not PROBLEM_TYPES.enabled():
        return _load_one(slug)  # no copy kept: read the one row asked for
    return PROBLEM_TYPES.get().get(slug)


def _load_one(slug: str) -> ProblemType | None:
    return (
        ProblemType.objects.select_related("group").prefetch_related("fields").filter(slug=slug)
    ).first()
