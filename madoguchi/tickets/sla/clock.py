"""Business-time arithmetic on aware datetimes: deadlines that count only opening hours, and the
business time that elapsed between two moments minus paused (pending) intervals."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from madoguchi.tickets.sla.calendar import MIDNIGHT, BusinessCalendar

ZERO = timedelta(0)
# Hostile or mistaken inputs (a deadline centuries away) must not spin a worker: no computation
# walks more than this many local days.
MAX_DAYS = 366 * 20

Window = tuple[datetime, datetime]


def add_business_time(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime:
    """The earliest moment (in UTC) by which `duration` of business time has passed since `start`.
    A start outside opening hours counts from the next opening; a zero duration is `start`."""
    _require_aware(start, "start")
    if duration < ZERO:
        raise ValueError(f"duration must not be negative; got {duration}.")
    start = start.astimezone(UTC)
    if duration == ZERO:
        return start
    try:
        return _deadline(start, duration, calendar)
    except OverflowError as error:
        raise ValueError("The deadline lies beyond the dates Python can represent.") from error


def _deadline(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime:
    remaining = duration
    for day in _days_from(start.astimezone(calendar.zone).date()):
        for opens, closes in _windows(calendar, day):
            opens = max(opens, start)
            if opens >= closes:
                continue
            if remaining <= closes - opens:
                return opens + remaining
            remaining -= closes - opens
    raise ValueError(
        f"{duration} of business time does not fit within {MAX_DAYS} days of this calendar."
    )


def business_time_between(
    start: datetime,
    end: datetime,
    calendar: BusinessCalendar,
    *,
    paused: Sequence[tuple[datetime, datetime]] = (),
) -> timedelta:
    """Business time from `start` to `end`, not counting the `paused` intervals (time a ticket was
    pending on the customer). Zero when `end` is not after `start`."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    pauses = _merged(paused, start, end)
    if end <= start:
        return ZERO
    if end - start > timedelta(days=MAX_DAYS):
        raise ValueError(f"The span from {start} to {end} is longer than {MAX_DAYS} days.")
    try:
        total = _open_time(start, end, calendar)
        # Business time is additive over disjoint intervals, so each merged pause counts once.
        for pause_start, pause_end in pauses:
            total -= _open_time(pause_start, pause_end, calendar)
    except OverflowError as error:
        raise ValueError("The span reaches beyond the dates Python can represent.") from error
    return total


def _open_time(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    zone = calendar.zone
    last_day = end.astimezone(zone).date()
    total = ZERO
    for day in _days_from(start.astimezone(zone).date()):
        if day > last_day:
            return total
        for opens, closes in _windows(calendar, day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > ZERO:
                total += overlap
    return total


def _days_from(first: date) -> Iterator[date]:
    day = first
    for _ in range(MAX_DAYS):
        yield day
        if day == date.max:
            return
        day += timedelta(days=1)


@lru_cache(maxsize=8192)
def _windows(calendar: BusinessCalendar, day: date) -> tuple[Window, ...]:
    """The opening intervals of a local day as UTC instants, so that DST days are as long as the
    clock says (23 or 25 hours for a whole day)."""
    if calendar.is_closed_on(day):
        return ()
    zone = calendar.zone
    windows: list[Window] = []
    for opens, closes in calendar.hours[day.weekday()]:
        closing_day = day + timedelta(days=1) if closes == MIDNIGHT else day
        # A wall time skipped by DST resolves with the offset before the jump, i.e. just after
        # the gap; clipping to the previous window keeps zones that jump at midnight overlap-free.
        start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
        stop = datetime.combine(closing_day, closes, tzinfo=zone).astimezone(UTC)
        if windows:
            start = max(start, windows[-1][1])
        if stop > start:
            windows.append((start, stop))
    return tuple(windows)


def _merged(
    paused: Sequence[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[Window]:
    clipped: list[Window] = []
    for index, interval in enumerate(paused):
        if len(interval) != 2:
            raise ValueError(f"paused[{index}] must be a (start, end) pair.")
        pause_start, pause_end = interval
        _require_aware(pause_start, f"paused[{index}] start")
        _require_aware(pause_end, f"paused[{index}] end")
        # Datetimes sharing a tzinfo compare by wall clock, wrong across a DST fall-back.
        pause_start, pause_end = pause_start.astimezone(UTC), pause_end.astimezone(UTC)
        if pause_end < pause_start:
            raise ValueError(f"paused[{index}] ends before it starts.")
        pause_start, pause_end = max(pause_start, start), min(pause_end, end)
        if pause_end > pause_start:
            clipped.append((pause_start, pause_end))
    clipped.sort()
    merged: list[Window] = []
    for pause_start, pause_end in clipped:
        if merged and pause_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], pause_end))
        else:
            merged.append((pause_start, pause_end))
    return merged


def _require_aware(moment: object, name: str) -> None:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime; got {type(moment).__name__}.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware; got naive {moment.isoformat()}.")
