"""How long the SLA clock takes for a deadline far away: `python -m bench.sla_clock`.

A first-response or resolution target is computed for every ticket a queue page shows, so a
1000-business-hour deadline (about five months of office days, through Golden Week) must cost
a fraction of a millisecond. Printed cold (the day cache emptied) and warm.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from madoguchi.tickets.sla import BusinessCalendar, add_business_time, business_time_between, clock

RUNS = 200


def _timed(function: object, *, cold: bool) -> list[float]:
    timings = []
    for _ in range(RUNS):
        if cold:
            clock._windows.cache_clear()
        began = time.perf_counter()
        function()  # type: ignore[operator]
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def main() -> None:
    calendar = BusinessCalendar()  # Tokyo, 09:00-18:00 on weekdays, Japanese holidays
    start = datetime(2026, 1, 5, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
    duration = timedelta(hours=1000)
    deadline = add_business_time(start, duration, calendar)
    hours = duration / timedelta(hours=1)
    print(f"SLA clock: {hours:.0f} business hours from {start:%Y-%m-%d %H:%M} JST")
    print(f"  deadline {deadline.astimezone(ZoneInfo('Asia/Tokyo')):%Y-%m-%d %H:%M} JST")
    for label, function, cold in (
        ("add_business_time, cold", lambda: add_business_time(start, duration, calendar), True),
        ("add_business_time, warm", lambda: add_business_time(start, duration, calendar), False),
        (
            "business_time_between, warm",
            lambda: business_time_between(start, deadline, calendar),
            False,
        ),
    ):
        timings = _timed(function, cold=cold)
        print(
            f"  {label:<30} p50 {statistics.median(timings):.3f} ms"
            f"  p95 {sorted(timings)[int(RUNS * 0.95)]:.3f} ms"
        )


if __name__ == "__main__":
    main()
