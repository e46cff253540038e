"""Geometry of a trend chart, drawn by a template as SVG (no chart library, no script).

Pure: values in, coordinates and labels out. Values are in the analyte's canonical unit, so
results entered in mg/dL and mmol/L share one axis. The shaded band is the reference range
reported with the latest result (ranges differ between labs); threshold lines are the clinic's
action thresholds (a multiple of the upper limit of normal is drawn at that multiple of the
latest result's limit).
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .ranges import range_text

WIDTH = 560
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 52, 150, 26, 30


@dataclass(frozen=True)
class TrendPoint:
    on: date
    value: Decimal
    flagged: bool
    label: str  # e.g. "2026-03-02: 620 mg/dL, high"


@dataclass(frozen=True)
class ThresholdLine:
    level: Decimal
    label: str  # short, drawn beside the line
    severity: str
    title: str = ""  # the full rule, shown on hover


@dataclass
class TrendChart:
    code: str
    title: str
    unit: str
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    points: list[dict] = field(default_factory=list)
    polyline: str = ""
    band: dict | None = None
    lines: list[dict] = field(default_factory=list)
    y_ticks: list[dict] = field(default_factory=list)
    x_ticks: list[dict] = field(default_factory=list)
    band_label: str = ""
    summary: str = ""


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` intervals."""
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def trend_chart(
    *,
    code: str,
    title: str,
    unit: str,
    points: list[TrendPoint],
    band: tuple[Decimal | None, Decimal | None] = (None, None),
    thresholds: list[ThresholdLine] = (),
) -> TrendChart:
    chart = TrendChart(code=code, title=title, unit=unit)
    if not points:
        return chart
    points = sorted(points, key=lambda p: p.on)
    band_low, band_high = band
    candidates = [float(p.value) for p in points]
    if band_high is not None:
        candidates.append(float(band_high))
    if thresholds:
        # The lowest threshold is always visible, so the chart shows how far the values are from it.
        candidates.append(float(min(t.level for t in thresholds)))
    top = max(max(candidates) * 1.1, 1.0)
    step = nice_step(top)
    top = math.ceil(top / step) * step

    plot_h = chart.plot_bottom - chart.plot_top
    plot_w = chart.plot_right - chart.plot_left

    def y(value: float) -> float:
        return round(chart.plot_bottom - min(value, top) / top * plot_h, 1)

    first, last = points[0].on, points[-1].on
    span_days = (last - first).days

    def x(on: date) -> float:
        if span_days == 0:
            return round(chart.plot_left + plot_w / 2, 1)
        return round(chart.plot_left + (on - first).days / span_days * plot_w, 1)

    for point in points:
        chart.points.append(
            {"x": x(point.on), "y": y(float(point.value)), "flagged": point.flagged, "label": point.label}
        )
    chart.polyline = " ".join(f"{p['x']},{p['y']}" for p in chart.points)
    if band_low is not None or band_high is not None:
        low = float(band_low) if band_low is not None else 0.0
        high = float(band_high) if band_high is not None else top
        chart.band = {"y": y(high), "height": round(y(low) - y(high), 1), "x": chart.plot_left, "width": plot_w}
        chart.band_label = f"Shaded: the latest result's reference range, {range_text(band_low, band_high, unit)}."
    for line in sorted(thresholds, key=lambda t: t.level):
        if float(line.level) <= top:
            chart.lines.append(
                {"y": y(float(line.level)), "label": line.label, "title": line.title, "severity": line.severity}
            )
    tick = 0.0
    while tick <= top + step / 1000:
        chart.y_ticks.append({"y": y(tick), "label": _number(tick)})
        tick += step
    chart.x_ticks.append({"x": x(first), "label": first.isoformat(), "anchor": "start" if span_days else "middle"})
    if span_days:
        chart.x_ticks.append({"x": x(last), "label": last.isoformat(), "anchor": "end"})
    flagged = sum(1 for p in points if p.flagged)
    chart.summary = (
        f"{len(points)} result{'s' if len(points) != 1 else ''} from {first.isoformat()} to {last.isoformat()}"
        f"{f', {flagged} flagged' if flagged else ''}; latest {points[-1].label}."
    )
    return chart
