"""The report's charts: inline SVG with a title and a description, one mark per number."""

from __future__ import annotations

import re
from datetime import date

import pytest

from madoguchi.reports.charts import Bar, bar_chart, report_charts
from madoguchi.reports.selectors import Breakdown, Period, Scope, report
from tests.reports.conftest import Desk

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 10))


@pytest.mark.django_db
def test_every_chart_is_titled_described_and_has_a_column_a_day(desk: Desk) -> None:
    charts = report_charts(report(scope=Scope(None), period=NOVEMBER, breakdown=Breakdown.CHANNEL))
    assert len(charts) == 6
    for chart in charts:
        svg = str(chart.svg)
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert 'role="img"' in svg
        chart_id = re.search(r'id="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg
        assert f'<title id="{chart_id}-title">' in svg
        assert f'<desc id="{chart_id}-desc">' in svg
        assert "<script" not in svg
    volume = str(charts[0].svg)
    assert volume.count('<rect class="chart__bar"') == 10
    assert "<title>2026-11-02: 2</title>" in volume
    ratings = str(charts[-1].svg)
    assert ratings.count('<rect class="chart__bar"') == 5


def test_a_bar_is_as_long_as_its_share_of_the_longest() -> None:
    svg = str(
        bar_chart(
            "c",
            title="t",
            description="d",
            bars=[Bar("a", 50, "50 %"), Bar("b", 100, "100 %"), Bar("c", None, "—")],
            maximum=100,
        )
    )
    widths = [float(w) for w in re.findall(r'<rect class="chart__bar" [^>]*width="([\d.]+)"', svg)]
    assert widths[0] * 2 == pytest.approx(widths[1])
    assert widths[2] == 0


def test_labels_are_escaped() -> None:
    svg = str(bar_chart("c", title="<b>", description="&", bars=[Bar("<script>", 1, "1")]))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert '<title id="c-title">&lt;b&gt;</title>' in svg
