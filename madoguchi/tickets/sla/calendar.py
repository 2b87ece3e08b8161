"""Business calendars for SLA clocks: a time zone, opening hours per weekday, national holidays
from the maintained `holidays` library and extra closed days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

# Opening intervals of one day as (opens, closes) wall-clock times; closes == time(0) means
# midnight at the end of the day, so (time(0), time(0)) is the whole day.
DayHours = tuple[tuple[time, time], ...]

MIDNIGHT = time(0)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# The year-end closure most Japanese companies observe (12/31 to 1/3), as (month, day) pairs.
JAPANESE_YEAR_END: frozenset[tuple[int, int]] = frozenset({(12, 31), (1, 1), (1, 2), (1, 3)})

_OFFICE: DayHours = ((time(9), time(18)),)
_DEFAULT_HOURS: tuple[DayHours, ...] = (_OFFICE,) * 5 + ((), ())


@dataclass(frozen=True)
class BusinessCalendar:
    """When the support desk works. Hours are given Monday first (seven entries); a day with no
    intervals is closed. `holiday_country` is an ISO 3166 code known to `holidays` (None: no
    national holidays); `closed_dates` are one-off closures, `closed_every_year` recurring
    (month, day) closures such as JAPANESE_YEAR_END."""

    time_zone: str = "Asia/Tokyo"
    hours: tuple[DayHours, ...] = _DEFAULT_HOURS
    holiday_country: str | None = "JP"
    closed_dates: frozenset[date] = field(default_factory=frozenset)
    closed_every_year: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Callers may pass lists and sets; normalise so the calendar stays hashable.
        try:
            hours = tuple(tuple(tuple(interval) for interval in day) for day in self.hours)
            closed_dates = frozenset(self.closed_dates)
            closed_every_year = frozenset(tuple(md) for md in self.closed_every_year)
        except TypeError as error:
            raise ValueError(
                "hours is seven sequences of (opens, closes) pairs; closed_dates a set of "
                "dates; closed_every_year a set of (month, day) pairs."
            ) from error
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "closed_dates", closed_dates)
        object.__setattr__(self, "closed_every_year", closed_every_year)
        self._validate()

    @classmethod
    def office_hours(
        cls,
        opens: time = time(9),
        closes: time = time(18),
        *,
        weekdays: Iterable[int] = range(5),
        **options: object,
    ) -> BusinessCalendar:
        """The same opening hours on the given weekdays (0 = Monday), closed on the others."""
        days = set(weekdays)
        hours = tuple(((opens, closes),) if day in days else () for day in range(7))
        return cls(hours=hours, **options)  # type: ignore[arg-type]

    @classmethod
    def around_the_clock(cls, **options: object) -> BusinessCalendar:
        """Open every hour of every day; no national holidays unless asked for."""
        options.setdefault("holiday_country", None)
        return cls(hours=(((MIDNIGHT, MIDNIGHT),),) * 7, **options)  # type: ignore[arg-type]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_closed_on(self, day: date) -> bool:
        """Whether the whole local day is closed: no hours that weekday, a holiday or a closure."""
        return (
            not self.hours[day.weekday()]
            or day in self.closed_dates
            or (day.month, day.day) in self.closed_every_year
            or (
                self.holiday_country is not None
                and day in national_holidays(self.holiday_country, day.year)
            )
        )

    def _validate(self) -> None:
        if not isinstance(self.time_zone, str) or not self.time_zone:
            raise ValueError("time_zone must be an IANA time zone name such as 'Asia/Tokyo'.")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"Unknown time zone {self.time_zone!r}.") from error
        if len(self.hours) != 7:
            raise ValueError(f"hours needs seven entries, Monday to Sunday; got {len(self.hours)}.")
        for weekday, day in enumerate(self.hours):
            _validate_day(WEEKDAY_NAMES[weekday], day)
        if not any(self.hours):
            raise ValueError("A business calendar needs opening hours on at least one weekday.")
        if self.holiday_country is not None and (
            self.holiday_country not in holidays.list_supported_countries()
        ):
            raise ValueError(
                f"Unknown holiday country {self.holiday_country!r}; use an ISO 3166 code "
                "supported by the holidays library, such as 'JP', or None."
            )
        for closed in self.closed_dates:
            if not isinstance(closed, date):
                raise ValueError(f"closed_dates must hold dates; got {closed!r}.")
        for month_day in self.closed_every_year:
            if len(month_day) != 2 or not all(isinstance(part, int) for part in month_day):
                raise ValueError(
                    f"closed_every_year must hold (month, day) pairs; got {month_day!r}."
                )
            try:
                date(2024, *month_day)  # a leap year, so (2, 29) is allowed
            except ValueError as error:
                raise ValueError(f"closed_every_year has no such day: {month_day!r}.") from error


def _validate_day(name: str, day: DayHours) -> None:
    previous_close: time | None = None
    for interval in day:
        if len(interval) != 2:
            raise ValueError(f"{name}: each opening interval is (opens, closes); got {interval!r}.")
        opens, closes = interval
        if not isinstance(opens, time) or not isinstance(closes, time):
            raise ValueError(f"{name}: opening hours must be datetime.time values.")
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError(f"{name}: opening hours are wall-clock times without tzinfo.")
        if closes != MIDNIGHT and closes <= opens:
            raise ValueError(
                f"{name}: closes ({closes}) must be after opens ({opens}); "
                "use 00:00 as closing time for midnight at the end of the day."
            )
        if previous_close is not None and (previous_close == MIDNIGHT or opens < previous_close):
            raise ValueError(f"{name}: opening intervals must be in order and not overlap.")
        previous_close = closes


@lru_cache(maxsize=512)
def national_holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays (substitute holidays included) of a country in one year."""
    return frozenset(holidays.country_holidays(country, years=year))
