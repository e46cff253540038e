"""Unit conversion, flags against the lab's own range, and the clinic's action thresholds
(``labs.ranges``: pure functions, no database)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labs import ranges
from labs.ranges import MG_DL, MMOL_L, U_L, AnalyteRule, Basis, Comparison, Flag, Severity, Threshold

D = Decimal
TG = AnalyteRule("tg", "Triglycerides", MG_DL, D("88.57"), D("10000"))
CHOL = AnalyteRule("chol", "Total cholesterol", MG_DL, D("38.67"), D("2000"))
LDL = AnalyteRule("ldl", "LDL cholesterol", MG_DL, D("38.67"), D("1500"))
ALT = AnalyteRule("alt", "ALT", U_L, None, D("10000"))
# The clinic defaults seeded by the data migration (DOMAIN.md section 5).
THRESHOLDS = [
    Threshold("tg", Basis.ABSOLUTE, Comparison.GTE, D(500), "Reduce dose and recheck", Severity.WARN),
    Threshold("tg", Basis.ABSOLUTE, Comparison.GTE, D(800), "Hold treatment", Severity.HOLD),
    Threshold("alt", Basis.ULN_MULTIPLE, Comparison.GT, D(3), "Hold and recheck", Severity.HOLD),
]


@pytest.mark.parametrize(
    ("rule", "value", "from_unit", "to_unit", "expected"),
    [
        (TG, D("1"), MMOL_L, MG_DL, D("88.57")),
        (TG, D("7.00"), MMOL_L, MG_DL, D("619.99")),
        (TG, D("620"), MG_DL, MMOL_L, D("7.00")),
        (TG, D("5.65"), MMOL_L, MG_DL, D("500.42")),
        (CHOL, D("1"), MMOL_L, MG_DL, D("38.67")),
        (CHOL, D("5.17"), MMOL_L, MG_DL, D("199.92")),
        (LDL, D("2.59"), MMOL_L, MG_DL, D("100.16")),  # LDL and HDL use the cholesterol factor
        (CHOL, D("240"), MG_DL, MMOL_L, D("6.21")),
        (ALT, D("45"), U_L, U_L, D("45")),
    ],
)
def test_units_convert_with_the_analytes_factor(rule, value, from_unit, to_unit, expected):
    assert ranges.convert(value, from_unit, to_unit, rule).quantize(D("0.01")) == expected


def test_an_enzyme_cannot_be_converted_to_mmol():
    with pytest.raises(ValueError, match="cannot convert"):
        ranges.convert(D(40), U_L, MMOL_L, ALT)


@pytest.mark.parametrize(("rule", "units"), [(TG, (MG_DL, MMOL_L)), (CHOL, (MG_DL, MMOL_L)), (ALT, (U_L,))])
def test_lipids_are_accepted_in_mg_dl_or_mmol_l_and_enzymes_in_u_l(rule, units):
    assert rule.units == units


@pytest.mark.parametrize(
    ("value", "low", "high", "flag"),
    [
        (D(120), None, D(149), Flag.NORMAL),
        (D(149), None, D(149), Flag.NORMAL),  # the limit itself is within the range
        (D(150), None, D(149), Flag.HIGH),
        (D(35), D(39), None, Flag.LOW),  # HDL: the lab reports only a lower limit
        (D(39), D(39), None, Flag.NORMAL),
        (D(5), D(7), D(56), Flag.LOW),
        (D(57), D(7), D(56), Flag.HIGH),
        (D(30), None, None, Flag.NO_RANGE),
    ],
)
def test_flags_use_the_performing_labs_own_range(value, low, high, flag):
    assert ranges.range_flag(value, low, high) == flag


@pytest.mark.parametrize(
    ("rule", "value", "unit", "high", "actions"),
    [
        (TG, D(499), MG_DL, D(149), []),
        (TG, D(500), MG_DL, D(149), ["Reduce dose and recheck"]),
        (TG, D(620), MG_DL, D(149), ["Reduce dose and recheck"]),
        (TG, D("7.0"), MMOL_L, D("1.7"), ["Reduce dose and recheck"]),  # 620 mg/dL
        (TG, D("5.64"), MMOL_L, D("1.7"), []),  # 499.5 mg/dL
        (TG, D(800), MG_DL, D(149), ["Hold treatment", "Reduce dose and recheck"]),  # most severe first
        (TG, D("9.1"), MMOL_L, D("1.7"), ["Hold treatment", "Reduce dose and recheck"]),
        (ALT, D(132), U_L, D(44), []),  # exactly 3x ULN is not above it
        (ALT, D(133), U_L, D(44), ["Hold and recheck"]),
        (ALT, D(100), U_L, D(30), ["Hold and recheck"]),  # the ULN is the lab's, not a fixed 56
        (ALT, D(100), U_L, D(56), []),
        (CHOL, D(400), MG_DL, D(199), []),
    ],
)
def test_action_thresholds(rule, value, unit, high, actions):
    evaluation = ranges.evaluate(rule, THRESHOLDS, value=value, unit=unit, low=None, high=high)
    assert [hit.action for hit in evaluation.hits] == actions
    assert evaluation.abnormal == (bool(actions) or evaluation.flag in (Flag.LOW, Flag.HIGH))


def test_a_uln_threshold_cannot_fire_without_an_upper_limit():
    assert ranges.threshold_hits("alt", D(5000), None, THRESHOLDS) == ()


@pytest.mark.parametrize(
    ("rule", "value", "unit", "low", "high", "errors"),
    [
        (TG, D(620), MG_DL, None, D(149), {}),
        (TG, D(-1), MG_DL, None, D(149), {"value": "cannot be negative"}),
        (TG, D(10001), MG_DL, None, D(149), {"value": "above 10,000 mg/dL is not physiologically possible"}),
        (TG, D(113), MMOL_L, None, D("1.7"), {"value": "(112.91 mmol/L)"}),  # 10,008 mg/dL
        (TG, D(10000), MG_DL, None, D(149), {}),
        (ALT, D(10001), U_L, D(7), D(56), {"value": "ALT above 10,000 U/L"}),
        (ALT, D(40), MMOL_L, D(7), D(56), {"unit": "ALT is entered in U/L"}),
        (ALT, D(40), U_L, D(56), D(7), {"reference_low": "low end of the lab's range is above its high end"}),
        (ALT, D(40), U_L, D(7), None, {"reference_high": "upper limit of normal"}),
        (TG, D(100), MG_DL, None, None, {"reference_high": "Copy the reference range"}),
        (TG, D(100), MG_DL, D(-3), D(149), {"reference_low": "cannot be negative"}),
        (CHOL, D(180), MG_DL, None, D(199), {}),
    ],
)
def test_entry_errors_name_the_field_and_the_problem(rule, value, unit, low, high, errors):
    found = ranges.entry_errors(rule, THRESHOLDS, value=value, unit=unit, low=low, high=high)
    assert set(found) == set(errors)
    for field, fragment in errors.items():
        assert fragment in found[field]


@pytest.mark.parametrize(
    ("flag", "low", "high", "text"),
    [
        (Flag.HIGH, None, D("149.000"), "High: above the lab's limit of 149 mg/dL"),
        (Flag.LOW, D("39"), None, "Low: below the lab's limit of 39 mg/dL"),
        (Flag.NORMAL, None, D(149), "Within the lab's range"),
        (Flag.NO_RANGE, None, None, "No reference range reported"),
    ],
)
def test_every_flag_has_words(flag, low, high, text):
    assert ranges.flag_text(flag, low, high, MG_DL) == text


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [(D(7), D(56), "7-56 U/L"), (None, D(56), "≤ 56 U/L"), (D(7), None, "≥ 7 U/L"), (None, None, "—")],
)
def test_range_text(low, high, text):
    assert ranges.range_text(low, high, U_L) == text


# --- Properties ------------------------------------------------------------------------------

values = st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False, allow_infinity=False)


@given(value=values)
def test_a_value_converted_to_mmol_and_back_is_unchanged(value):
    there = ranges.convert(value, MG_DL, MMOL_L, TG)
    assert abs(ranges.convert(there, MMOL_L, MG_DL, TG) - value) < D("0.000001")


@given(value=values, low=values, high=values)
def test_a_value_is_normal_exactly_when_it_lies_within_the_labs_range(value, low, high):
    low, high = min(low, high), max(low, high)
    assert (ranges.range_flag(value, low, high) == Flag.NORMAL) == (low <= value <= high)


@given(value=values, more=values, uln=st.decimals(min_value=1, max_value=500, places=1))
def test_a_higher_value_reaches_every_threshold_a_lower_one_reaches(value, more, uln):
    for code in ("tg", "alt"):
        lower = {t.action for t in ranges.threshold_hits(code, value, uln, THRESHOLDS)}
        higher = {t.action for t in ranges.threshold_hits(code, value + more, uln, THRESHOLDS)}
        assert lower <= higher


@given(value=st.decimals(min_value=0, max_value=112, places=2))
def test_the_same_triglyceride_in_either_unit_reaches_the_same_thresholds(value):
    in_mg = ranges.convert(value, MMOL_L, MG_DL, TG)
    by_mmol = ranges.evaluate(TG, THRESHOLDS, value=value, unit=MMOL_L, low=None, high=D("1.7"))
    by_mg = ranges.evaluate(TG, THRESHOLDS, value=in_mg, unit=MG_DL, low=None, high=D("150.57"))
    assert by_mmol.hits == by_mg.hits
