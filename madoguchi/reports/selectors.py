"""The figures of a report, aggregated in the database.

Each figure counts what happened in the period, by its own clock (docs/reports.md): tickets
created, first responses given, tickets solved, targets met or missed, ratings given, contacts
an article ended. A report costs the same seven queries whatever the number of tickets: one
aggregate query grouped by the breakdown (the totals are the sums of its rows), one window
query per median, the deflections, the rows' names and two day series.

Medians: SQLite has no percentile_cont, so both databases number the durations with window
functions and send back only the middle rows: one code path, exact on both, and on
PostgreSQL about as fast as percentile_cont (which would need a second pass for the totals).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
    TextField,
    Window,
)
from django.db.models.functions import Cast, RowNumber, TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from madoguchi.reports.functions import DayAtOffset, SecondsBetween
from madoguchi.support.models import Deflection
from madoguchi.tickets.models import Channel, ProblemType, Status, SupportGroup, Ticket

RATINGS = (1, 2, 3, 4, 5)
SATISFIED = (4, 5)


class Breakdown(StrEnum):
    GROUP = "group"
    AGENT = "agent"
    CHANNEL = "channel"
    PROBLEM_TYPE = "problem_type"

    @property
    def label(self) -> Promise:
        return BREAKDOWN_LABELS[self]


BREAKDOWN_LABELS: dict[Breakdown, Promise] = {
    Breakdown.GROUP: _("Group"),
    Breakdown.AGENT: _("Agent"),
    Breakdown.CHANNEL: _("Channel"),
    Breakdown.PROBLEM_TYPE: _("Problem type"),
}
_TICKET_KEY = {
    Breakdown.GROUP: "group_id",
    Breakdown.AGENT: "assignee_id",
    Breakdown.CHANNEL: "channel",
    Breakdown.PROBLEM_TYPE: "problem_type_id",
}
# A deflection happens on the support form before any ticket: it has a problem type (and
# through it a group) and the web channel, but never an agent.
_DEFLECTION_KEY = {
    Breakdown.GROUP: "problem_type__group_id",
    Breakdown.PROBLEM_TYPE: "problem_type_id",
}


@dataclass(frozen=True, slots=True)
class Period:
    """Whole days in the site's time zone, both ends included."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        next_day = self.last_day + timedelta(days=1)
        return datetime.combine(next_day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=n) for n in range(count)]


@dataclass(frozen=True, slots=True)
class Scope:
    """Which tickets a report counts: `group_ids` None means every ticket, those of no group
    included (an administrator's report of all groups)."""

    group_ids: tuple[int, ...] | None

    def tickets(self) -> QuerySet[Ticket]:
        # A visitor's ticket that was never confirmed never reached an agent.
        tickets = Ticket.objects.filter(email_confirmed_at__isnull=False)
        if self.group_ids is not None:
            tickets = tickets.filter(group_id__in=self.group_ids)
        return tickets

    def deflections(self) -> QuerySet[Deflection]:
        deflections = Deflection.objects.all()
        if self.group_ids is not None:
            deflections = deflections.filter(problem_type__group_id__in=self.group_ids)
        return deflections


@dataclass(slots=True)
class Figures:
    """One row of a report: the totals, or one group, agent, channel or problem type."""

    key: Any = None
    label: str = ""
    created: int = 0
    created_on_form: int = 0
    shown_suggestions: int = 0
    opened_suggestions: int = 0
    responded: int = 0
    first_response_average: timedelta | None = None
    first_response_median: timedelta | None = None
    solved: int = 0
    resolution_average: timedelta | None = None
    resolution_median: timedelta | None = None
    first_response_judged: int = 0
    first_response_missed: int = 0
    resolution_judged: int = 0
    resolution_missed: int = 0
    next_response_missed: int = 0
    rated: int = 0
    rating_average: float | None = None
    ratings: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))
    # None where deflections cannot be told apart (per agent: no agent sees a deflection).
    deflections: int | None = 0

    @property
    def first_response_compliance(self) -> float | None:
        return _share(
            self.first_response_judged - self.first_response_missed, self.first_response_judged
        )

    @property
    def resolution_compliance(self) -> float | None:
        return _share(self.resolution_judged - self.resolution_missed, self.resolution_judged)

    @property
    def satisfaction(self) -> float | None:
        """The share of ratings that were 4 or 5, in percent."""
        return _share(sum(self.ratings[r] for r in SATISFIED), self.rated)

    @property
    def deflection_rate(self) -> float | None:
        """Of the contacts on the support form, the share an article ended, in percent."""
        if self.deflections is None:
            return None
        return _share(self.deflections, self.deflections + self.created_on_form)


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    created: int
    solved: int


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    breakdown: Breakdown
    totals: Figures
    rows: list[Figures]
    days: list[Day]


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def _between(name: str, start: datetime, end: datetime) -> Q:
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def _duration(later: str) -> SecondsBetween:
    """How long after its creation the ticket reached `later`, in seconds."""
    return SecondsBetween(later, "created_at")


@dataclass(frozen=True, slots=True)
class _Conditions:
    """What each figure counts, as conditions on a ticket, for one period."""

    created: Q
    responded: Q
    solved: Q
    rated: Q
    first_response_judged: Q
    first_response_missed: Q
    resolution_judged: Q
    resolution_missed: Q
    next_response_missed: Q

    @property
    def any(self) -> Q:
        return (
            self.created
            | self.responded
            | self.solved
            | self.rated
            | self.first_response_judged
            | self.resolution_judged
        )


def _conditions(period: Period, now: datetime) -> _Conditions:
    start, end = period.start, period.end
    # A target counts as soon as it was met or its due time passed, in the period it did so.
    overdue_until = min(end, now)
    solved = _between("solved_at", start, end) & Q(status__in=(Status.SOLVED, Status.CLOSED))
    responded = _between("first_response_at", start, end)
    first_response_judged = Q(first_response_due_at__isnull=False) & (
        responded
        | (
            Q(first_response_at__isnull=True)
            & _between("first_response_due_at", start, overdue_until)
        )
    )
    unsolved = ~Q(status__in=(Status.SOLVED, Status.CLOSED))
    resolution_judged = Q(resolution_due_at__isnull=False) & (
        solved | (unsolved & _between("resolution_due_at", start, overdue_until))
    )
    # `sla_breached` is what the SLA check recorded; the timestamps also catch a target that
    # was missed between two checks. JSON lookups differ between SQLite and PostgreSQL, so the
    # list is read as its text, where each target name appears in double quotes.
    return _Conditions(
        created=_between("created_at", start, end),
        responded=responded,
        solved=solved,
        rated=_between("csat_at", start, end) & Q(csat_rating__isnull=False),
        first_response_judged=first_response_judged,
        first_response_missed=Q(breached_text__contains='"first_response"')
        | Q(first_response_at__gt=F("first_response_due_at"))
        | Q(first_response_at__isnull=True, first_response_due_at__lt=now),
        resolution_judged=resolution_judged,
        resolution_missed=Q(breached_text__contains='"resolution"')
        | Q(solved_at__gt=F("resolution_due_at"))
        | (unsolved & Q(resolution_due_at__lt=now)),
        next_response_missed=Q(breached_text__contains='"next_response"'),
    )


def _aggregates(when: _Conditions) -> dict[str, Any]:
    created = when.created
    aggregates: dict[str, Any] = {
        "created": Count("pk", filter=created),
        "created_on_form": Count("pk", filter=created & Q(channel=Channel.WEB)),
        # A list of paths, as text: '[]' when empty, '["/ja/articles/...' otherwise.
        "shown_suggestions": Count("pk", filter=created & Q(shown_text__startswith='["')),
        "opened_suggestions": Count("pk", filter=created & Q(opened_text__startswith='["')),
        "responded": Count("pk", filter=when.responded),
        "first_response_seconds": Sum(_duration("first_response_at"), filter=when.responded),
        "solved": Count("pk", filter=when.solved),
        "resolution_seconds": Sum(_duration("solved_at"), filter=when.solved),
        "first_response_judged": Count("pk", filter=when.first_response_judged),
        "first_response_missed": Count(
            "pk", filter=when.first_response_judged & when.first_response_missed
        ),
        "resolution_judged": Count("pk", filter=when.resolution_judged),
        "resolution_missed": Count("pk", filter=when.resolution_judged & when.resolution_missed),
        "next_response_missed": Count("pk", filter=created & when.next_response_missed),
        "rated": Count("pk", filter=when.rated),
        "rating_sum": Sum("csat_rating", filter=when.rated),
    }
    for rating in RATINGS:
        aggregates[f"rating_{rating}"] = Count("pk", filter=when.rated & Q(csat_rating=rating))
    return aggregates


def _with_text(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.annotate(
        breached_text=Cast("sla_breached", TextField()),
        shown_text=Cast("suggestions_shown", TextField()),
        opened_text=Cast("suggestions_opened", TextField()),
    )


def _figures(values: dict[str, Any], *, key: Any = None) -> Figures:
    """A row from one group of the aggregate query (sums become averages here, so that the
    totals can be the sums of the rows: no second pass over the tickets)."""
    return Figures(
        key=key,
        created=values["created"],
        created_on_form=values["created_on_form"],
        shown_suggestions=values["shown_suggestions"],
        opened_suggestions=values["opened_suggestions"],
        responded=values["responded"],
        first_response_average=_average(values["first_response_seconds"], values["responded"]),
        solved=values["solved"],
        resolution_average=_average(values["resolution_seconds"], values["solved"]),
        first_response_judged=values["first_response_judged"],
        first_response_missed=values["first_response_missed"],
        resolution_judged=values["resolution_judged"],
        resolution_missed=values["resolution_missed"],
        next_response_missed=values["next_response_missed"],
        rated=values["rated"],
        rating_average=float(values["rating_sum"]) / values["rated"] if values["rated"] else None,
        ratings={rating: values[f"rating_{rating}"] for rating in RATINGS},
    )


def _summed(rows: list[dict[str, Any]], names: Iterable[str]) -> dict[str, Any]:
    return {name: sum(row[name] or 0 for row in rows) for name in names}


def _average(seconds: Any, count: int) -> timedelta | None:
    """Seconds from the database (a float, or a Decimal from PostgreSQL) as whole seconds:
    enough for figures read in hours, and free of floating-point dust."""
    return None if not count else timedelta(seconds=round(float(seconds) / count))


def _medians(
    tickets: QuerySet[Ticket], condition: Q, later: str, key: str, sizes: dict[Any, int]
) -> tuple[timedelta | None, dict[Any, timedelta]]:
    """The median of `later` - created_at over all tickets and per `key`, in one query.

    `sizes` are how many tickets meet `condition` per `key` (the aggregate query counted them),
    so the middle positions are known beforehand: the ((n + 1) // 2)th and ((n + 2) // 2)th,
    the same row twice for an odd n and the two middle rows for an even one, whose mean is
    the median percentile_cont(0.5) gives. Window functions number the durations in the
    database and only those rows come back: SQLite has no percentile_cont, and this way
    neither database sends every duration to Python.
    """
    order: list[Any] = [_duration(later), F("pk")]
    middle_of_each = Q(pk__in=[])
    for part, size in sizes.items():
        if size:
            middle_of_each |= Q(part=part, position__in=_middle_positions(size))
    total = sum(sizes.values())
    ranked = (
        tickets.filter(condition)
        .annotate(
            part=F(key),
            taken=_duration(later),
            position=Window(RowNumber(), partition_by=[F(key)], order_by=order),
            overall_position=Window(RowNumber(), order_by=order),
        )
        .order_by()
    )
    middle = ranked.filter(
        middle_of_each | Q(overall_position__in=_middle_positions(total))
    ).values_list("part", "taken", "position", "overall_position")
    per_part: dict[Any, list[float]] = defaultdict(list)
    overall: list[float] = []
    for part, taken, position, overall_position in middle:
        if position in _middle_positions(sizes.get(part, 0)):
            per_part[part].append(float(taken))
        if overall_position in _middle_positions(total):
            overall.append(float(taken))
    medians = {part: _middle(values) for part, values in per_part.items()}
    return _middle(overall), {part: m for part, m in medians.items() if m is not None}


def _middle_positions(size: int) -> tuple[int, ...]:
    return tuple({(size + 1) // 2, (size + 2) // 2}) if size else ()


def _middle(values: list[float]) -> timedelta | None:
    return _average(sum(values), len(values))


def report(*, scope: Scope, period: Period, breakdown: Breakdown) -> Report:
    """Every figure of one report in seven queries, whatever the number of tickets."""
    now = timezone.now()
    when = _conditions(period, now)
    tickets = _with_text(scope.tickets()).filter(when.any)
    aggregates = _aggregates(when)

    key = _TICKET_KEY[breakdown]
    grouped = list(tickets.values(key).annotate(**aggregates).order_by(key))
    rows = {values[key]: _figures(values, key=values[key]) for values in grouped}
    totals = _figures(_summed(grouped, aggregates))
    for name, later, condition, counted in _MEDIANS:
        sizes = {values[key]: values[counted] for values in grouped}
        overall, per_part = _medians(scope.tickets(), getattr(when, condition), later, key, sizes)
        setattr(totals, name, overall)
        for part, median in per_part.items():
            setattr(rows[part], name, median)
    deflections = scope.deflections().filter(_between("created_at", period.start, period.end))
    if deflection_key := _DEFLECTION_KEY.get(breakdown):
        counted = deflections.values(deflection_key).annotate(n=Count("pk")).order_by()
        for values in counted:
            part = values[deflection_key]
            rows.setdefault(part, Figures(key=part)).deflections = values["n"]
        totals.deflections = sum(row.deflections or 0 for row in rows.values())
    else:
        totals.deflections = deflections.count()
    if breakdown == Breakdown.CHANNEL:
        rows.setdefault(Channel.WEB, Figures(key=Channel.WEB)).deflections = totals.deflections
    elif breakdown == Breakdown.AGENT:
        for row in rows.values():
            row.deflections = None
    _label(breakdown, rows)
    return Report(
        period=period,
        breakdown=breakdown,
        totals=totals,
        rows=sorted(rows.values(), key=lambda row: (row.key is None, row.label.casefold())),
        days=_days(scope, period),
    )


# Which median goes where: the Figures attribute, the later timestamp, the _Conditions
# attribute and the aggregate that counted the tickets it holds.
_MEDIANS = (
    ("first_response_median", "first_response_at", "responded", "responded"),
    ("resolution_median", "solved_at", "solved", "solved"),
)


def _label(breakdown: Breakdown, rows: dict[Any, Figures]) -> None:
    """Name each row in the current language: one query for groups, agents or problem types."""
    keys = [key for key in rows if key is not None]
    names: dict[Any, str]
    nobody: str | Promise
    if breakdown == Breakdown.GROUP:
        names = {group.pk: group.name for group in SupportGroup.objects.filter(pk__in=keys)}
        nobody = _("No group")
    elif breakdown == Breakdown.PROBLEM_TYPE:
        names = {kind.pk: kind.name for kind in ProblemType.objects.filter(pk__in=keys)}
        nobody = _("No problem type")
    elif breakdown == Breakdown.AGENT:
        users = get_user_model().objects.filter(pk__in=keys).only("pk", "email")
        names = {user.pk: user.email for user in users}
        nobody = _("Unassigned")
    else:
        names = {value: str(label) for value, label in Channel.choices}
        nobody = ""
    for key, row in rows.items():
        row.label = str(nobody) if key is None else names.get(key, str(key))


def _days(scope: Scope, period: Period) -> list[Day]:
    """Tickets created and solved on each day of the period (two queries)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    tickets = scope.tickets()
    created = _per_day(
        tickets.filter(_between("created_at", period.start, period.end)),
        "created_at",
        zone,
        period,
    )
    solved = _per_day(
        tickets.filter(
            _between("solved_at", period.start, period.end),
            status__in=(Status.SOLVED, Status.CLOSED),
        ),
        "solved_at",
        zone,
        period,
    )
    return [Day(day, created.get(day, 0), solved.get(day, 0)) for day in period.days]


def _local_day(name: str, zone: ZoneInfo, period: Period) -> Func:
    """The day of `name` in `zone`: at the zone's fixed offset when it has one through the
    period (native SQL on both databases), else through Django's time-zone conversion."""
    offsets = {
        datetime.combine(day, time.min, tzinfo=zone).utcoffset()
        for day in [*period.days, period.last_day + timedelta(days=1)]
    }
    offset = offsets.pop() if len(offsets) == 1 else None
    if offset is None:
        return TruncDate(name, tzinfo=zone)
    return DayAtOffset(name, offset)


def _per_day(
    tickets: QuerySet[Ticket], name: str, zone: ZoneInfo, period: Period
) -> dict[date, int]:
    counted = (
        tickets.annotate(day=_local_day(name, zone, period))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {_as_date(values["day"]): values["n"] for values in counted}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
