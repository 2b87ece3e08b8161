"""The SLA clock counts business hours in the desk's time zone, skips Japanese holidays and
closures, and leaves pending time out; checked with real dates of 2025-2027."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.tickets.sla import (
    JAPANESE_YEAR_END,
    BusinessCalendar,
    add_business_time,
    business_time_between,
)

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = BusinessCalendar()  # Tokyo, Monday to Friday 09:00-18:00, Japanese holidays
HOURS = timedelta(hours=1)


def tokyo(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TOKYO)  # type: ignore[misc]


def new_york(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)  # type: ignore[misc]


# Deadlines


def test_a_deadline_inside_the_same_working_day_is_plain_addition() -> None:
    assert add_business_time(tokyo(2026, 1, 14, 10), 3 * HOURS, OFFICE) == tokyo(2026, 1, 14, 13)


def test_results_are_in_utc() -> None:
    deadline = add_business_time(tokyo(2026, 1, 14, 10), 3 * HOURS, OFFICE)
    assert deadline.tzinfo is UTC
    assert deadline == datetime(2026, 1, 14, 4, tzinfo=UTC)


def test_the_clock_stops_at_closing_and_resumes_the_next_morning_across_midnight() -> None:
    assert add_business_time(tokyo(2026, 1, 14, 17, 30), HOURS, OFFICE) == tokyo(2026, 1, 15, 9, 30)


def test_a_start_given_in_utc_is_read_in_the_desks_time_zone() -> None:
    # 23:30 UTC on the 13th is 08:30 on the 14th in Tokyo, half an hour before opening.
    start = datetime(2026, 1, 13, 23, 30, tzinfo=UTC)
    assert add_business_time(start, HOURS, OFFICE) == tokyo(2026, 1, 14, 10)


def test_a_ticket_opened_at_night_starts_counting_at_the_next_opening() -> None:
    assert add_business_time(tokyo(2026, 1, 14, 22), 2 * HOURS, OFFICE) == tokyo(2026, 1, 15, 11)


def test_a_ticket_opened_on_friday_evening_is_due_on_monday() -> None:
    assert add_business_time(tokyo(2026, 1, 16, 17), 2 * HOURS, OFFICE) == tokyo(2026, 1, 19, 10)


def test_coming_of_age_day_2026_01_12_is_skipped() -> None:
    assert add_business_time(tokyo(2026, 1, 9, 17), 2 * HOURS, OFFICE) == tokyo(2026, 1, 13, 10)


def test_golden_week_2026_with_its_substitute_holiday_on_may_6_is_skipped() -> None:
    # May 4 Greenery Day, May 5 Children's Day, May 6 substitute for Constitution Day on a Sunday.
    assert add_business_time(tokyo(2026, 5, 1, 17), 2 * HOURS, OFFICE) == tokyo(2026, 5, 7, 10)


def test_the_substitute_holiday_of_2025_11_24_is_skipped() -> None:
    # Labour Thanksgiving Day fell on Sunday 2025-11-23; Monday the 24th was the substitute.
    assert add_business_time(tokyo(2025, 11, 21, 17), 2 * HOURS, OFFICE) == tokyo(2025, 11, 25, 10)


def test_the_citizens_holiday_of_2026_09_22_is_skipped() -> None:
    # Silver Week: Respect for the Aged Day (21st), citizens' holiday (22nd), equinox (23rd).
    assert add_business_time(tokyo(2026, 9, 18, 17), 2 * HOURS, OFFICE) == tokyo(2026, 9, 24, 10)


def test_the_year_end_closure_carries_a_deadline_into_the_next_year() -> None:
    closed = BusinessCalendar(closed_every_year=JAPANESE_YEAR_END)
    start = tokyo(2026, 12, 30, 17)
    assert add_business_time(start, 2 * HOURS, closed) == tokyo(2027, 1, 4, 10)
    # Without the closure, New Year's Eve (a Thursday) is a working day.
    assert add_business_time(start, 2 * HOURS, OFFICE) == tokyo(2026, 12, 31, 10)


def test_one_off_closed_dates_are_skipped() -> None:
    training_day = BusinessCalendar(closed_dates=frozenset({date(2026, 1, 15)}))
    assert add_business_time(tokyo(2026, 1, 14, 17), 2 * HOURS, training_day) == tokyo(
        2026, 1, 16, 10
    )


def test_a_lunch_break_does_not_count() -> None:
    with_lunch = BusinessCalendar(
        hours=(((time(9), time(12)), (time(13), time(18))),) * 5 + ((), ())
    )
    assert add_business_time(tokyo(2026, 1, 14, 11), 2 * HOURS, with_lunch) == tokyo(
        2026, 1, 14, 14
    )


def test_a_desk_open_until_midnight_counts_up_to_midnight() -> None:
    evenings = BusinessCalendar.office_hours(time(18), time(0), weekdays=range(7))
    assert add_business_time(tokyo(2026, 1, 14, 23), 2 * HOURS, evenings) == tokyo(2026, 1, 15, 19)


def test_a_zero_duration_is_due_at_once_even_outside_hours() -> None:
    saturday = tokyo(2026, 1, 17, 3)
    assert add_business_time(saturday, timedelta(0), OFFICE) == saturday


def test_a_deadline_that_ends_exactly_at_closing_is_closing_time() -> None:
    assert add_business_time(tokyo(2026, 1, 14, 9), 9 * HOURS, OFFICE) == tokyo(2026, 1, 14, 18)


def test_a_long_duration_spans_months_of_holidays() -> None:
    # 1000 business hours of 9-hour days is 111 days and 1 hour of work.
    deadline = add_business_time(tokyo(2026, 1, 5, 9), 1000 * HOURS, OFFICE)
    assert business_time_between(tokyo(2026, 1, 5, 9), deadline, OFFICE) == 1000 * HOURS
    assert deadline == tokyo(2026, 6, 19, 10)


def test_a_deadline_centuries_away_is_refused_instead_of_walking_forever() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        add_business_time(tokyo(2026, 1, 5, 9), timedelta(days=365 * 100), OFFICE)


def test_a_deadline_past_the_last_representable_date_is_a_value_error() -> None:
    always = BusinessCalendar.around_the_clock()
    with pytest.raises(ValueError):
        add_business_time(datetime(9999, 12, 31, 12, tzinfo=UTC), 24 * HOURS, always)


# Around the clock and daylight saving time


def test_a_desk_open_around_the_clock_counts_real_time() -> None:
    always = BusinessCalendar.around_the_clock()
    assert add_business_time(tokyo(2026, 1, 1, 23), 50 * HOURS, always) == tokyo(2026, 1, 4, 1)


def test_around_the_clock_in_new_york_the_spring_forward_sunday_has_23_hours() -> None:
    always = BusinessCalendar.around_the_clock(time_zone="America/New_York")
    sunday = business_time_between(new_york(2026, 3, 8), new_york(2026, 3, 9), always)
    assert sunday == 23 * HOURS
    autumn_sunday = business_time_between(new_york(2026, 11, 1), new_york(2026, 11, 2), always)
    assert autumn_sunday == 25 * HOURS


def test_around_the_clock_in_new_york_a_day_of_work_across_spring_forward_ends_an_hour_later() -> (
    None
):
    always = BusinessCalendar.around_the_clock(time_zone="America/New_York")
    assert add_business_time(new_york(2026, 3, 7, 12), 24 * HOURS, always) == new_york(
        2026, 3, 8, 13
    )


def test_new_york_office_hours_keep_their_wall_clock_times_across_daylight_saving() -> None:
    office = BusinessCalendar(time_zone="America/New_York", holiday_country="US")
    # Friday 17:00 EST plus two hours is Monday 10:00 EDT, i.e. 14:00 UTC (not 15:00).
    deadline = add_business_time(new_york(2026, 3, 6, 17), 2 * HOURS, office)
    assert deadline == new_york(2026, 3, 9, 10)
    assert deadline == datetime(2026, 3, 9, 14, tzinfo=UTC)


def test_us_holidays_apply_to_a_us_calendar() -> None:
    office = BusinessCalendar(time_zone="America/New_York", holiday_country="US")
    # Monday 2026-01-19 is Martin Luther King Jr. Day; Coming-of-Age Day means nothing there.
    assert add_business_time(new_york(2026, 1, 16, 17), 2 * HOURS, office) == new_york(
        2026, 1, 20, 10
    )
    assert add_business_time(new_york(2026, 1, 9, 17), 2 * HOURS, office) == new_york(
        2026, 1, 12, 10
    )


# Elapsed business time and pending time


def test_elapsed_business_time_over_two_working_days() -> None:
    assert (
        business_time_between(tokyo(2026, 1, 13, 9), tokyo(2026, 1, 14, 18), OFFICE) == 18 * HOURS
    )


def test_a_weekend_and_a_holiday_add_no_business_time() -> None:
    assert business_time_between(tokyo(2026, 1, 9, 18), tokyo(2026, 1, 13, 9), OFFICE) == timedelta(
        0
    )


def test_pending_time_does_not_count() -> None:
    pending = [(tokyo(2026, 1, 13, 12), tokyo(2026, 1, 14, 12))]
    elapsed = business_time_between(
        tokyo(2026, 1, 13, 9), tokyo(2026, 1, 14, 18), OFFICE, paused=pending
    )
    assert elapsed == 9 * HOURS  # 09-12 on the 13th and 12-18 on the 14th


def test_overlapping_and_overhanging_pauses_count_once() -> None:
    pending = [
        (tokyo(2026, 1, 13, 8), tokyo(2026, 1, 13, 11)),
        (tokyo(2026, 1, 13, 10), tokyo(2026, 1, 13, 12)),
        (tokyo(2026, 1, 14, 17), tokyo(2026, 1, 20, 0)),
    ]
    elapsed = business_time_between(
        tokyo(2026, 1, 13, 9), tokyo(2026, 1, 14, 18), OFFICE, paused=pending
    )
    assert elapsed == 14 * HOURS  # 12-18 on the 13th and 09-17 on the 14th


def test_a_pause_across_the_autumn_fall_back_hour_is_measured_in_real_time() -> None:
    always = BusinessCalendar.around_the_clock(time_zone="America/New_York")
    # 01:30 EDT to the second 01:10 (EST) is 40 minutes, though the wall clock went backwards.
    pending = [(new_york(2026, 11, 1, 1, 30), new_york(2026, 11, 1, 1, 10).replace(fold=1))]
    elapsed = business_time_between(
        new_york(2026, 11, 1), new_york(2026, 11, 1, 3), always, paused=pending
    )
    assert elapsed == 4 * HOURS - timedelta(minutes=40)


def test_an_end_before_the_start_is_no_business_time() -> None:
    assert business_time_between(
        tokyo(2026, 1, 14, 12), tokyo(2026, 1, 14, 10), OFFICE
    ) == timedelta(0)


def test_a_span_of_centuries_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than"):
        business_time_between(tokyo(2026, 1, 1), tokyo(2226, 1, 1), OFFICE)


# Refused inputs


def test_naive_datetimes_are_refused_everywhere() -> None:
    naive = datetime(2026, 1, 14, 10)  # noqa: DTZ001 - the naive input under test
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(naive, HOURS, OFFICE)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_time_between(naive, tokyo(2026, 1, 15), OFFICE)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_time_between(tokyo(2026, 1, 14), naive, OFFICE)
    with pytest.raises(ValueError, match=r"paused\[0\] end must be timezone-aware"):
        business_time_between(
            tokyo(2026, 1, 14), tokyo(2026, 1, 15), OFFICE, paused=[(tokyo(2026, 1, 14), naive)]
        )


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_time(tokyo(2026, 1, 14, 10), -HOURS, OFFICE)


def test_a_pause_that_ends_before_it_starts_is_refused() -> None:
    backwards = [(tokyo(2026, 1, 14, 12), tokyo(2026, 1, 14, 11))]
    with pytest.raises(ValueError, match="ends before it starts"):
        business_time_between(tokyo(2026, 1, 14), tokyo(2026, 1, 15), OFFICE, paused=backwards)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"time_zone": "Asia/Edo"}, "Unknown time zone"),
        ({"time_zone": "../etc/passwd"}, "Unknown time zone"),
        ({"holiday_country": "XX"}, "Unknown holiday country"),
        ({"hours": ((),) * 6}, "seven entries"),
        ({"hours": ((),) * 7}, "at least one weekday"),
        ({"hours": (((time(18), time(9)),),) + ((),) * 6}, "Monday: closes"),
        ({"hours": ((),) * 6 + (((time(9), time(9)),),)}, "Sunday: closes"),
        (
            {"hours": (((time(9), time(13)), (time(12), time(18))),) + ((),) * 6},
            "not overlap",
        ),
        ({"hours": ((("9:00", "18:00"),),) + ((),) * 6}, "datetime.time"),
        ({"hours": (((time(9, tzinfo=UTC), time(18)),),) + ((),) * 6}, "without tzinfo"),
        ({"closed_every_year": {(2, 30)}}, "no such day"),
        ({"closed_dates": {"2026-01-01"}}, "must hold dates"),
        ({"hours": None}, "seven sequences"),
        ({"closed_every_year": [12]}, "seven sequences"),
    ],
)
def test_a_calendar_with_bad_settings_says_what_is_wrong(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**options)


def test_calendars_given_lists_and_sets_stay_hashable_and_equal() -> None:
    from_lists = BusinessCalendar(closed_every_year={(12, 31)}, hours=[[(time(9), time(18))]] * 7)  # type: ignore[arg-type]
    from_tuples = BusinessCalendar(
        closed_every_year=frozenset({(12, 31)}), hours=(((time(9), time(18)),),) * 7
    )
    assert from_lists == from_tuples
    assert hash(from_lists) == hash(from_tuples)


# Properties

CALENDARS = st.sampled_from(
    [
        OFFICE,
        BusinessCalendar(closed_every_year=JAPANESE_YEAR_END),
        BusinessCalendar.around_the_clock(time_zone="America/New_York"),
        BusinessCalendar(time_zone="America/New_York", holiday_country="US"),
        BusinessCalendar(
            time_zone="Europe/London",
            holiday_country="GB",
            hours=(((time(8), time(12)), (time(13), time(0))),) * 6 + ((),),
        ),
    ]
)
# Hypothesis takes naive bounds and attaches the zones itself.
MOMENTS = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, TOKYO, NEW_YORK]),
)
DURATIONS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=2000))


@settings(max_examples=300, deadline=None)
@given(start=MOMENTS, duration=DURATIONS, calendar=CALENDARS)
def test_the_business_time_up_to_a_deadline_is_the_duration_given(
    start: datetime, duration: timedelta, calendar: BusinessCalendar
) -> None:
    deadline = add_business_time(start, duration, calendar)
    assert deadline >= start
    assert business_time_between(start, deadline, calendar) == duration


@settings(max_examples=200, deadline=None)
@given(a=MOMENTS, b=MOMENTS, c=MOMENTS, calendar=CALENDARS)
def test_elapsed_business_time_adds_up_over_consecutive_spans(
    a: datetime, b: datetime, c: datetime, calendar: BusinessCalendar
) -> None:
    # Python compares and subtracts datetimes of one zone by wall clock; UTC is exact.
    first, middle, last = sorted(moment.astimezone(UTC) for moment in (a, b, c))
    whole = business_time_between(first, last, calendar)
    parts = business_time_between(first, middle, calendar) + business_time_between(
        middle, last, calendar
    )
    assert whole == parts
    assert whole <= last - first
    # Pausing the second part takes exactly that part away.
    assert business_time_between(first, last, calendar, paused=[(middle, last)]) == (
        business_time_between(first, middle, calendar)
    )
