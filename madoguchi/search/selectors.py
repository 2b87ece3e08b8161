"""Reads about searching that editors need: the searches that found nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max
from django.utils import timezone

from madoguchi.search.models import SearchQuery


@dataclass(frozen=True, slots=True)
class ZeroResultQuery:
    query: str
    locale: str
    count: int
    last_seen: datetime


def zero_result_queries(*, days: int = 30, limit: int = 50) -> list[ZeroResultQuery]:
    """Queries that found nothing in the last `days` days, most frequent first."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        SearchQuery.objects.filter(results=0, created_at__gte=since)
        .values("query", "locale")
        .annotate(count=Count("id"), last_seen=Max("created_at"))
        .order_by("-count", "-last_seen")[:limit]
    )
    return [
        ZeroResultQuery(
            query=row["query"], locale=row["locale"], count=row["count"], last_seen=row["last_seen"]
        )
        for row in rows
    ]
