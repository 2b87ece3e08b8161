"""The report's tables: what the page shows beside its charts and what each CSV export holds.

A cell keeps its value (a number for the CSV) and its text (as the page shows it), so the
two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from madoguchi.reports.selectors import RATINGS, Figures, Report

TABLES = ("days", "breakdown", "ratings")


@dataclass(frozen=True, slots=True)
class Cell:
    value: str | int | float | None
    text: str
    is_number: bool


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]]


def text(value: str) -> Cell:
    return Cell(value, value, is_number=False)


def count(value: int | None) -> Cell:
    if value is None:
        return Cell(None, "—", is_number=True)
    return Cell(value, number_format(value, force_grouping=True), is_number=True)


def hours(value: timedelta | None) -> Cell:
    if value is None:
        return Cell(None, "—", is_number=True)
    amount = round(value.total_seconds() / 3600, 2)
    return Cell(amount, str(_("%(hours)s h") % {"hours": number_format(amount, 1)}), is_number=True)


def percent(value: float | None) -> Cell:
    if value is None:
        return Cell(None, "—", is_number=True)
    amount = round(value, 1)
    return Cell(amount, f"{number_format(amount, 1)} %", is_number=True)


def decimal(value: float | None) -> Cell:
    if value is None:
        return Cell(None, "—", is_number=True)
    amount = round(value, 2)
    return Cell(amount, number_format(amount, 2), is_number=True)


def days_table(report: Report) -> Table:
    return Table(
        name="days",
        caption=str(_("Tickets per day")),
        headers=[str(_("Day")), str(_("Created")), str(_("Solved"))],
        rows=[
            [text(day.day.isoformat()), count(day.created), count(day.solved)]
            for day in report.days
        ],
    )


BREAKDOWN_HEADERS: tuple[Promise, ...] = (
    _("Created"),
    _("First responses"),
    _("First response, average (hours)"),
    _("First response, median (hours)"),
    _("Solved"),
    _("Resolution, average (hours)"),
    _("Resolution, median (hours)"),
    _("First response SLA met (%)"),
    _("First response targets judged"),
    _("Resolution SLA met (%)"),
    _("Resolution targets judged"),
    _("Next response missed"),
    _("Ratings"),
    _("Average rating"),
    _("Satisfied (4-5, %)"),
    _("Solved by an article"),
    _("Deflection rate (%)"),
)


def _figures_cells(row: Figures) -> list[Cell]:
    return [
        count(row.created),
        count(row.responded),
        hours(row.first_response_average),
        hours(row.first_response_median),
        count(row.solved),
        hours(row.resolution_average),
        hours(row.resolution_median),
        percent(row.first_response_compliance),
        count(row.first_response_judged),
        percent(row.resolution_compliance),
        count(row.resolution_judged),
        count(row.next_response_missed),
        count(row.rated),
        decimal(row.rating_average),
        percent(row.satisfaction),
        count(row.deflections),
        percent(row.deflection_rate),
    ]


def breakdown_table(report: Report) -> Table:
    rows = [[text(row.label), *_figures_cells(row)] for row in report.rows]
    rows.append([text(str(pgettext("report total row", "All"))), *_figures_cells(report.totals)])
    return Table(
        name="breakdown",
        caption=str(_("Figures by %(breakdown)s") % {"breakdown": report.breakdown.label}),
        headers=[str(report.breakdown.label), *(str(header) for header in BREAKDOWN_HEADERS)],
        rows=rows,
    )


def ratings_table(report: Report) -> Table:
    rated = report.totals.rated
    return Table(
        name="ratings",
        caption=str(_("Satisfaction ratings")),
        headers=[str(_("Rating")), str(_("Ratings")), str(_("Share (%)"))],
        rows=[
            [
                count(rating),
                count(report.totals.ratings[rating]),
                percent(None if not rated else 100 * report.totals.ratings[rating] / rated),
            ]
            for rating in RATINGS
        ],
    )


def tables(report: Report) -> dict[str, Table]:
    return {
        "days": days_table(report),
        "breakdown": breakdown_table(report),
        "ratings": ratings_table(report),
    }


def values(table: Table) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in table.rows]
