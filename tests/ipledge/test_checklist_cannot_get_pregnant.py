"""The checklist of a patient who cannot get pregnant: monthly counseling and a 30-day pickup
window under the 2021 rules, counseling at enrollment only and no window under the 2026 rules."""

from dataclasses import replace

import pytest

from ipledge.rule_facts import RuleSettings, WindowConvention
from ipledge.rules import Code, Phase, RuleSet, Status, checklist

from .builders import RULES_2021, RULES_2026, authorization, cannot_get_pregnant, confirmed, course, d, enrolled

COMMON = [
    Code.LABS_REVIEWED,
    Code.LABS_DUE,
    Code.TETRACYCLINE,
    Code.VITAMIN_A,
    Code.ST_JOHNS_WORT,
    Code.PRESCRIPTION_LIMITS,
    Code.AUTHORIZATION,
]
GATE = [Code.RISK_CATEGORY, Code.ENROLLMENT, Code.CONSENT, Code.PRESCRIBER_CERTIFIED]


def visit_on_2_march(**kw):
    """DOMAIN.md: a visit on 2 Mar 2026 where the prescriber confirms counseling."""
    return cannot_get_pregnant(confirmations=(confirmed("2026-03-02"),), **kw)


def test_2021_the_checklist_asks_for_monthly_counseling_and_the_30_day_window():
    result = checklist(visit_on_2_march(), d("2026-03-02"), RULES_2021)
    assert list(result.codes) == [*GATE, Code.COUNSELING, Code.PICKUP_WINDOW, *COMMON]
    assert result.ready_to_prescribe
    assert Code.SCREENING_TEST not in result.codes and Code.CONTRACEPTION_IN_USE not in result.codes


@pytest.mark.parametrize(
    ("convention", "last_day"),
    [
        (WindowConvention.VISIT_IS_DAY_1, "2026-03-31"),  # the default: the visit is day 1 of 30
        (WindowConvention.VISIT_PLUS_30, "2026-04-01"),
    ],
)
def test_2021_the_30_day_window_from_a_visit_on_2_march_follows_the_day_count_setting(convention, last_day):
    rules = RuleSettings(rems_2026_effective_on=d("2099-01-01"), cannot_get_pregnant_window=convention)
    facts = visit_on_2_march()
    last = checklist(facts, d(last_day), rules)
    assert last.ready_to_prescribe
    assert last.prescribe_by == d(last_day)
    assert last.item(Code.PICKUP_WINDOW).window.end == d(last_day)
    after = checklist(facts, d(last_day) + (d("2026-01-02") - d("2026-01-01")), rules)
    assert not after.ready_to_prescribe
    assert after.item(Code.PICKUP_WINDOW).status is Status.OVERDUE
    assert after.item(Code.COUNSELING).status is Status.OVERDUE


def test_the_default_day_count_is_the_shorter_visit_is_day_one():
    assert RuleSettings().cannot_get_pregnant_window is WindowConvention.VISIT_IS_DAY_1


def test_2021_the_window_counts_from_the_office_visit_when_counseling_is_confirmed_later():
    facts = cannot_get_pregnant(confirmations=(confirmed("2026-03-04", visit="2026-03-02"),))
    result = checklist(facts, d("2026-03-04"), RULES_2021)
    assert result.prescribe_by == d("2026-03-31")
    assert "visit of 2 Mar 2026" in result.item(Code.PICKUP_WINDOW).reason


def test_2021_before_the_visit_counseling_is_due():
    result = checklist(cannot_get_pregnant(), d("2026-03-02"), RULES_2021)
    assert not result.ready_to_prescribe
    assert result.item(Code.COUNSELING).status is Status.DUE
    assert result.item(Code.PICKUP_WINDOW).status is Status.DUE
    assert result.item(Code.PICKUP_WINDOW).reason.endswith("lasts 30 days (the visit is day 1).")


def test_2021_each_dispensing_needs_a_new_counseling_confirmation():
    facts = visit_on_2_march(
        course=course(first_dose="2026-03-03"),
        authorizations=(authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
    )
    result = checklist(facts, d("2026-03-10"), RULES_2021)
    assert result.phase is Phase.ON_TREATMENT
    assert not result.ready_to_prescribe
    counseling = result.item(Code.COUNSELING)
    assert counseling.status is Status.DUE
    assert (counseling.window.start, counseling.window.end) == (d("2026-03-27"), d("2026-04-02"))
    renewed = replace(facts, confirmations=(*facts.confirmations, confirmed("2026-03-30")))
    assert checklist(renewed, d("2026-03-30"), RULES_2021).ready_to_prescribe


def test_2026_counseling_is_confirmed_once_at_enrollment_and_there_is_no_window():
    result = checklist(cannot_get_pregnant(), d("2026-03-02"), RULES_2026)
    assert list(result.codes) == [*GATE, Code.ENROLLMENT_COUNSELING, Code.PICKUP_WINDOW, *COMMON]
    assert result.ready_to_prescribe
    assert result.prescribe_by is None
    assert result.item(Code.PICKUP_WINDOW).status is Status.NOT_APPLICABLE
    assert all(item.rule_set is RuleSet.REMS_2026 for item in result.items)


def test_2026_without_counseling_at_enrollment_the_patient_is_not_ready():
    facts = cannot_get_pregnant(enrollment=enrolled(counseled_on=None))
    result = checklist(facts, d("2026-03-02"), RULES_2026)
    assert result.item(Code.ENROLLMENT_COUNSELING).status is Status.DUE
    assert not result.ready_to_prescribe


def test_2026_the_patient_stays_ready_month_after_month():
    facts = cannot_get_pregnant(
        course=course(first_dose="2026-03-03"),
        authorizations=(authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
    )
    assert checklist(facts, d("2026-03-30"), RULES_2026).ready_to_prescribe
