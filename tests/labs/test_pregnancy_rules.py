"""What a pregnancy test counts for (``labs.pregnancy``: pure functions, no database)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labs import pregnancy
from labs.pregnancy import PregnancyTestFact, Purpose, Result, Setting, active_positive, why_not_counted


def fact(
    id=1, on=date(2026, 3, 2), result=Result.NEGATIVE, setting=Setting.OFFICE, sensitivity=25, verified=True
) -> PregnancyTestFact:
    return PregnancyTestFact(
        id=id,
        patient_id=1,
        collected_on=on,
        test_type=pregnancy.TestType.URINE,
        setting=setting,
        result=result,
        sensitivity_miu_ml=sensitivity,
        purpose=Purpose.MONTHLY,
        verified=verified,
    )


@pytest.mark.parametrize(
    ("test", "counts", "reason"),
    [
        (fact(), True, None),
        (fact(sensitivity=20), True, None),
        (fact(sensitivity=26), False, "Sensitivity 26 mIU/mL"),
        (fact(setting=Setting.HOME, verified=False), False, "not yet verified"),
        (fact(setting=Setting.HOME, verified=True), True, None),
        (fact(setting=Setting.HOME, verified=False, sensitivity=50), False, "Sensitivity 50"),
        (fact(result=Result.INVALID), False, None),
        (fact(result=Result.POSITIVE), False, None),
    ],
)
def test_a_negative_counts_only_when_sensitive_enough_and_verified(test, counts, reason):
    assert test.counts_as_negative is counts
    found = why_not_counted(test)
    assert (found is None) if reason is None else (reason in found)


@pytest.mark.parametrize(
    ("setting", "medical", "clia"),
    [(Setting.OFFICE, True, False), (Setting.CLIA_LAB, True, True), (Setting.HOME, False, False)],
)
def test_settings(setting, medical, clia):
    test = fact(setting=setting)
    assert (test.in_medical_setting, test.in_clia_lab) == (medical, clia)


@pytest.mark.parametrize(
    ("tests", "alert_id"),
    [
        ([], None),
        ([fact(1)], None),
        ([fact(1, result=Result.POSITIVE)], 1),
        # An unverified home positive, or an insensitive one, is still a positive.
        ([fact(1, result=Result.POSITIVE, setting=Setting.HOME, verified=False, sensitivity=50)], 1),
        # A later negative that counts clears the alert...
        ([fact(1, result=Result.POSITIVE), fact(2, on=date(2026, 3, 5))], None),
        # ...an unverified home negative does not, nor one the same day, nor an invalid result.
        ([fact(1, result=Result.POSITIVE), fact(2, on=date(2026, 3, 5), setting=Setting.HOME, verified=False)], 1),
        ([fact(1, result=Result.POSITIVE), fact(2)], 1),
        ([fact(1, result=Result.POSITIVE), fact(2, on=date(2026, 3, 5), result=Result.INVALID)], 1),
        # A negative before the positive changes nothing; the latest positive is the one shown.
        ([fact(2, on=date(2026, 2, 1)), fact(1, result=Result.POSITIVE)], 1),
        ([fact(1, result=Result.POSITIVE), fact(3, on=date(2026, 4, 1), result=Result.POSITIVE)], 3),
    ],
)
def test_the_chart_alerts_on_the_latest_positive_until_a_later_negative_counts(tests, alert_id):
    found = active_positive(tests)
    assert (found.id if found else None) == alert_id


@given(
    st.lists(
        st.builds(
            fact,
            id=st.integers(1, 10_000),
            on=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
            result=st.sampled_from(list(Result)),
            setting=st.sampled_from(list(Setting)),
            sensitivity=st.sampled_from([10, 20, 25, 50]),
            verified=st.booleans(),
        ),
        max_size=12,
    )
)
def test_an_alert_is_always_a_positive_with_no_later_counting_negative(tests):
    found = active_positive(tests)
    positives = [t for t in tests if t.is_positive]
    if not positives:
        assert found is None
        return
    latest = max(positives, key=lambda t: (t.collected_on, t.id))
    cleared = any(t.counts_as_negative and t.collected_on > latest.collected_on for t in tests)
    assert found == (None if cleared else latest)
