"""Which SLA policy a ticket gets, and the business calendar an admin's BusinessHours row stands
for (with its mistakes explained in words, for the admin form).

The active policies are read once per process, like the problem types (madoguchi.tickets
.process_cache): every new ticket asks for one, and every process sees an admin's change at its
next ticket once it has committed. MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS bounds the age.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import time as clock_time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from madoguchi.tickets.models import BusinessHours, SlaPolicy
from madoguchi.tickets.process_cache import ProcessCache
from madoguchi.tickets.sla.calendar import BusinessCalendar, national_holidays

VERSION_KEY = "madoguchi:tickets:sla-policies:version"
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
AROUND_THE_CLOCK = BusinessCalendar.around_the_clock()

_HH_MM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def _day_names() -> dict[str, str]:
    return {
        "mon": _("Monday"),
        "tue": _("Tuesday"),
        "wed": _("Wednesday"),
        "thu": _("Thursday"),
        "fri": _("Friday"),
        "sat": _("Saturday"),
        "sun": _("Sunday"),
    }


def _wall_time(text: object, day: str) -> clock_time:
    match = _HH_MM.match(text) if isinstance(text, str) else None
    if match is None or (match[1] == "24" and match[2] != "00"):
        raise ValidationError(
            {
                "weekly_hours": _("%(day)s: “%(value)s” is not a time such as 09:00 or 18:30.")
                % {"day": _day_names()[day], "value": text}
            }
        )
    hour, minute = int(match[1]), int(match[2])
    # "24:00" closes at midnight at the end of the day, which the calendar writes as 00:00.
    return clock_time(0) if hour == 24 else clock_time(hour, minute)


def _weekly_hours(value: Any) -> tuple[tuple[tuple[clock_time, clock_time], ...], ...]:
    if not isinstance(value, dict) or set(value) - set(DAY_KEYS):
        raise ValidationError(
            {
                "weekly_hours": _(
                    "Opening hours map days (mon, tue, wed, thu, fri, sat, sun) to lists of "
                    '["HH:MM", "HH:MM"] pairs, for example {"mon": [["09:00", "18:00"]]}.'
                )
            }
        )
    days = []
    for key in DAY_KEYS:
        intervals = value.get(key) or []
        if not isinstance(intervals, list) or any(
            not isinstance(pair, list | tuple) or len(pair) != 2 for pair in intervals
        ):
            raise ValidationError(
                {
                    "weekly_hours": _("%(day)s: give a list of [opens, closes] pairs.")
                    % {"day": _day_names()[key]}
                }
            )
        day: list[tuple[clock_time, clock_time]] = []
        for opens_text, closes_text in sorted(intervals, key=lambda pair: str(pair[0])):
            opens, closes = _wall_time(opens_text, key), _wall_time(closes_text, key)
            if closes != clock_time(0) and closes <= opens:
                raise ValidationError(
                    {
                        "weekly_hours": _(
                            "%(day)s: %(opens)s to %(closes)s closes before it opens."
                        )
                        % {"day": _day_names()[key], "opens": opens_text, "closes": closes_text}
                    }
                )
            if day and (day[-1][1] == clock_time(0) or opens < day[-1][1]):
                raise ValidationError(
                    {
                        "weekly_hours": _("%(day)s: the opening hours overlap.")
                        % {"day": _day_names()[key]}
                    }
                )
            day.append((opens, closes))
        days.append(tuple(day))
    if not any(days):
        raise ValidationError(
            {"weekly_hours": _("Open on at least one day of the week, or use no business hours.")}
        )
    return tuple(days)


def _closed_dates(value: Any) -> frozenset[date]:
    if not isinstance(value, list):
        raise ValidationError({"closed_dates": _("Give a list of dates such as “2026-12-29”.")})
    dates = set()
    for text in value:
        try:
            dates.add(date.fromisoformat(text))
        except (TypeError, ValueError):
            raise ValidationError(
                {
                    "closed_dates": _("“%(value)s” is not a date such as 2026-12-29.")
                    % {"value": text}
                }
            ) from None
    return frozenset(dates)


def _closed_every_year(value: Any) -> frozenset[tuple[int, int]]:
    if not isinstance(value, list):
        raise ValidationError(
            {"closed_every_year": _("Give a list of days such as “12-31” (month-day).")}
        )
    days = set()
    for text in value:
        try:
            month, day = (int(part) for part in str(text).split("-"))
            date(2024, month, day)  # a leap year, so 02-29 is allowed
        except ValueError:
            raise ValidationError(
                {
                    "closed_every_year": _("“%(value)s” is not a day of the year such as 12-31.")
                    % {"value": text}
                }
            ) from None
        days.add((month, day))
    return frozenset(days)


def calendar_for(hours: BusinessHours | None) -> BusinessCalendar:
    """The business calendar of a BusinessHours row (None: around the clock, every day).

    Raises ValidationError with a translated message per field when the row makes no sense."""
    if hours is None:
        return AROUND_THE_CLOCK
    return _calendar(
        hours.time_zone,
        hours.weekly_hours,
        hours.holiday_country,
        hours.closed_dates,
        hours.closed_every_year,
    )


def _calendar(
    time_zone: str,
    weekly_hours: Any,
    holiday_country: str,
    closed_dates: Any,
    closed_every_year: Any,
) -> BusinessCalendar:
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Any] = {}
    for field, parse, value in (
        ("weekly_hours", _weekly_hours, weekly_hours),
        ("closed_dates", _closed_dates, closed_dates),
        ("closed_every_year", _closed_every_year, closed_every_year),
    ):
        try:
            parsed[field] = parse(value)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        BusinessCalendar(time_zone=time_zone)
    except ValueError:
        errors["time_zone"] = [
            _("“%(value)s” is not a time zone; use a name such as Asia/Tokyo or UTC.")
            % {"value": time_zone}
        ]
    country = holiday_country.strip().upper() or None
    if country is not None:
        try:
            national_holidays(country, 2026)
        except (NotImplementedError, KeyError, AttributeError):
            errors["holiday_country"] = [
                _("No national holidays are known for “%(value)s”; use a code such as JP.")
                % {"value": holiday_country}
            ]
    if errors:
        raise ValidationError(errors)
    return BusinessCalendar(
        time_zone=time_zone,
        hours=parsed["weekly_hours"],
        holiday_country=country,
        closed_dates=parsed["closed_dates"],
        closed_every_year=parsed["closed_every_year"],
    )


@dataclass(frozen=True)
class _Policies:
    policies: tuple[SlaPolicy, ...]
    calendars: dict[int, BusinessCalendar]


def _load() -> _Policies:
    policies = tuple(
        SlaPolicy.objects.filter(is_active=True).select_related(
            "business_hours", "escalate_to_group"
        )
    )
    calendars = {}
    for policy in policies:
        try:
            calendars[policy.pk] = calendar_for(policy.business_hours)
        except ValidationError:
            # A row the admin form would refuse (edited in the shell, say): such a policy
            # counts around the clock rather than leave its tickets without targets.
            calendars[policy.pk] = AROUND_THE_CLOCK
    return _Policies(policies, calendars)


ACTIVE_POLICIES = ProcessCache(
    load=_load,
    version_key=VERSION_KEY,
    max_age_settings=("MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS",),
)


@dataclass(frozen=True)
class AppliedPolicy:
    """A policy with its calendar; shared within the process: read it, never change it."""

    policy: SlaPolicy
    calendar: BusinessCalendar


def policy_for(*, problem_type_id: int | None, priority: str) -> AppliedPolicy | None:
    """The first active policy, in position order, whose problem type and priority match (an
    empty one matches any); None when no policy does."""
    snapshot = ACTIVE_POLICIES.get()
    for policy in snapshot.policies:
        if policy.problem_type_id not in (None, problem_type_id):
            continue
        if policy.priority not in ("", priority):
            continue
        return AppliedPolicy(policy, snapshot.calendars[policy.pk])
    return None


def policy_by_id(policy_id: int | None) -> AppliedPolicy | None:
    """The policy a ticket got when it was routed, if it still exists and is active."""
    if policy_id is None:
        return None
    snapshot = ACTIVE_POLICIES.get()
    for policy in snapshot.policies:
        if policy.pk == policy_id:
            return AppliedPolicy(policy, snapshot.calendars[policy.pk])
    # Switched off since: its tickets keep the targets and calendar they started with.
    found = SlaPolicy.objects.select_related("business_hours").filter(pk=policy_id).first()
    if found is None:
        return None
    try:
        return AppliedPolicy(found, calendar_for(found.business_hours))
    except ValidationError:
        return AppliedPolicy(found, AROUND_THE_CLOCK)
