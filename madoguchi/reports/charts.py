"""Charts drawn on the server as inline SVG: no script, no chart library, nothing fetched.

Each chart has a <title> and a <desc> that screen readers announce (role="img"); the page
shows the same numbers in a table beside it. Every label passes through format_html, so a
group named "<script>" is drawn as text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from madoguchi.reports.selectors import RATINGS, Figures, Report

WIDTH = 720
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 200
VALUE_WIDTH = 90
COLUMN_AREA_HEIGHT = 160
AXIS_HEIGHT = 22


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float | None  # None: nothing to show (no tickets); drawn as an empty row
    text: str  # the value as people read it: "3.5 h", "92 %", "12"


def _frame(chart_id: str, title: str, description: str, width: int, height: int) -> SafeString:
    return format_html(
        '<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>',
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=description,
    )


def bar_chart(
    chart_id: str,
    *,
    title: str,
    description: str,
    bars: Sequence[Bar],
    maximum: float | None = None,
) -> SafeString:
    """Horizontal bars, one a row, labelled on the left and valued on the right."""
    top = max([bar.value or 0 for bar in bars] + [maximum or 0]) or 1
    height = max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH

    def row(index: int, bar: Bar) -> tuple[object, ...]:
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        length = 0 if bar.value is None else max(room * bar.value / top, 1 if bar.value else 0)
        return (
            y + BAR_HEIGHT * 0.7,
            LABEL_WIDTH - 8,
            _shorten(bar.label),
            LABEL_WIDTH,
            y,
            round(length, 1),
            BAR_HEIGHT,
            LABEL_WIDTH + round(length, 1) + 6,
            y + BAR_HEIGHT * 0.7,
            bar.text,
        )

    body = format_html_join(
        "",
        '<text class="chart__label" x="{1}" y="{0}" text-anchor="end">{2}</text>'
        '<rect class="chart__bar" x="{3}" y="{4}" width="{5}" height="{6}"></rect>'
        '<text class="chart__value" x="{7}" y="{8}">{9}</text>',
        (row(index, bar) for index, bar in enumerate(bars)),
    )
    return SafeString(_frame(chart_id, title, description, WIDTH, height) + body + "</svg>")


def column_chart(
    chart_id: str,
    *,
    title: str,
    description: str,
    bars: Sequence[Bar],
    axis_label: Callable[[int, Bar], str] | None = None,
) -> SafeString:
    """Vertical columns left to right (days of the period, ratings 1 to 5), each with a
    tooltip; `axis_label(index, bar)` names the columns worth naming under the axis."""
    count = max(len(bars), 1)
    step = WIDTH / count
    column = max(step * 0.8, 1)
    top = max([bar.value or 0 for bar in bars]) or 1
    height = COLUMN_AREA_HEIGHT + AXIS_HEIGHT

    def columns() -> list[tuple[object, ...]]:
        drawn: list[tuple[object, ...]] = []
        for index, bar in enumerate(bars):
            size = 0 if not bar.value else max(COLUMN_AREA_HEIGHT * bar.value / top, 1)
            drawn.append(
                (
                    round(index * step + (step - column) / 2, 1),
                    round(COLUMN_AREA_HEIGHT - size, 1),
                    round(column, 1),
                    round(size, 1),
                    f"{bar.label}: {bar.text}",
                )
            )
        return drawn

    body = format_html_join(
        "",
        '<rect class="chart__bar" x="{0}" y="{1}" width="{2}" height="{3}">'
        "<title>{4}</title></rect>",
        columns(),
    )
    names = format_html_join(
        "",
        '<text class="chart__axis" x="{0}" y="{1}" text-anchor="middle">{2}</text>',
        (
            (round(index * step + step / 2, 1), height - 6, axis_label(index, bar))
            for index, bar in enumerate(bars)
            if axis_label and axis_label(index, bar)
        ),
    )
    baseline = format_html(
        '<line class="chart__axis-line" x1="0" y1="{y}" x2="{w}" y2="{y}"></line>',
        y=COLUMN_AREA_HEIGHT,
        w=WIDTH,
    )
    frame = _frame(chart_id, title, description, WIDTH, height)
    return SafeString(frame + body + baseline + names + "</svg>")


def _shorten(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    svg: SafeString


def report_charts(report: Report) -> list[Chart]:
    """The report's charts, in the order the page shows them."""
    by = report.breakdown.label
    days = report.days
    step = max(len(days) // 6, 1)
    volume_title = str(_("Tickets created per day"))
    volume_desc = str(
        _(
            "One column a day from %(first)s to %(last)s; "
            "the table “Tickets per day” has every number."
        )
        % {"first": report.period.first_day, "last": report.period.last_day}
    )
    result = [
        Chart(
            volume_title,
            column_chart(
                "chart-volume",
                title=volume_title,
                description=volume_desc,
                bars=[Bar(day.day.isoformat(), day.created, str(day.created)) for day in days],
                axis_label=lambda index, bar: (
                    bar.label[5:] if index % step == 0 or index == len(days) - 1 else ""
                ),
            ),
        )
    ]
    in_hours = _("In hours; the table of figures has the same numbers.")
    judged = _(
        "Share of judged targets that were met, in percent; rows without a judged target are empty."
    )
    per_row: tuple[tuple[str, Any, Any, Callable[[Figures], Bar], float | None], ...] = (
        (
            "chart-first-response",
            _("Median first response time by %(breakdown)s"),
            in_hours,
            lambda row: _hours_bar(row.label, row.first_response_median),
            None,
        ),
        (
            "chart-resolution",
            _("Median resolution time by %(breakdown)s"),
            in_hours,
            lambda row: _hours_bar(row.label, row.resolution_median),
            None,
        ),
        (
            "chart-first-response-sla",
            _("First response SLA met by %(breakdown)s"),
            judged,
            lambda row: _percent_bar(row.label, row.first_response_compliance),
            100,
        ),
        (
            "chart-resolution-sla",
            _("Resolution SLA met by %(breakdown)s"),
            judged,
            lambda row: _percent_bar(row.label, row.resolution_compliance),
            100,
        ),
    )
    for chart_id, title, description, bar, maximum in per_row:
        name = str(title % {"breakdown": by})
        svg = bar_chart(
            chart_id,
            title=name,
            description=str(description),
            bars=[bar(row) for row in report.rows],
            maximum=maximum,
        )
        result.append(Chart(name, svg))
    ratings_title = str(_("Satisfaction ratings, 1 (bad) to 5 (excellent)"))
    result.append(
        Chart(
            ratings_title,
            column_chart(
                "chart-ratings",
                title=ratings_title,
                description=str(_("How many ratings of each value customers gave in the period.")),
                bars=[
                    Bar(
                        str(rating),
                        report.totals.ratings[rating],
                        str(report.totals.ratings[rating]),
                    )
                    for rating in RATINGS
                ],
                axis_label=lambda index, bar: f"{bar.label} ({bar.text})",
            ),
        )
    )
    return result


def _hours_bar(label: str, value: timedelta | None) -> Bar:
    if value is None:
        return Bar(label, None, "—")
    amount = value.total_seconds() / 3600
    return Bar(label, amount, str(_("%(hours)s h") % {"hours": number_format(round(amount, 1), 1)}))


def _percent_bar(label: str, value: float | None) -> Bar:
    if value is None:
        return Bar(label, None, "—")
    return Bar(label, value, f"{number_format(round(value, 1), 1)} %")
