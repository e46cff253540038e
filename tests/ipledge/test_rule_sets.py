"""Which rule set applies on a day, and what each one asks of tests and settings."""

from datetime import date

import pytest

from ipledge.rule_facts import RuleSettings, TestSetting
from ipledge.rule_sets import RuleSet, policy_for, rule_set_for

from .builders import d

OFFICE, LAB, HOME = TestSetting.OFFICE, TestSetting.CLIA_LAB, TestSetting.HOME


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2021-12-13", RuleSet.REMS_2021),
        ("2026-02-09", RuleSet.REMS_2021),  # approved that day, not yet in force
        ("2026-08-07", RuleSet.REMS_2021),
        ("2026-08-08", RuleSet.REMS_2026),  # default effective date
        ("2028-02-29", RuleSet.REMS_2026),
    ],
)
def test_the_rule_set_is_chosen_by_the_day_of_the_check(on, expected):
    assert rule_set_for(d(on), RuleSettings()) is expected


def test_the_clinic_can_move_the_effective_date():
    moved = RuleSettings(rems_2026_effective_on=date(2026, 9, 1))
    assert rule_set_for(d("2026-08-31"), moved) is RuleSet.REMS_2021
    assert rule_set_for(d("2026-09-01"), moved) is RuleSet.REMS_2026


@pytest.mark.parametrize(
    ("rule_settings", "on", "screening", "confirmation", "treatment", "lockout"),
    [
        (RuleSettings(), "2026-03-02", {OFFICE, LAB}, {LAB}, {OFFICE, LAB, HOME}, 19),
        (
            RuleSettings(rems_2021_home_tests_tolerated=False),
            "2026-03-02",
            {OFFICE, LAB},
            {LAB},
            {LAB},
            19,
        ),
        (
            RuleSettings(rems_2021_home_tests_tolerated=False, rems_2021_office_is_clia_certified=True),
            "2026-03-02",
            {OFFICE, LAB},
            {OFFICE, LAB},
            {OFFICE, LAB},
            19,
        ),
        (RuleSettings(), "2026-08-08", {OFFICE, LAB}, {OFFICE, LAB}, {OFFICE, LAB, HOME}, None),
        (
            RuleSettings(rems_2026_home_tests_allowed=False),
            "2026-08-08",
            {OFFICE, LAB},
            {OFFICE, LAB},
            {OFFICE, LAB},
            None,
        ),
    ],
)
def test_each_rule_set_accepts_tests_from_its_own_settings(
    rule_settings, on, screening, confirmation, treatment, lockout
):
    policy = policy_for(d(on), rule_settings)
    assert policy.screening_settings == screening
    assert policy.confirmation_settings == confirmation
    assert policy.treatment_settings == treatment
    assert policy.lockout_days == lockout
    assert policy.cannot_get_pregnant_monthly is (policy.rule_set is RuleSet.REMS_2021)


def test_the_two_pretreatment_tests_may_be_19_days_apart_but_not_fewer():
    assert RuleSettings(days_between_pretreatment_tests=19).days_between_pretreatment_tests == 19
    with pytest.raises(ValueError, match="at least 19 days"):
        RuleSettings(days_between_pretreatment_tests=18)


def test_settings_refuse_negative_or_empty_periods():
    with pytest.raises(ValueError):
        RuleSettings(post_treatment_test_days=-1)
    with pytest.raises(ValueError):
        RuleSettings(visit_window_days=0)
