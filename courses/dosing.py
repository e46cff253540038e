"""The cumulative dose engine: pure functions over plain dataclasses (no Django, no database).

``courses.selectors.dose_inputs`` turns database rows into ``CourseFacts`` for many courses at
once; everything here is plain arithmetic on those facts, cheap enough for a sweep over
thousands of courses (no loop over days: each course is cut into a handful of segments of
constant dose, weight and hold state, and every figure is a closed form over them).

Facts
-----
``CourseFacts``: the course's dose ``Period``s (first and last day, the daily doses of the
regimen's cycle in mg), missed days, ``Hold``s, the patient's dated ``Weight``s, the day the
baseline weight is taken (the course's first day) and the target band in mg/kg.

Conventions
-----------
- Days are calendar days. Periods and holds include their first and last day; ``end=None`` is
  open (an open period goes on at its dose; an open hold is a paused course).
- A regimen's cycle starts on its period's first day: 40 / 60 mg alternating from 1 March gives
  40 mg on 1 March, 60 mg on 2 March, and so on, whatever days are missed.
- "Through D" includes day D's dose.
- Taken = prescribed by the periods, minus missed days and days on hold. Days after the date
  of interest count as taken as planned: the cumulative dose at a future date is the projection.
- Weight in force on a day: the latest measurement on or before it (before the first
  measurement: the first one). Baseline weight: the weight in force on ``baseline_on``.
- ``WeightMethod.BASELINE``: total mg / baseline weight (what most calculators do).
  ``WeightMethod.BY_PERIOD``: the sum, over the periods during which one weight is in force,
  of the mg taken in that period / that weight. With a constant weight the two are identical.
- Future days (after ``as_of``) are divided by the baseline weight (BASELINE) or by the weight
  in force on ``as_of`` (BY_PERIOD), since no later weight is known.

Public functions
----------------
- ``weight_on(weights, day)``: the weight in force on ``day`` (kg), or None without weights.
- ``prescribed_mg(facts, first, last)`` / ``taken_mg(facts, first, last)``: mg over a range of days.
- ``cumulative(facts, through, method)``: cumulative mg/kg through a day (None without weights).
- ``date_reached(facts, mg_per_kg, method)``: the first day by whose end the cumulative dose
  reaches ``mg_per_kg`` under the recorded plan (past or projected); None if never.
- ``summarize(facts, as_of, method)``: everything a page or the compliance sweep shows
  (``DoseSummary``): mg taken and prescribed, mg/kg by both methods, current dose and mg/kg/day,
  remaining mg to each end of the band, the dates each end is (or will be) reached, and the
  days to the top of the band at the current dose.
- ``period_stats(facts, as_of)``: per dose period, the mg prescribed and taken to date and the
  mg/kg/day at the weight in force when it starts.
- ``dose_for_target(facts, as_of, mg_per_kg, by, method, doses)``: the what-if: the constant
  daily dose from the next day that reaches ``mg_per_kg`` by ``by``, exactly and rounded up to
  the nearest dose the capsules can make (``doses``, ascending).
- ``date_for_dose(facts, as_of, daily_mg, mg_per_kg, method)``: the what-if the other way: the
  day ``mg_per_kg`` is reached if ``daily_mg`` is taken every day from the next day.
- ``series(facts, first, last, method, max_points)``: (day, cumulative mg/kg) for the chart; one
  point per day, or for long ranges every segment boundary plus evenly spaced days (the line
  is straight between boundaries, so its shape is exact).
- ``days_needed(remaining_mg, daily_mg)``: whole days of a dose to take an amount (27.5 -> 28).
- ``one_decimal(x)`` / ``two_decimals(x)``: the display rounding below.

Rounding rules
--------------
1. mg are exact (capsule strengths are whole mg; sums are exact Decimals).
2. mg/kg are Decimal quotients to 28 significant digits; nothing is rounded in between.
   Within one weight, mg are summed before dividing, so BASELINE and BY_PERIOD agree exactly
   when the weight is constant.
3. When a remaining amount is turned into mg to find a day, it is rounded to 6 decimal
   places (ROUND_HALF_EVEN) so that a division residue (1/65 is not a finite decimal) never
   moves a date by a day; a millionth of a mg is clinically nothing.
4. Dates: the day the target is reached is a whole day, the first day by whose end the total
   is at least the target (27.5 days of dose needed -> the 28th day). ``days_to_high`` keeps the
   exact figure (27.5).
5. What-if dose: the exact mg/day, then rounded UP to the next dose the capsules can make, so
   the target is still reached by the chosen date.
6. Display: cumulative mg/kg to one decimal, mg/kg/day to two, both ROUND_HALF_UP
   (124.615... -> 124.6). Comparisons with thresholds use the unrounded values.
7. The two methods "differ" when |BASELINE - BY_PERIOD| > ``difference`` (default 2 %) of the
   method shown.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import pairwise

ZERO = Decimal(0)
_MG_QUANTUM = Decimal("0.000001")
_NEVER = date.max.toordinal()  # the last day of an open period or hold


class WeightMethod(StrEnum):
    BASELINE = "baseline"
    BY_PERIOD = "by_period"


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None  # inclusive; None: open
    daily_mg: tuple[Decimal, ...]  # the regimen's cycle: (60,) every day, (40, 60) alternating
    formulation: str = ""

    @property
    def average_daily_mg(self) -> Decimal:
        return sum(self.daily_mg, ZERO) / len(self.daily_mg)


@dataclass(frozen=True)
class Hold:
    start: date
    end: date | None  # inclusive; None: open (a paused course)


@dataclass(frozen=True)
class Weight:
    on: date
    kg: Decimal


@dataclass(frozen=True)
class CourseFacts:
    periods: tuple[Period, ...]
    missed: tuple[date, ...] = ()
    holds: tuple[Hold, ...] = ()
    weights: tuple[Weight, ...] = ()
    baseline_on: date | None = None  # default: the first period's first day
    target_low: Decimal = Decimal(120)
    target_high: Decimal = Decimal(150)


@dataclass(frozen=True)
class DoseSummary:
    as_of: date
    method: WeightMethod
    prescribed_mg: Decimal
    taken_mg: Decimal
    baseline_kg: Decimal | None
    current_kg: Decimal | None
    by_baseline: Decimal | None  # mg/kg
    by_period: Decimal | None  # mg/kg
    mg_per_kg: Decimal | None  # by ``method``
    methods_differ: bool
    on_hold: bool
    daily_mg: Decimal | None  # average over the cycle of the period in force on as_of
    mg_per_kg_day: Decimal | None
    remaining_low_mg: Decimal | None
    remaining_high_mg: Decimal | None
    low_reached_on: date | None
    high_reached_on: date | None
    days_to_high: Decimal | None  # at the current dose, exact (27.5)


@dataclass(frozen=True)
class PeriodStats:
    period: Period
    prescribed_mg: Decimal  # through min(end, as_of)
    taken_mg: Decimal
    kg: Decimal | None  # weight in force on the period's first day
    mg_per_kg_day: Decimal | None  # average daily dose / kg
    max_mg_per_kg_day: Decimal | None  # the highest day of the cycle / kg


@dataclass(frozen=True)
class WhatIfDose:
    remaining_mg: Decimal
    days: int  # days from ``start`` through ``by`` that are not on hold or missed
    start: date
    exact_mg: Decimal | None  # mg/day, unrounded; None when unreachable (no days)
    dose_mg: Decimal | None  # rounded up to a makeable dose; None when beyond the largest
    reached_on: date | None  # with dose_mg

    @property
    def already_reached(self) -> bool:
        return self.remaining_mg <= 0


def one_decimal(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.1"), ROUND_HALF_UP)


def two_decimals(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _snap(mg: Decimal) -> Decimal:
    return mg.quantize(_MG_QUANTUM)


def weight_on(weights, day: date) -> Decimal | None:
    """The weight in force on ``day``: the latest measured on or before it, else the first."""
    ordered = sorted(weights, key=lambda w: w.on)
    if not ordered:
        return None
    in_force = ordered[0].kg
    for weight in ordered:
        if weight.on > day:
            break
        in_force = weight.kg
    return in_force


# --- The compiled timeline --------------------------------------------------------------------


class _Cycle:
    """A period's cycle as cumulative sums: mg over its first k days in O(1)."""

    __slots__ = ("end", "n", "prefix", "start", "total")

    def __init__(self, period: Period):
        self.start = period.start.toordinal()
        self.end = period.end.toordinal() if period.end else _NEVER
        self.n = len(period.daily_mg)
        self.prefix = [ZERO]
        for mg in period.daily_mg:
            self.prefix.append(self.prefix[-1] + mg)
        self.total = self.prefix[-1]

    def first_days(self, k: int) -> Decimal:
        """mg of the period's first ``k`` days (ignoring its end)."""
        return (k // self.n) * self.total + self.prefix[k % self.n]

    def mg(self, first: int, last: int) -> Decimal:
        first, last = max(first, self.start), min(last, self.end)
        if first > last:
            return ZERO
        return self.first_days(last - self.start + 1) - self.first_days(first - self.start)

    def days_to_reach(self, first: int, need: Decimal) -> int:
        """The smallest k >= 1 such that the k days from ``first`` give at least ``need`` mg."""
        offset = first - self.start
        base = self.first_days(offset)
        whole_cycles = max(int(need // self.total) - 1, 0)
        k = whole_cycles * self.n
        while self.first_days(offset + k) - base < need:
            k += 1
        return max(k, 1)


@dataclass(frozen=True)
class _Segment:
    """Days [start, end] with one period (or none), one weight and one hold state."""

    start: int
    end: int
    cycle: _Cycle | None  # None: no dose prescribed, or all days on hold / missed
    kg: Decimal | None
    mg_before: Decimal  # mg taken before the segment
    run_mg_before: Decimal  # mg taken before the segment since this weight came into force
    run_base: Decimal  # mg/kg (BY_PERIOD) of the earlier weights' runs

    def mg_through(self, day: int) -> Decimal:
        return self.cycle.mg(self.start, min(day, self.end)) if self.cycle else ZERO


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class _Timeline:
    def __init__(self, facts: CourseFacts):
        self.cycles = sorted((_Cycle(p) for p in facts.periods), key=lambda c: c.start)
        self.cycle_starts = [c.start for c in self.cycles]
        for before, after in pairwise(self.cycles):
            if after.start <= before.end:
                raise ValueError("dose periods overlap")
        self.hold_spans = _merge([(h.start.toordinal(), h.end.toordinal() if h.end else _NEVER) for h in facts.holds])
        self.excluded = _merge(self.hold_spans + [(d.toordinal(), d.toordinal()) for d in facts.missed])
        self.weights = sorted(facts.weights, key=lambda w: w.on)  # stable: the later entry of a day wins
        self.weight_days = [w.on.toordinal() for w in self.weights]
        self.first = self.cycles[0].start if self.cycles else None
        baseline_on = facts.baseline_on or (min(p.start for p in facts.periods) if facts.periods else None)
        self.baseline_kg = weight_on(self.weights, baseline_on) if baseline_on else None
        self.segments = self._segments() if self.cycles else []
        self.segment_starts = [s.start for s in self.segments]

    # Lookups by day (ordinals) -------------------------------------------------------------
    def kg_on(self, day: int) -> Decimal | None:
        if not self.weights:
            return None
        index = bisect_right(self.weight_days, day) - 1
        return self.weights[max(index, 0)].kg

    def cycle_on(self, day: int) -> _Cycle | None:
        index = bisect_right(self.cycle_starts, day) - 1
        if index >= 0 and self.cycles[index].end >= day:
            return self.cycles[index]
        return None

    @staticmethod
    def covered(spans: list[tuple[int, int]], day: int) -> bool:
        index = bisect_right(spans, (day, _NEVER)) - 1
        return index >= 0 and spans[index][1] >= day

    def _segments(self) -> list[_Segment]:
        bounds = {self.first}
        for cycle in self.cycles:
            bounds.update((cycle.start, cycle.end + 1))
        for start, end in self.excluded:
            bounds.update((start, end + 1))
        bounds.update(self.weight_days)
        starts = sorted(b for b in bounds if self.first <= b <= _NEVER)
        segments = []
        mg_before = run_mg_before = run_base = ZERO
        kg_before = None
        for start, next_start in zip(starts, [*starts[1:], _NEVER + 1], strict=True):
            kg = self.kg_on(start)
            if kg != kg_before and kg_before is not None:
                run_base += run_mg_before / kg_before
                run_mg_before = ZERO
            kg_before = kg
            cycle = None if self.covered(self.excluded, start) else self.cycle_on(start)
            segment = _Segment(start, next_start - 1, cycle, kg, mg_before, run_mg_before, run_base)
            segments.append(segment)
            if next_start <= _NEVER:
                mg = segment.mg_through(segment.end)
                mg_before += mg
                run_mg_before += mg
        return segments

    def _segment(self, day: int) -> _Segment | None:
        index = bisect_right(self.segment_starts, day) - 1
        return self.segments[index] if index >= 0 else None

    # Figures ---------------------------------------------------------------------------------
    def taken_through(self, day: int) -> Decimal:
        segment = self._segment(day)
        return segment.mg_before + segment.mg_through(day) if segment else ZERO

    def prescribed(self, first: int, last: int) -> Decimal:
        return sum((c.mg(first, last) for c in self.cycles), ZERO)

    def by_baseline(self, day: int) -> Decimal | None:
        return None if self.baseline_kg is None else self.taken_through(day) / self.baseline_kg

    def by_period(self, day: int) -> Decimal | None:
        if not self.weights:
            return None
        segment = self._segment(day)
        if segment is None:
            return ZERO
        return segment.run_base + (segment.run_mg_before + segment.mg_through(day)) / segment.kg

    def value(self, day: int, method: WeightMethod) -> Decimal | None:
        return self.by_baseline(day) if method == WeightMethod.BASELINE else self.by_period(day)

    def reached(self, target: Decimal, method: WeightMethod) -> int | None:
        """The first day by whose end the cumulative dose reaches ``target`` mg/kg."""
        if self.baseline_kg is None or not self.segments:
            return None
        for segment in self.segments:
            if method == WeightMethod.BASELINE:
                need = _snap(target * self.baseline_kg - segment.mg_before)
            else:
                need = _snap((target - segment.run_base) * segment.kg - segment.run_mg_before)
            if need <= 0:
                return segment.start - 1
            if segment.cycle is None or segment.cycle.total <= 0:
                continue
            if segment.end == _NEVER or segment.mg_through(segment.end) >= need:
                day = segment.start + segment.cycle.days_to_reach(segment.start, need) - 1
                return day if day <= _NEVER else None
        return None

    def daily_on(self, day: int) -> Decimal | None:
        cycle = self.cycle_on(day)
        return cycle.total / cycle.n if cycle else None

    def available_days(self, first: int, last: int) -> int:
        """Days in [first, last] not on hold and not missed."""
        days = max(last - first + 1, 0)
        for start, end in self.excluded:
            days -= max(min(end, last) - max(start, first) + 1, 0)
        return days


def _ordinal(day: date) -> int:
    return day.toordinal()


def _date(ordinal: int | None) -> date | None:
    return None if ordinal is None else date.fromordinal(ordinal)


# --- Public functions -----------------------------------------------------------------------


def prescribed_mg(facts: CourseFacts, first: date, last: date) -> Decimal:
    """mg prescribed by the periods on the days ``first`` through ``last``."""
    return _Timeline(facts).prescribed(_ordinal(first), _ordinal(last))


def taken_mg(facts: CourseFacts, first: date, last: date) -> Decimal:
    """mg taken on the days ``first`` through ``last`` (prescribed, less missed days and holds)."""
    timeline = _Timeline(facts)
    before = timeline.taken_through(_ordinal(first) - 1)
    return timeline.taken_through(_ordinal(last)) - before


def cumulative(facts: CourseFacts, through: date, method: WeightMethod = WeightMethod.BASELINE) -> Decimal | None:
    """Cumulative mg/kg through ``through`` (None when no weight is known)."""
    return _Timeline(facts).value(_ordinal(through), method)


def date_reached(facts: CourseFacts, mg_per_kg: Decimal, method: WeightMethod = WeightMethod.BASELINE) -> date | None:
    """The day the cumulative dose reaches ``mg_per_kg`` under the recorded plan (None: never)."""
    return _date(_Timeline(facts).reached(mg_per_kg, method))


def _future_kg(timeline: _Timeline, as_of: int, method: WeightMethod) -> Decimal | None:
    return timeline.baseline_kg if method == WeightMethod.BASELINE else timeline.kg_on(as_of)


def _remaining_mg(timeline: _Timeline, as_of: int, target: Decimal, method: WeightMethod) -> Decimal | None:
    value, kg = timeline.value(as_of, method), _future_kg(timeline, as_of, method)
    if value is None or kg is None:
        return None
    return max(_snap((target - value) * kg), ZERO)


def summarize(
    facts: CourseFacts,
    as_of: date,
    method: WeightMethod = WeightMethod.BASELINE,
    difference: Decimal = Decimal("0.02"),
) -> DoseSummary:
    """Where the course stands through ``as_of`` and where the plan takes it."""
    timeline = _Timeline(facts)
    day = _ordinal(as_of)
    by_baseline, by_period = timeline.by_baseline(day), timeline.by_period(day)
    shown = by_baseline if method == WeightMethod.BASELINE else by_period
    differ = bool(shown) and abs(by_baseline - by_period) > difference * shown
    current_kg = timeline.kg_on(day)
    daily = timeline.daily_on(day)
    remaining_high = _remaining_mg(timeline, day, facts.target_high, method)
    first = timeline.first if timeline.first is not None else day
    return DoseSummary(
        as_of=as_of,
        method=method,
        prescribed_mg=timeline.prescribed(first, day),
        taken_mg=timeline.taken_through(day),
        baseline_kg=timeline.baseline_kg,
        current_kg=current_kg,
        by_baseline=by_baseline,
        by_period=by_period,
        mg_per_kg=shown,
        methods_differ=differ,
        on_hold=timeline.covered(timeline.hold_spans, day),
        daily_mg=daily,
        mg_per_kg_day=daily / current_kg if daily is not None and current_kg else None,
        remaining_low_mg=_remaining_mg(timeline, day, facts.target_low, method),
        remaining_high_mg=remaining_high,
        low_reached_on=_date(timeline.reached(facts.target_low, method)),
        high_reached_on=_date(timeline.reached(facts.target_high, method)),
        days_to_high=remaining_high / daily if remaining_high is not None and daily else None,
    )


def period_stats(facts: CourseFacts, as_of: date) -> list[PeriodStats]:
    """Per period (in date order): mg prescribed and taken through ``as_of``, and mg/kg/day."""
    timeline = _Timeline(facts)
    day = _ordinal(as_of)
    rows = []
    for period in sorted(facts.periods, key=lambda p: p.start):
        cycle = _Cycle(period)
        last = min(cycle.end, day)
        taken = ZERO
        if last >= cycle.start:
            taken = timeline.taken_through(last) - timeline.taken_through(cycle.start - 1)
        kg = timeline.kg_on(cycle.start)
        rows.append(
            PeriodStats(
                period=period,
                prescribed_mg=cycle.mg(cycle.start, last),
                taken_mg=taken,
                kg=kg,
                mg_per_kg_day=period.average_daily_mg / kg if kg else None,
                max_mg_per_kg_day=max(period.daily_mg) / kg if kg else None,
            )
        )
    return rows


def _what_if_start(timeline: _Timeline, as_of: date) -> date:
    start = as_of + timedelta(days=1)
    return max(start, _date(timeline.first)) if timeline.first is not None else start


def _with_constant_dose(facts: CourseFacts, start: date, daily_mg: Decimal) -> CourseFacts:
    """The facts with every period cut before ``start`` and ``daily_mg`` a day from then on."""
    last = start - timedelta(days=1)
    kept = [replace(p, end=min(p.end or last, last)) for p in facts.periods if p.start <= last]
    return replace(facts, periods=(*kept, Period(start, None, (daily_mg,))))


def date_for_dose(
    facts: CourseFacts,
    as_of: date,
    daily_mg: Decimal,
    mg_per_kg: Decimal,
    method: WeightMethod = WeightMethod.BASELINE,
) -> date | None:
    """The day ``mg_per_kg`` is reached with ``daily_mg`` every day from the day after ``as_of``
    (or from the course's first day if later); recorded holds and missed days still apply."""
    if daily_mg <= 0:
        return None
    start = _what_if_start(_Timeline(facts), as_of)
    return date_reached(_with_constant_dose(facts, start, daily_mg), mg_per_kg, method)


def dose_for_target(
    facts: CourseFacts,
    as_of: date,
    mg_per_kg: Decimal,
    by: date,
    method: WeightMethod = WeightMethod.BASELINE,
    doses: list[int] | tuple[int, ...] = (),
) -> WhatIfDose | None:
    """The constant daily dose from the day after ``as_of`` that reaches ``mg_per_kg`` by ``by``.
    None when no weight is known."""
    timeline = _Timeline(facts)
    start = _what_if_start(timeline, as_of)
    remaining = _remaining_mg(timeline, _ordinal(as_of), mg_per_kg, method)
    if remaining is None:
        return None
    days = timeline.available_days(_ordinal(start), _ordinal(by))
    if remaining <= 0 or days <= 0:
        return WhatIfDose(remaining, max(days, 0), start, None, None, None)
    exact = remaining / days
    dose = next((Decimal(d) for d in sorted(doses) if d >= exact), None)
    reached = date_for_dose(facts, as_of, dose, mg_per_kg, method) if dose else None
    return WhatIfDose(remaining, days, start, exact, dose, reached)


def series(
    facts: CourseFacts,
    first: date,
    last: date,
    method: WeightMethod = WeightMethod.BASELINE,
    max_points: int = 150,
) -> list[tuple[date, Decimal]]:
    """Cumulative mg/kg by day from ``first`` to ``last`` (empty without weights). Daily when the
    range has at most ``max_points`` days; otherwise every segment boundary (where the slope
    changes) plus evenly spaced days, so the drawn line keeps its exact shape."""
    timeline = _Timeline(facts)
    if timeline.baseline_kg is None or last < first:
        return []
    a, b = _ordinal(first), _ordinal(last)
    if b - a + 1 <= max_points:
        days = range(a, b + 1)
    else:
        step = -(-(b - a) // (max_points - 1))
        corners = {s.start - 1 for s in timeline.segments} | {s.start for s in timeline.segments}
        days = sorted({*range(a, b, step), b, *(d for d in corners if a <= d <= b)})
    return [(date.fromordinal(d), timeline.value(d, method)) for d in days]


def days_needed(remaining_mg: Decimal, daily_mg: Decimal) -> int:
    """Whole days of ``daily_mg`` to take ``remaining_mg`` (27.5 -> 28)."""
    return int((remaining_mg / daily_mg).to_integral_value(ROUND_CEILING)) if remaining_mg > 0 else 0
