"""A patient's trend charts: their results grouped by analyte, in the canonical unit, with the
latest lab range as a band and the clinic's thresholds as lines (geometry in ``charts``)."""

from collections.abc import Iterable

from . import ranges
from .charts import ThresholdLine, TrendChart, TrendPoint, trend_chart
from .models import LabResult


def trend_charts(results: Iterable[LabResult], thresholds: list[ranges.Threshold]) -> list[TrendChart]:
    """One chart per analyte, in catalog order. ``results`` need ``analyte`` and ``specimen``
    loaded (select_related)."""
    by_analyte: dict[int, list[LabResult]] = {}
    for result in results:
        by_analyte.setdefault(result.analyte_id, []).append(result)
    charts = []
    for rows in sorted(by_analyte.values(), key=lambda rows: (rows[0].analyte.display_order, rows[0].analyte.name)):
        analyte = rows[0].analyte
        rule = analyte.rule
        rows.sort(key=lambda r: (r.specimen.collected_on, r.pk))
        latest = rows[-1]
        low, high = (
            None if limit is None else ranges.rounded(ranges.to_canonical(limit, latest.unit, rule))
            for limit in (latest.reference_low, latest.reference_high)
        )
        unit = rule.canonical_unit
        lines = []
        for threshold in thresholds:
            level = threshold.level(high) if threshold.analyte == analyte.code else None
            if level is not None:
                title = f"{threshold.action}: {threshold.description} ({ranges.display(level)} {unit})"
                lines.append(
                    ThresholdLine(level=level, label=threshold.action, severity=threshold.severity, title=title)
                )
        points = [
            TrendPoint(
                on=r.specimen.collected_on,
                value=r.canonical_value,
                flagged=r.abnormal,
                label=_point_label(r, unit),
            )
            for r in rows
        ]
        charts.append(
            trend_chart(
                code=analyte.code,
                title=f"{analyte.name} trend",
                unit=analyte.canonical_unit,
                points=points,
                band=(low, high),
                thresholds=lines,
            )
        )
    return charts


def _point_label(result: LabResult, unit: str) -> str:
    label = f"{result.specimen.collected_on.isoformat()}: {ranges.display(result.canonical_value)} {unit}"
    label += f", {result.get_flag_display().lower()}"
    return label + (f", {result.action.lower()}" if result.action else "")
