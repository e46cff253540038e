"""The dose engine (courses/dosing.py): table-driven cases, including DOMAIN.md's worked example,
and hypothesis properties checked against a day-by-day oracle."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from courses import dosing
from courses.dosing import CourseFacts, Hold, Period, Weight, WeightMethod

D = Decimal
BASELINE, BY_PERIOD = WeightMethod.BASELINE, WeightMethod.BY_PERIOD
START = date(2026, 1, 1)


def day(n: int) -> date:
    """Day n of the course (day 1 = START)."""
    return START + timedelta(days=n - 1)


def period(first: int, last: int | None, *mg) -> Period:
    return Period(day(first), day(last) if last else None, tuple(D(m) for m in mg))


# DOMAIN.md: 65 kg; 30 mg/day for 30 days, then 60 mg/day for 120 days -> 8,100 mg = 124.6 mg/kg.
WORKED = CourseFacts(
    periods=(period(1, 30, 30), period(31, None, 60)),
    weights=(Weight(day(1), D(65)),),
    target_low=D(120),
    target_high=D(150),
)
DAY_150 = day(150)


def test_the_worked_example_gives_124_6_mg_per_kg_and_27_5_more_days_to_150():
    summary = dosing.summarize(WORKED, DAY_150)
    assert summary.taken_mg == D(8100)
    assert dosing.one_decimal(summary.mg_per_kg) == D("124.6")
    assert summary.remaining_high_mg == D(1650)
    assert summary.days_to_high == D("27.5")
    assert dosing.days_needed(summary.remaining_high_mg, summary.daily_mg) == 28
    assert summary.high_reached_on == DAY_150 + timedelta(days=28)
    assert dosing.cumulative(WORKED, DAY_150 + timedelta(days=28)) >= D(150)
    assert dosing.cumulative(WORKED, DAY_150 + timedelta(days=27)) < D(150)


def test_the_worked_example_agrees_under_both_weight_methods():
    assert dosing.cumulative(WORKED, DAY_150, BASELINE) == dosing.cumulative(WORKED, DAY_150, BY_PERIOD)
    assert dosing.date_reached(WORKED, D(150), BY_PERIOD) == DAY_150 + timedelta(days=28)


@pytest.mark.parametrize(
    ("name", "facts", "through", "mg", "baseline", "by_period"),
    [
        ("worked example", WORKED, DAY_150, 8100, "124.6", "124.6"),
        ("before the first dose", WORKED, day(0), 0, "0.0", "0.0"),
        ("first day counts that day's dose", WORKED, day(1), 30, "0.5", "0.5"),
        (
            "weight 60 kg, then 70 kg from day 31",
            CourseFacts(
                (period(1, 30, 30), period(31, None, 60)), weights=(Weight(day(1), D(60)), Weight(day(31), D(70)))
            ),
            DAY_150,
            8100,
            "135.0",  # 8100 / 60
            "117.9",  # 900 / 60 + 7200 / 70
        ),
        (
            "weight change in the middle of a period",
            CourseFacts((period(1, 30, 40),), weights=(Weight(day(1), D(50)), Weight(day(16), D(40)))),
            day(30),
            1200,
            "24.0",  # 1200 / 50
            "27.0",  # 600 / 50 + 600 / 40
        ),
        (
            "a weight measured before the course is the baseline",
            CourseFacts((period(1, None, 60),), weights=(Weight(day(-30), D(60)), Weight(day(-300), D(90)))),
            day(10),
            600,
            "10.0",
            "10.0",
        ),
        (
            "only a weight measured after the start: the first measurement counts",
            CourseFacts((period(1, None, 60),), weights=(Weight(day(5), D(60)),)),
            day(10),
            600,
            "10.0",
            "10.0",
        ),
        (
            "three missed days in the second period",
            CourseFacts(WORKED.periods, missed=(day(40), day(41), day(100)), weights=WORKED.weights),
            DAY_150,
            7920,
            "121.8",
            "121.8",
        ),
        (
            "a ten-day hold",
            CourseFacts(WORKED.periods, holds=(Hold(day(61), day(70)),), weights=WORKED.weights),
            DAY_150,
            7500,
            "115.4",
            "115.4",
        ),
        (
            "a missed day inside a hold counts once",
            CourseFacts(WORKED.periods, missed=(day(65),), holds=(Hold(day(61), day(70)),), weights=WORKED.weights),
            DAY_150,
            7500,
            "115.4",
            "115.4",
        ),
        (
            "overlapping holds count once",
            CourseFacts(WORKED.periods, holds=(Hold(day(61), day(70)), Hold(day(66), day(75))), weights=WORKED.weights),
            DAY_150,
            7200,
            "110.8",
            "110.8",
        ),
        (
            "an open hold (paused) stops the total",
            CourseFacts(WORKED.periods, holds=(Hold(day(141), None),), weights=WORKED.weights),
            day(400),
            7500,
            "115.4",
            "115.4",
        ),
        (
            "40 / 60 mg alternating for 31 days: 16 x 40 + 15 x 60",
            CourseFacts((period(1, 31, 40, 60),), weights=(Weight(day(1), D(50)),)),
            day(31),
            1540,
            "30.8",
            "30.8",
        ),
        (
            "the alternation follows the period's first day, not missed days",
            CourseFacts((period(1, 4, 40, 60),), missed=(day(2),), weights=(Weight(day(1), D(50)),)),
            day(4),
            140,  # 40 + (60 missed) + 40 + 60
            "2.8",
            "2.8",
        ),
        (
            "a leap-year February has 29 days",
            CourseFacts(
                (Period(date(2028, 2, 1), date(2028, 3, 31), (D(20),)),), weights=(Weight(date(2028, 2, 1), D(60)),)
            ),
            date(2028, 3, 31),
            1200,  # 60 days x 20 mg
            "20.0",
            "20.0",
        ),
        (
            "the same dates in a common year",
            CourseFacts(
                (Period(date(2027, 2, 1), date(2027, 3, 31), (D(20),)),), weights=(Weight(date(2027, 2, 1), D(60)),)
            ),
            date(2027, 3, 31),
            1180,
            "19.7",
            "19.7",
        ),
        (
            "a gap between periods gives nothing",
            CourseFacts((period(1, 10, 20), period(21, 30, 20)), weights=(Weight(day(1), D(50)),)),
            day(30),
            400,
            "8.0",
            "8.0",
        ),
    ],
)
def test_cumulative_dose(name, facts, through, mg, baseline, by_period):
    assert dosing.taken_mg(facts, date.min, through) == D(mg)
    assert dosing.one_decimal(dosing.cumulative(facts, through, BASELINE)) == D(baseline)
    assert dosing.one_decimal(dosing.cumulative(facts, through, BY_PERIOD)) == D(by_period)


def test_without_a_weight_there_is_no_mg_per_kg_but_mg_are_counted():
    facts = CourseFacts((period(1, None, 40),))
    summary = dosing.summarize(facts, day(10))
    assert summary.taken_mg == D(400)
    assert (summary.mg_per_kg, summary.high_reached_on, summary.remaining_high_mg) == (None, None, None)
    assert dosing.series(facts, day(1), day(10)) == []


def test_prescribed_and_taken_are_kept_apart():
    facts = CourseFacts(WORKED.periods, missed=(day(2),), holds=(Hold(day(41), day(45)),), weights=WORKED.weights)
    summary = dosing.summarize(facts, DAY_150)
    assert summary.prescribed_mg == D(8100)
    assert summary.taken_mg == D(8100 - 30 - 5 * 60)


@pytest.mark.parametrize(
    ("name", "facts", "target", "expected"),
    [
        ("worked example, 150 mg/kg", WORKED, D(150), DAY_150 + timedelta(days=28)),
        ("worked example, 120 mg/kg (7,800 mg) reached in the past", WORKED, D(120), day(145)),
        ("exactly on a day boundary: 900 mg = 13.846 mg/kg on day 30", WORKED, D(900) / D(65), day(30)),
        (
            "a planned increase to 80 mg brings it forward",
            CourseFacts((*WORKED.periods[:1], period(31, 150, 60), period(151, None, 80)), weights=WORKED.weights),
            D(150),
            DAY_150 + timedelta(days=21),  # 1650 / 80 = 20.6 -> 21 days
        ),
        (
            "a planned future hold pushes it back",
            CourseFacts(WORKED.periods, holds=(Hold(day(160), day(169)),), weights=WORKED.weights),
            D(150),
            DAY_150 + timedelta(days=38),
        ),
        (
            "paused (an open hold): never",
            CourseFacts(WORKED.periods, holds=(Hold(day(151), None),), weights=WORKED.weights),
            D(150),
            None,
        ),
        (
            "the plan ends before the target: never",
            CourseFacts((period(1, 30, 30), period(31, 150, 60)), weights=WORKED.weights),
            D(150),
            None,
        ),
        (
            "alternating 40 / 60 from day 1 at 50 kg: 5 mg/kg needs 250 mg (40+60+40+60+40 = 240, +60)",
            CourseFacts((period(1, None, 40, 60),), weights=(Weight(day(1), D(50)),)),
            D(5),
            day(6),
        ),
    ],
)
def test_the_day_a_target_is_reached(name, facts, target, expected):
    assert dosing.date_reached(facts, target, BASELINE) == expected


def test_by_period_projection_divides_future_days_by_the_latest_weight():
    facts = CourseFacts(
        (period(1, None, 60),), weights=(Weight(day(1), D(60)), Weight(day(31), D(75)))
    )  # 1800 mg at 60 kg = 30 mg/kg by day 30; then 60 mg/day at 75 kg = 0.8 mg/kg/day
    assert dosing.cumulative(facts, day(30), BY_PERIOD) == D(30)
    assert dosing.date_reached(facts, D(150), BY_PERIOD) == day(30 + 150)  # 120 / 0.8
    assert dosing.date_reached(facts, D(150), BASELINE) == day(150)  # 9000 mg / 60 kg


def test_summary_shows_both_methods_when_they_differ_by_more_than_two_percent():
    same = CourseFacts((period(1, None, 60),), weights=(Weight(day(1), D(60)), Weight(day(31), D(61))))
    different = CourseFacts((period(1, None, 60),), weights=(Weight(day(1), D(60)), Weight(day(31), D(70))))
    assert not dosing.summarize(same, day(90)).methods_differ
    summary = dosing.summarize(different, day(90))
    assert summary.methods_differ
    assert summary.by_baseline == D(90)
    assert dosing.one_decimal(summary.by_period) == D("81.4")  # 30 + 3600 / 70


def test_summary_reports_the_current_dose_and_hold_state():
    facts = CourseFacts((period(1, None, 40, 60),), holds=(Hold(day(10), None),), weights=(Weight(day(1), D(50)),))
    summary = dosing.summarize(facts, day(12))
    assert summary.daily_mg == D(50)
    assert summary.mg_per_kg_day == D(1)
    assert summary.on_hold
    assert summary.high_reached_on is None


def test_summary_of_a_planned_course_counts_nothing_before_its_first_day():
    summary = dosing.summarize(WORKED, day(-5))
    assert summary.taken_mg == 0
    assert summary.daily_mg is None
    assert summary.high_reached_on == DAY_150 + timedelta(days=28)


@pytest.mark.parametrize(
    ("by_days", "exact", "dose"),
    [
        (28, "58.93", 60),  # 1650 / 28, rounded up to 60 mg (2 x 30)
        (27, "61.11", 65),  # rounded up to 65 mg (40 + 25)
        (55, "30.00", 30),  # exact
        (1, "1650.00", None),  # beyond what six capsules make
    ],
)
def test_the_what_if_dose_is_rounded_up_to_what_the_capsules_make(by_days, exact, dose):
    doses = [10, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80]
    answer = dosing.dose_for_target(WORKED, DAY_150, D(150), DAY_150 + timedelta(days=by_days), BASELINE, doses)
    assert answer.remaining_mg == D(1650)
    assert answer.days == by_days
    assert dosing.two_decimals(answer.exact_mg) == D(exact)
    assert answer.dose_mg == (D(dose) if dose else None)
    if dose:
        assert answer.reached_on <= DAY_150 + timedelta(days=by_days)


def test_the_what_if_dose_skips_planned_hold_days():
    facts = CourseFacts(WORKED.periods, holds=(Hold(day(151), day(155)),), weights=WORKED.weights)
    answer = dosing.dose_for_target(facts, DAY_150, D(150), DAY_150 + timedelta(days=30), BASELINE, [55, 60, 70])
    assert answer.days == 25
    assert answer.exact_mg == D(66)
    assert answer.dose_mg == D(70)


def test_the_what_if_when_the_target_is_already_reached():
    answer = dosing.dose_for_target(WORKED, DAY_150, D(100), DAY_150 + timedelta(days=30), BASELINE, [60])
    assert answer.already_reached
    assert answer.dose_mg is None


def test_the_what_if_date_for_a_dose_replaces_the_plan_from_tomorrow():
    assert dosing.date_for_dose(WORKED, DAY_150, D(60), D(150)) == DAY_150 + timedelta(days=28)
    assert dosing.date_for_dose(WORKED, DAY_150, D(80), D(150)) == DAY_150 + timedelta(days=21)
    assert dosing.date_for_dose(WORKED, DAY_150, D(0), D(150)) is None


def test_the_what_if_for_a_planned_course_starts_on_its_first_day():
    assert dosing.date_for_dose(WORKED, day(-10), D(60), D(150)) == day(163)  # 9750 / 60 = 162.5


def test_period_stats_split_prescribed_and_taken_per_period():
    facts = CourseFacts(WORKED.periods, missed=(day(40),), weights=(Weight(day(1), D(60)), Weight(day(31), D(75))))
    first, second = dosing.period_stats(facts, DAY_150)
    assert (first.prescribed_mg, first.taken_mg, first.kg, first.mg_per_kg_day) == (D(900), D(900), D(60), D("0.5"))
    assert (second.prescribed_mg, second.taken_mg, second.kg, second.mg_per_kg_day) == (
        D(7200),
        D(7140),
        D(75),
        D("0.8"),
    )


def test_the_series_is_daily_for_short_ranges_and_keeps_every_corner_for_long_ones():
    daily = dosing.series(WORKED, day(1), day(100))
    assert len(daily) == 100
    long = dosing.series(WORKED, day(1), day(1000), max_points=50)
    days = [d for d, _ in long]
    assert len(long) <= 50 + 4
    assert {day(30), day(31), day(1000)} <= set(days)
    assert [v for _, v in long] == sorted(v for _, v in long)
    for d, value in long:
        assert value == dosing.cumulative(WORKED, d)


@pytest.mark.parametrize(
    ("value", "one", "two"),
    [
        ("124.6153", "124.6", "124.62"),
        ("124.65", "124.7", "124.65"),
        ("0.125", "0.1", "0.13"),
        ("0.9249", "0.9", "0.92"),
    ],
)
def test_display_rounding_is_half_up(value, one, two):
    assert dosing.one_decimal(D(value)) == D(one)
    assert dosing.two_decimals(D(value)) == D(two)


def test_overlapping_periods_are_a_programming_error():
    with pytest.raises(ValueError, match="overlap"):
        dosing.cumulative(CourseFacts((period(1, 10, 20), period(10, None, 30))), day(20))


# --- Properties -----------------------------------------------------------------------------

cycles = st.lists(st.integers(min_value=8, max_value=120), min_size=1, max_size=3)


@st.composite
def course_facts(draw, constant_weight: bool = False):
    """Contiguous or gapped periods from START, missed days, holds and weights."""
    periods, first = [], 1
    for index in range(draw(st.integers(1, 4))):
        first += draw(st.integers(0, 5)) if index else 0
        length = draw(st.integers(1, 90))
        last_period = index == 3 or draw(st.booleans())
        is_open = last_period and draw(st.booleans())
        periods.append(period(first, None if is_open else first + length - 1, *draw(cycles)))
        first += length
        if last_period:
            break
    span = first + 30
    missed = tuple(sorted({day(n) for n in draw(st.lists(st.integers(1, span), max_size=6))}))
    holds = []
    for start in sorted(set(draw(st.lists(st.integers(1, span), max_size=2)))):
        holds.append(Hold(day(start), day(start + draw(st.integers(0, 12)))))
    kgs = [D(draw(st.integers(400, 1200))) / 10]
    weights = [Weight(day(draw(st.integers(-20, 10))), kgs[0])]
    if not constant_weight:
        for n in draw(st.lists(st.integers(1, span), max_size=3)):
            weights.append(Weight(day(n), D(draw(st.integers(400, 1200))) / 10))
    return CourseFacts(tuple(periods), missed, tuple(holds), tuple(weights))


def oracle_taken(facts: CourseFacts, through: date) -> Decimal:
    """Day by day, the slow obvious way."""
    total = D(0)
    for p in facts.periods:
        d = p.start
        while d <= through and (p.end is None or d <= p.end):
            held = d in facts.missed or any(h.start <= d and (h.end is None or d <= h.end) for h in facts.holds)
            if not held:
                total += p.daily_mg[(d - p.start).days % len(p.daily_mg)]
            d += timedelta(days=1)
    return total


@settings(max_examples=150, deadline=None)
@given(facts=course_facts(), offset=st.integers(-5, 400))
def test_taken_mg_matches_the_day_by_day_oracle(facts, offset):
    through = day(offset)
    assert dosing.taken_mg(facts, date.min, through) == oracle_taken(facts, through)


@settings(max_examples=150, deadline=None)
@given(facts=course_facts(), a=st.integers(-5, 400), b=st.integers(-5, 400))
def test_cumulative_dose_never_decreases_with_the_date(facts, a, b):
    early, late = day(min(a, b)), day(max(a, b))
    for method in WeightMethod:
        assert dosing.cumulative(facts, early, method) <= dosing.cumulative(facts, late, method)


@settings(max_examples=150, deadline=None)
@given(facts=course_facts(), which=st.integers(0, 3), at=st.integers(1, 200), through=st.integers(-5, 400))
def test_splitting_a_period_in_two_changes_nothing(facts, which, at, through):
    original = facts.periods[which % len(facts.periods)]
    length = (original.end - original.start).days + 1 if original.end else 10_000
    k = at % length
    if k == 0:
        return  # splitting needs a day on each side
    cycle = original.daily_mg
    rotated = cycle[k % len(cycle) :] + cycle[: k % len(cycle)]  # the second part starts mid-cycle
    split = (
        Period(original.start, original.start + timedelta(days=k - 1), cycle),
        Period(original.start + timedelta(days=k), original.end, rotated),
    )
    other = CourseFacts(
        tuple(p for p in facts.periods if p != original) + split, facts.missed, facts.holds, facts.weights
    )
    for method in WeightMethod:
        assert dosing.cumulative(facts, day(through), method) == dosing.cumulative(other, day(through), method)
        assert dosing.date_reached(facts, D(30), method) == dosing.date_reached(other, D(30), method)


@settings(max_examples=150, deadline=None)
@given(facts=course_facts(), pick=st.integers(1, 300), later=st.integers(0, 100))
def test_a_missed_day_lowers_the_total_by_exactly_that_days_dose(facts, pick, later):
    missed_day = day(pick)
    dose = next(
        (
            p.daily_mg[(missed_day - p.start).days % len(p.daily_mg)]
            for p in facts.periods
            if p.start <= missed_day and (p.end is None or missed_day <= p.end)
        ),
        D(0),
    )
    already = missed_day in facts.missed or any(
        h.start <= missed_day and (h.end is None or missed_day <= h.end) for h in facts.holds
    )
    with_miss = CourseFacts(facts.periods, (*facts.missed, missed_day), facts.holds, facts.weights)
    through = missed_day + timedelta(days=later)
    before = dosing.taken_mg(facts, date.min, through)
    after = dosing.taken_mg(with_miss, date.min, through)
    assert before - after == (D(0) if already else dose)


@settings(max_examples=150, deadline=None)
@given(facts=course_facts(constant_weight=True), through=st.integers(-5, 400), target=st.integers(1, 300))
def test_with_a_constant_weight_the_two_methods_agree(facts, through, target):
    assert dosing.cumulative(facts, day(through), BASELINE) == dosing.cumulative(facts, day(through), BY_PERIOD)
    assert dosing.date_reached(facts, D(target), BASELINE) == dosing.date_reached(facts, D(target), BY_PERIOD)


@settings(max_examples=100, deadline=None)
@given(facts=course_facts(), target=st.integers(1, 300))
def test_the_day_a_target_is_reached_is_the_first_day_at_or_above_it(facts, target):
    for method in WeightMethod:
        reached = dosing.date_reached(facts, D(target), method)
        if reached is None:
            continue
        # Remaining amounts are rounded to a millionth of a mg (rounding rule 3).
        assert dosing.cumulative(facts, reached, method) >= D(target) - D("1e-6")
        assert dosing.cumulative(facts, reached - timedelta(days=1), method) < D(target)
