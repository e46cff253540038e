"""After the last dose: the pregnancy test 30 days later, contraception and no blood donation for
one more month; then the course is complete."""

from dataclasses import replace

import pytest

from ipledge.rule_facts import RuleSettings, TestSetting
from ipledge.rules import Code, Phase, Status, checklist

from .builders import (
    RULES_2021,
    RULES_2026,
    authorization,
    cannot_get_pregnant,
    collected,
    condom,
    course,
    d,
    iud,
    ready_on_2_march,
)

NO_HOME_TESTS_2026 = RuleSettings(rems_2026_home_tests_allowed=False, rems_2026_effective_on=d("2000-01-01"))


def finished(last_dose="2026-06-15", **kw):
    return ready_on_2_march(
        course=course(first_dose="2026-03-03", last_dose=last_dose),
        authorizations=(authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
        **kw,
    )


def test_after_the_last_dose_only_the_after_treatment_items_remain_and_nothing_is_prescribed():
    result = checklist(finished(), d("2026-06-20"), RULES_2021)
    assert result.phase is Phase.AFTER_TREATMENT
    assert list(result.codes) == [Code.POST_TREATMENT_TEST, Code.POST_TREATMENT_CONTRACEPTION, Code.NO_BLOOD_DONATION]
    assert not result.ready_to_prescribe
    assert result.next_due_on == d("2026-07-15")
    assert not result.completed


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-07-01", Status.DUE), ("2026-07-22", Status.DUE), ("2026-07-23", Status.OVERDUE)],
)
def test_the_post_treatment_test_is_due_30_days_after_the_last_dose(on, status):
    item = checklist(finished(), d(on), RULES_2021).item(Code.POST_TREATMENT_TEST)
    assert item.status is status
    assert (item.window.start, item.window.end) == (d("2026-07-15"), d("2026-07-22"))


@pytest.mark.parametrize(
    ("day", "setting", "rules", "done"),
    [
        ("2026-07-15", TestSetting.CLIA_LAB, RULES_2021, True),
        ("2026-07-14", TestSetting.CLIA_LAB, RULES_2021, False),  # day 29
        ("2026-07-30", TestSetting.CLIA_LAB, RULES_2021, True),  # late still counts
        ("2026-07-15", TestSetting.HOME, RULES_2026, True),  # home tests after treatment (2026)
        (
            "2026-07-15",
            TestSetting.HOME,
            NO_HOME_TESTS_2026,
            False,
        ),
    ],
)
def test_the_post_treatment_test_counts_from_day_30_in_an_accepted_setting(day, setting, rules, done):
    facts = finished()
    facts = replace(facts, pregnancy_tests=(*facts.pregnancy_tests, collected(day, setting)))
    item = checklist(facts, d("2026-07-31"), rules).item(Code.POST_TREATMENT_TEST)
    assert (item.status is Status.DONE) is done


def test_contraception_must_continue_one_calendar_month_after_the_last_dose():
    stopped_early = finished(contraception=(iud(), condom(until="2026-07-01")))
    during = checklist(stopped_early, d("2026-07-05"), RULES_2021).item(Code.POST_TREATMENT_CONTRACEPTION)
    assert during.status is Status.OVERDUE
    assert "from 2 Jul 2026" in during.reason
    later = checklist(stopped_early, d("2026-08-01"), RULES_2021).item(Code.POST_TREATMENT_CONTRACEPTION)
    assert later.status is Status.OVERDUE

    kept = finished(contraception=(iud(), condom(until="2026-07-15")))
    assert checklist(kept, d("2026-07-10"), RULES_2021).item(Code.POST_TREATMENT_CONTRACEPTION).status is Status.DUE
    assert checklist(kept, d("2026-07-16"), RULES_2021).item(Code.POST_TREATMENT_CONTRACEPTION).status is Status.DONE


@pytest.mark.parametrize(
    ("last_dose", "allowed_from"),
    [("2026-06-15", "2026-07-16"), ("2028-01-31", "2028-03-01"), ("2027-01-31", "2027-03-01")],
)
def test_no_blood_donation_for_one_calendar_month_after_the_last_dose(last_dose, allowed_from):
    facts = cannot_get_pregnant(course=course(first_dose="2025-12-01", last_dose=last_dose))
    on_last_day = checklist(facts, d(allowed_from) - (d("2026-01-02") - d("2026-01-01")), RULES_2021)
    assert on_last_day.item(Code.NO_BLOOD_DONATION).status is Status.DUE
    assert not on_last_day.item(Code.NO_BLOOD_DONATION).blocks_prescribing
    allowed = checklist(facts, d(allowed_from), RULES_2021)
    assert allowed.item(Code.NO_BLOOD_DONATION).status is Status.DONE
    assert list(allowed.codes) == [Code.NO_BLOOD_DONATION]
    assert allowed.completed


def test_the_course_is_complete_when_the_test_contraception_and_month_are_done():
    facts = finished(contraception=(iud(), condom(until="2026-07-20")))
    facts = replace(facts, pregnancy_tests=(*facts.pregnancy_tests, collected("2026-07-16")))
    assert not checklist(facts, d("2026-07-15"), RULES_2021).completed
    assert checklist(facts, d("2026-07-16"), RULES_2021).completed


def test_a_last_dose_recorded_for_a_later_day_is_not_known_yet():
    result = checklist(finished(last_dose="2026-06-15"), d("2026-06-14"), RULES_2021)
    assert result.phase is Phase.ON_TREATMENT
