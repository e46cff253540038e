"""Trend-chart geometry (``labs.charts``: pure, no database)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labs.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, ThresholdLine, TrendPoint, nice_step, trend_chart

D = Decimal
LINES = [
    ThresholdLine(D(500), "Reduce dose and recheck", "warn"),
    ThresholdLine(D(800), "Hold treatment", "hold"),
]


def point(day: int, value: int, flagged=False) -> TrendPoint:
    return TrendPoint(date(2026, 3, day), D(value), flagged, f"{value}")


@pytest.mark.parametrize(("span", "step"), [(100, 25), (1000, 250), (660, 200), (7, 2), (44, 20), (1.1, 0.5)])
def test_axis_steps_are_round_numbers(span, step):
    assert nice_step(span) == step


def test_a_high_triglyceride_chart_has_the_band_the_threshold_lines_and_the_flagged_point():
    chart = trend_chart(
        code="tg",
        title="Triglycerides trend",
        unit="mg/dL",
        points=[point(2, 120), point(20, 620, flagged=True)],
        band=(None, D(149)),
        thresholds=LINES,
    )
    assert [p["flagged"] for p in chart.points] == [False, True]
    assert chart.points[0]["x"] == LEFT and chart.points[1]["x"] == WIDTH - RIGHT  # first and last date at the edges
    assert chart.points[1]["y"] < chart.points[0]["y"]  # higher value, higher on the page
    assert [line["label"] for line in chart.lines] == ["Reduce dose and recheck", "Hold treatment"]
    assert chart.band["y"] + chart.band["height"] == HEIGHT - BOTTOM  # from 0 up to the lab's limit
    assert "2 results" in chart.summary and "1 flagged" in chart.summary
    assert "≤ 149 mg/dL" in chart.band_label


def test_the_lowest_threshold_is_always_on_the_scale_and_higher_ones_only_when_they_fit():
    chart = trend_chart(
        code="tg", title="t", unit="mg/dL", points=[point(2, 90)], band=(None, D(149)), thresholds=LINES
    )
    assert [line["label"] for line in chart.lines] == ["Reduce dose and recheck"]
    assert chart.points[0]["x"] == LEFT + (WIDTH - RIGHT - LEFT) / 2  # a single result is centred


def test_no_results_no_geometry():
    chart = trend_chart(code="tg", title="t", unit="mg/dL", points=[])
    assert chart.points == [] and chart.polyline == "" and chart.band is None


@given(
    st.lists(
        st.tuples(st.integers(1, 28), st.integers(0, 10_000), st.booleans()),
        min_size=1,
        max_size=20,
        unique_by=lambda t: t[0],
    )
)
def test_every_point_lies_inside_the_plot(values):
    chart = trend_chart(
        code="tg",
        title="t",
        unit="mg/dL",
        points=[point(day, value, flagged) for day, value, flagged in values],
        band=(D(0), D(149)),
        thresholds=LINES,
    )
    for p in chart.points:
        assert LEFT <= p["x"] <= WIDTH - RIGHT
        assert TOP <= p["y"] <= HEIGHT - BOTTOM
    for line in chart.lines:
        assert TOP <= line["y"] <= HEIGHT - BOTTOM
