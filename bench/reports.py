"""How long a report takes over many tickets (100,000 by default), on SQLite and PostgreSQL.

    python -m bench.reports [--database sqlite|postgres]

BENCH_TICKETS overrides the size. The tickets are spread over the last 400 days with answers,
solutions, SLA targets and ratings; the benchmark prints, for a 30-day and a 366-day period and
each breakdown, the p50/p95 of building the whole report (every figure, chart data and table)
and its number of queries, which must not grow with the data.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta

from bench import database_main, setup_django
from bench.search_scale import run_in_each_database

ROUNDS = 5


def populate(count: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from madoguchi.support.models import Deflection
    from madoguchi.tickets.models import Channel, ProblemType, SupportGroup, Ticket

    random.seed(4)
    groups = list(SupportGroup.objects.all())
    kinds = list(ProblemType.objects.all())
    agents = [
        get_user_model().objects.create_user(email=f"agent{n}@bench.example", role="agent")
        for n in range(30)
    ]
    channels = list(Channel.values)
    now = timezone.now()
    # Bulk inserts with the moments chosen here, not the time of the insert.
    Ticket._meta.get_field("created_at").auto_now_add = False  # type: ignore[attr-defined]
    Deflection._meta.get_field("created_at").auto_now_add = False  # type: ignore[attr-defined]
    batch: list[Ticket] = []
    for n in range(count):
        created = now - timedelta(minutes=random.randrange(400 * 24 * 60))
        answered = random.random() < 0.85
        first = created + timedelta(minutes=random.randrange(5, 48 * 60)) if answered else None
        solved = (
            first + timedelta(minutes=random.randrange(10, 240 * 60))
            if first and random.random() < 0.75
            else None
        )
        solved = solved if solved and solved < now else None
        first = first if first and first < now else None
        rating = random.choice((1, 2, 3, 4, 5, 5, 4)) if solved and random.random() < 0.3 else None
        breached = []
        if random.random() < 0.1:
            breached.append("first_response")
        if random.random() < 0.05:
            breached.append("resolution")
        batch.append(
            Ticket(
                subject=f"bench {n}",
                status="solved" if solved else "open",
                channel=random.choice(channels),
                group=random.choice(groups),
                problem_type=random.choice(kinds),
                assignee=random.choice(agents) if answered else None,
                requester_email=f"c{n % 5000}@bench.example",
                email_confirmed_at=created,
                created_at=created,
                updated_at=created,
                first_response_at=first,
                first_response_due_at=created + timedelta(hours=8),
                solved_at=solved,
                resolution_due_at=created + timedelta(days=5),
                csat_rating=rating,
                csat_at=solved + timedelta(hours=1) if rating and solved else None,
                sla_breached=breached,
                suggestions_shown=["/ja/articles/fees/"] if random.random() < 0.4 else [],
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    Deflection.objects.bulk_create(
        Deflection(
            problem_type=random.choice(kinds),
            article="/ja/articles/fees/",
            language="ja",
            created_at=now - timedelta(minutes=random.randrange(400 * 24 * 60)),
        )
        for _ in range(count // 10)
    )


def settle() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def run(database: str) -> None:
    count = int(os.environ.get("BENCH_TICKETS", "100000"))
    database_url = os.environ["BENCH_DATABASE_URL"] if database == "postgres" else None
    setup_django(database_url=database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from madoguchi.reports.charts import report_charts
    from madoguchi.reports.selectors import Breakdown, Period, Scope, report
    from madoguchi.reports.tables import tables
    from madoguchi.tickets.models import SupportGroup

    started = time.perf_counter()
    populate(count)
    settle()
    print(
        f"\nReports over {count:,} tickets on {connection.vendor}"
        f" (made in {time.perf_counter() - started:.0f} s)"
    )
    today = timezone.localdate()
    payments = SupportGroup.objects.get(slug="payments").pk
    for days in (30, 366):
        period = Period(today - timedelta(days=days - 1), today)
        for label, scope in (("all groups", Scope(None)), ("one group", Scope((payments,)))):
            for breakdown in Breakdown:
                timings = []
                queries = 0
                for _ in range(ROUNDS):
                    began = time.perf_counter()
                    with CaptureQueriesContext(connection) as captured:
                        result = report(scope=scope, period=period, breakdown=breakdown)
                        tables(result)
                        report_charts(result)
                    timings.append((time.perf_counter() - began) * 1000)
                    queries = len(captured)
                timings.sort()
                print(
                    f"  {days:>3} days, {label:<10} by {breakdown.value:<12}"
                    f" p50 {statistics.median(timings):7.1f} ms"
                    f"  p95 {timings[int(ROUNDS * 0.95)]:7.1f} ms"
                    f"  {queries} queries  ({result.totals.created:,} created)"
                )


def main() -> None:
    run_in_each_database("bench.reports", prefix="madoguchi_bench_reports")


if __name__ == "__main__":
    database_main(run, main)
