"""Geometry of the server-rendered SVG graphics on the course page: the cumulative mg/kg chart
(target band, doses so far, projection) and the progress bar. Templates only place what these
compute; nothing here touches the database."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 36  # margins for the axis labels
# How far a projection is drawn past today: up to the top of the band, but never more than
# MAX_PROJECTION_DAYS; when the plan never gets there (paused, or the plan ends), a short way.
MAX_PROJECTION_DAYS = 730
NO_TARGET_PROJECTION_DAYS = 60


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_width: int = WIDTH - RIGHT - LEFT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    band_top: float = 0
    band_height: float = 0
    band_label_y: float = 0
    actual: str = ""  # SVG polyline points
    projected: str = ""
    today_x: float | None = None
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)


def _nice_step(maximum: float) -> int:
    for step in (10, 20, 25, 50, 100):
        if maximum / step <= 8:
            return step
    return 200


def _month_starts(first: date, last: date, every: int) -> list[date]:
    day = date(first.year, first.month, 1)
    months = []
    while day <= last:
        if day >= first and (day.month - 1) % every == 0:
            months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def build_chart(
    points: list[tuple[date, Decimal]], today: date, target_low: Decimal, target_high: Decimal
) -> Chart | None:
    """The chart of ``points`` (day, cumulative mg/kg): solid up to ``today``, dashed after."""
    if len(points) < 2:
        return None
    chart = Chart()
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)
    top_value = max(float(target_high) * 1.15, max(float(v) for _, v in points))
    plot_w = chart.plot_right - chart.plot_left
    plot_h = chart.plot_bottom - chart.plot_top

    def x(day: date) -> float:
        return round(chart.plot_left + plot_w * (day - first).days / span, 1)

    def y(value) -> float:
        return round(chart.plot_bottom - plot_h * float(value) / top_value, 1)

    chart.band_top = y(target_high)
    chart.band_height = round(y(target_low) - y(target_high), 1)
    chart.band_label_y = chart.band_top + 12
    actual = [p for p in points if p[0] <= today]
    projected = [p for p in points if p[0] >= today]
    if actual and projected and actual[-1][0] != projected[0][0]:
        projected.insert(0, actual[-1])
    chart.actual = " ".join(f"{x(d)},{y(v)}" for d, v in actual)
    chart.projected = " ".join(f"{x(d)},{y(v)}" for d, v in projected) if len(projected) > 1 else ""
    if first <= today <= last:
        chart.today_x = x(today)
    step = _nice_step(top_value)
    chart.y_ticks = [(y(v), str(v)) for v in range(0, int(top_value) + 1, step)]
    every = 1 if span <= 400 else 3
    chart.x_ticks = [
        (x(m), m.strftime("%b %Y" if m.month == 1 or m == first else "%b")) for m in _month_starts(first, last, every)
    ]
    return chart


def chart_range(first: date, today: date, end: date | None, reached: date | None) -> tuple[date, date]:
    """Days to draw: from the first dose to the course's end, or to the later of today and the
    day the top of the band is reached (see MAX_PROJECTION_DAYS), plus a margin."""
    if end is not None:
        last = end
    elif reached is None:
        last = today + timedelta(days=NO_TARGET_PROJECTION_DAYS)
    else:
        last = min(max(reached, today), today + timedelta(days=MAX_PROJECTION_DAYS))
    last = max(last, first + timedelta(days=28))
    return first, last + timedelta(days=max((last - first).days // 20, 3))


@dataclass
class Progress:
    """The progress bar, in a 0-1000 wide coordinate space (the SVG stretches it)."""

    value_width: float
    band_x: float
    band_width: float
    percent_of_high: int


def build_progress(value: Decimal, target_low: Decimal, target_high: Decimal) -> Progress:
    scale = max(float(target_high) * 1.15, float(value))

    def at(v) -> float:
        return round(1000 * float(v) / scale, 1)

    return Progress(
        value_width=at(value),
        band_x=at(target_low),
        band_width=round(at(target_high) - at(target_low), 1),
        percent_of_high=int(100 * value / target_high) if target_high else 0,
    )
