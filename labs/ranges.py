"""Lab values: unit conversion, flags against the performing lab's own range, and the clinic's
action thresholds. Pure functions over plain data (no ORM): the services call them when a result
is entered, the pages call them to draw trends, and tests call them directly.

Every value is compared in the unit it was entered in against the range the lab printed with it;
thresholds are clinic rules in the analyte's canonical unit (mg/dL for lipids, U/L for liver
enzymes), so a value entered in mmol/L is converted before it is compared with them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

MG_DL = "mg/dL"
MMOL_L = "mmol/L"
U_L = "U/L"


class Flag(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    NO_RANGE = "no_range"  # the lab reported no limit on the side the value would be compared with


class Severity(StrEnum):
    """How urgent a threshold's action is. Ordered: a later member outranks an earlier one."""

    WARN = "warn"
    HOLD = "hold"


class Basis(StrEnum):
    ABSOLUTE = "absolute"  # limit in the analyte's canonical unit
    ULN_MULTIPLE = "uln_multiple"  # limit = multiple x the lab's upper limit of normal


class Comparison(StrEnum):
    GTE = "gte"
    GT = "gt"


SEVERITY_RANK = {Severity.WARN: 1, Severity.HOLD: 2}


@dataclass(frozen=True)
class AnalyteRule:
    code: str
    name: str
    canonical_unit: str
    # mg/dL per mmol/L (triglycerides 88.57, cholesterol 38.67); None: mmol/L not accepted.
    mmol_factor: Decimal | None
    # Above this (canonical unit) a value is not physiologically possible: a typing or unit error.
    plausible_max: Decimal

    @property
    def units(self) -> tuple[str, ...]:
        if self.mmol_factor and self.canonical_unit == MG_DL:
            return (MG_DL, MMOL_L)
        return (self.canonical_unit,)


@dataclass(frozen=True)
class Threshold:
    analyte: str
    basis: Basis
    comparison: Comparison
    limit: Decimal
    action: str
    severity: Severity

    def level(self, uln: Decimal | None) -> Decimal | None:
        """The value (canonical unit) at which this threshold sits; None when it depends on an
        upper limit of normal that the lab did not report."""
        if self.basis == Basis.ABSOLUTE:
            return self.limit
        return None if uln is None else self.limit * uln

    def is_hit(self, value: Decimal, uln: Decimal | None) -> bool:
        level = self.level(uln)
        if level is None:
            return False
        return value >= level if self.comparison == Comparison.GTE else value > level

    @property
    def description(self) -> str:
        sign = "≥" if self.comparison == Comparison.GTE else ">"
        if self.basis == Basis.ABSOLUTE:
            return f"{sign} {_plain(self.limit)}"
        return f"{sign} {_plain(self.limit)}x ULN"


@dataclass(frozen=True)
class Evaluation:
    flag: Flag
    hits: tuple[Threshold, ...]  # most severe first
    canonical_value: Decimal

    @property
    def worst(self) -> Threshold | None:
        return self.hits[0] if self.hits else None

    @property
    def abnormal(self) -> bool:
        return self.flag in (Flag.LOW, Flag.HIGH) or bool(self.hits)


def _plain(value: Decimal) -> str:
    """1,234.5 without trailing zeros (500, not 500.000)."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        normal = normal.quantize(Decimal(1))
    return f"{normal:,f}"


def rounded(value: Decimal, places: int = 1) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places))


def display(value: Decimal, places: int = 1) -> str:
    return _plain(rounded(value, places))


def convert(value: Decimal, from_unit: str, to_unit: str, rule: AnalyteRule) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (unrounded)."""
    if from_unit == to_unit:
        return value
    if rule.mmol_factor and {from_unit, to_unit} == {MG_DL, MMOL_L}:
        return value * rule.mmol_factor if from_unit == MMOL_L else value / rule.mmol_factor
    raise ValueError(f"{rule.code}: cannot convert {from_unit} to {to_unit}")


def to_canonical(value: Decimal, unit: str, rule: AnalyteRule) -> Decimal:
    return convert(value, unit, rule.canonical_unit, rule)


def range_flag(value: Decimal, low: Decimal | None, high: Decimal | None) -> Flag:
    """Low / high against the lab's own limits (same unit as the value). A lab that reports
    only one side (e.g. triglycerides < 150) flags only on that side."""
    if low is not None and value < low:
        return Flag.LOW
    if high is not None and value > high:
        return Flag.HIGH
    if low is None and high is None:
        return Flag.NO_RANGE
    return Flag.NORMAL


def threshold_hits(
    analyte: str, canonical_value: Decimal, canonical_uln: Decimal | None, thresholds: Iterable[Threshold]
) -> tuple[Threshold, ...]:
    """The thresholds of ``analyte`` this value reaches, most severe (then highest) first."""
    hits = [t for t in thresholds if t.analyte == analyte and t.is_hit(canonical_value, canonical_uln)]
    hits.sort(key=lambda t: (SEVERITY_RANK[t.severity], t.level(canonical_uln)), reverse=True)
    return tuple(hits)


def evaluate(
    rule: AnalyteRule,
    thresholds: Iterable[Threshold],
    *,
    value: Decimal,
    unit: str,
    low: Decimal | None,
    high: Decimal | None,
) -> Evaluation:
    canonical = to_canonical(value, unit, rule)
    uln = None if high is None else to_canonical(high, unit, rule)
    return Evaluation(
        flag=range_flag(value, low, high),
        hits=threshold_hits(rule.code, canonical, uln, thresholds),
        canonical_value=canonical,
    )


def entry_errors(
    rule: AnalyteRule,
    thresholds: Iterable[Threshold],
    *,
    value: Decimal,
    unit: str,
    low: Decimal | None,
    high: Decimal | None,
) -> dict[str, str]:
    """What is wrong with one entered result, by field (``value``, ``unit``, ``reference_low``,
    ``reference_high``); empty when it can be recorded."""
    errors: dict[str, str] = {}
    if unit not in rule.units:
        errors["unit"] = f"{rule.name} is entered in {' or '.join(rule.units)}."
        return errors
    if value < 0:
        errors["value"] = "A lab value cannot be negative."
    elif to_canonical(value, unit, rule) > rule.plausible_max:
        limit = f"{_plain(rule.plausible_max)} {rule.canonical_unit}"
        if unit != rule.canonical_unit:
            limit += f" ({display(convert(rule.plausible_max, rule.canonical_unit, unit, rule), 2)} {unit})"
        errors["value"] = f"{rule.name} above {limit} is not physiologically possible: check the value and the unit."
    for name, limit_value in (("reference_low", low), ("reference_high", high)):
        if limit_value is not None and limit_value < 0:
            errors[name] = "A reference limit cannot be negative."
    if low is not None and high is not None and low > high and "reference_low" not in errors:
        errors["reference_low"] = "The low end of the lab's range is above its high end: check both limits."
    if low is None and high is None:
        errors["reference_high"] = "Copy the reference range (or upper limit of normal) printed by the lab."
    elif high is None and any(t.analyte == rule.code and t.basis == Basis.ULN_MULTIPLE for t in thresholds):
        errors["reference_high"] = (
            f"Give the lab's upper limit of normal: the clinic's {rule.name} thresholds are multiples of it."
        )
    return errors


def flag_text(flag: Flag, low: Decimal | None, high: Decimal | None, unit: str) -> str:
    """The words that go with a flag badge (colour is never the only signal)."""
    if flag == Flag.HIGH:
        return f"High: above the lab's limit of {_plain(high)} {unit}"
    if flag == Flag.LOW:
        return f"Low: below the lab's limit of {_plain(low)} {unit}"
    if flag == Flag.NO_RANGE:
        return "No reference range reported"
    return "Within the lab's range"


def range_text(low: Decimal | None, high: Decimal | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{_plain(low)}-{_plain(high)} {unit}"
    if high is not None:
        return f"≤ {_plain(high)} {unit}"
    if low is not None:
        return f"≥ {_plain(low)} {unit}"
    return "—"
