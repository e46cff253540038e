"""The checklist of a patient who can get pregnant, under both rule sets: the two tests before
treatment, a month of contraception, the 7-day window, a missed first window, and every month
the test, counseling, comprehension and matching methods."""

from dataclasses import replace

import pytest

from ipledge.rule_facts import MethodKind, RiskAssignment, RuleSettings, TestResult, TestSetting
from ipledge.rules import Code, Phase, RuleSet, Status, checklist

from .builders import (
    CAN,
    CANNOT,
    RULES_2021,
    RULES_2026,
    abstinence,
    authorization,
    can_get_pregnant,
    collected,
    condom,
    confirmed,
    course,
    d,
    enrolled,
    iud,
    method,
    month,
    ready_on_2_march,
    with_tests,
)

OFFICE, LAB, HOME = TestSetting.OFFICE, TestSetting.CLIA_LAB, TestSetting.HOME
QUALIFYING_CODES = [
    Code.RISK_CATEGORY,
    Code.ENROLLMENT,
    Code.CONSENT,
    Code.PRESCRIBER_CERTIFIED,
    Code.SCREENING_TEST,
    Code.CONFIRMATION_TEST,
    Code.CONTRACEPTION_MONTH_BEFORE,
    Code.MISSED_FIRST_WINDOW,
    Code.PICKUP_WINDOW,
    Code.CONTRACEPTION_IN_USE,
    Code.COUNSELING,
    Code.COMPREHENSION,
    Code.METHODS_MATCH,
    Code.LABS_REVIEWED,
    Code.LABS_DUE,
    Code.TETRACYCLINE,
    Code.VITAMIN_A,
    Code.ST_JOHNS_WORT,
    Code.PRESCRIPTION_LIMITS,
    Code.AUTHORIZATION,
]


def check(facts, on: str, rules: RuleSettings = RULES_2021):
    return checklist(facts, d(on), rules)


def statuses(result) -> dict:
    return {i.code: i.status for i in result.items}


# --- before the first prescription ---------------------------------------------------------------


def test_before_treatment_the_checklist_lists_every_qualifying_item_in_order():
    result = check(can_get_pregnant(), "2026-02-10")
    assert list(result.codes) == QUALIFYING_CODES
    assert result.phase is Phase.NOT_STARTED
    assert all(item.rule_set is RuleSet.REMS_2021 for item in result.items)


def test_the_domain_example_window_is_2_to_8_march_and_closes_on_9_march():
    facts = ready_on_2_march()
    for on in ("2026-03-02", "2026-03-03", "2026-03-08"):
        result = check(facts, on)
        assert result.prescribe_by == d("2026-03-08")
        window = result.item(Code.PICKUP_WINDOW)
        assert window.status is Status.DONE
        assert (window.window.start, window.window.end) == (d("2026-03-02"), d("2026-03-08"))
        # Counseling and comprehension are dated 3 Mar: ready from then until the window closes.
        assert result.ready_to_prescribe is (on != "2026-03-02"), on
    assert check(facts, "2026-03-09").ready_to_prescribe is False
    assert check(facts, "2026-03-09").prescribe_by is None


def test_the_first_day_of_the_window_waits_only_for_the_confirmations_of_that_month():
    result = check(ready_on_2_march(confirmations=()), "2026-03-02")
    assert not result.ready_to_prescribe
    assert {i.code for i in result.blocking_items} == {Code.COUNSELING, Code.COMPREHENSION, Code.METHODS_MATCH}
    assert result.item(Code.COUNSELING).due_on == d("2026-03-08")
    assert result.next_due_on == d("2026-03-08")


def test_2021_a_missed_first_window_locks_the_next_confirmation_test_until_21_march():
    facts = ready_on_2_march()
    result = check(facts, "2026-03-09")
    missed = result.item(Code.MISSED_FIRST_WINDOW)
    assert missed.status is Status.BLOCKED
    assert missed.due_on == d("2026-03-21")
    assert "no earlier than 21 Mar 2026" in missed.reason
    assert result.item(Code.CONFIRMATION_TEST).due_on == d("2026-03-21")
    assert result.next_due_on == d("2026-03-21")

    # A test on 20 Mar falls inside the lockout and does not count; one on 21 Mar does.
    on_20 = with_tests(facts, collected("2026-03-20"))
    assert check(on_20, "2026-03-20").item(Code.CONFIRMATION_TEST).status is Status.DUE
    assert "19-day wait" in check(on_20, "2026-03-20").item(Code.CONFIRMATION_TEST).reason
    assert check(facts, "2026-03-21").item(Code.MISSED_FIRST_WINDOW).status is Status.DUE

    on_21 = replace(
        facts,
        pregnancy_tests=(*facts.pregnancy_tests, collected("2026-03-21")),
        confirmations=(*facts.confirmations, month("2026-03-21")),
    )
    result = check(on_21, "2026-03-21")
    assert result.ready_to_prescribe
    assert result.item(Code.MISSED_FIRST_WINDOW).status is Status.DONE
    assert result.prescribe_by == d("2026-03-27")


def test_2026_a_missed_first_window_allows_a_new_test_at_once():
    facts = ready_on_2_march()
    result = check(facts, "2026-03-09", RULES_2026)
    missed = result.item(Code.MISSED_FIRST_WINDOW)
    assert (missed.status, missed.due_on) == (Status.DUE, d("2026-03-09"))
    assert result.item(Code.CONFIRMATION_TEST).due_on == d("2026-03-01")  # nothing else holds it back

    retest = replace(
        facts,
        pregnancy_tests=(*facts.pregnancy_tests, collected("2026-03-09", OFFICE)),
        confirmations=(*facts.confirmations, month("2026-03-09")),
    )
    result = check(retest, "2026-03-09", RULES_2026)
    assert result.ready_to_prescribe
    assert result.prescribe_by == d("2026-03-15")


def test_a_missed_window_counts_only_when_nothing_was_dispensed_in_it():
    facts = ready_on_2_march(authorizations=(authorization("R1", "2026-03-04", dispensed="2026-03-04"),))
    result = check(facts, "2026-03-09")
    assert result.phase is Phase.ON_TREATMENT
    assert Code.MISSED_FIRST_WINDOW not in result.codes


@pytest.mark.parametrize(
    ("setting", "rules", "counts"),
    [
        (LAB, RULES_2021, True),
        (OFFICE, RULES_2021, False),  # 2021: confirmation test in a CLIA-certified lab
        (OFFICE, RuleSettings(rems_2026_effective_on=d("2099-01-01"), rems_2021_office_is_clia_certified=True), True),
        (HOME, RULES_2021, False),
        (OFFICE, RULES_2026, True),  # 2026: any medical setting
        (LAB, RULES_2026, True),
        (HOME, RULES_2026, False),  # never at home before treatment
    ],
)
def test_the_confirmation_test_must_be_in_the_setting_its_rule_set_requires(setting, rules, counts):
    facts = can_get_pregnant(pregnancy_tests=(collected("2026-01-30", OFFICE), collected("2026-03-02", setting)))
    item = check(facts, "2026-03-03", rules).item(Code.CONFIRMATION_TEST)
    assert (item.status is Status.DONE) is counts
    if not counts:
        assert "2 Mar 2026 was done" in item.reason


@pytest.mark.parametrize(("rules", "counts"), [(RULES_2021, False), (RULES_2026, False)])
def test_a_home_test_never_counts_as_the_screening_test(rules, counts):
    facts = can_get_pregnant(pregnancy_tests=(collected("2026-01-30", HOME),))
    item = check(facts, "2026-02-01", rules).item(Code.SCREENING_TEST)
    assert (item.status is Status.DONE) is counts
    assert "at home" in item.reason


@pytest.mark.parametrize(
    ("interval", "confirmation", "counts"),
    [
        (30, "2026-02-28", False),  # 29 days after 30 Jan
        (30, "2026-03-01", True),  # 30 days
        (19, "2026-02-17", False),  # 18 days
        (19, "2026-02-18", True),  # 19 days, the labelled minimum
    ],
)
def test_the_confirmation_test_comes_the_set_number_of_days_after_the_screening_test(interval, confirmation, counts):
    rules = RuleSettings(rems_2026_effective_on=d("2099-01-01"), days_between_pretreatment_tests=interval)
    facts = can_get_pregnant(pregnancy_tests=(collected("2026-01-30", OFFICE), collected(confirmation)))
    item = check(facts, confirmation, rules).item(Code.CONFIRMATION_TEST)
    assert (item.status is Status.DONE) is counts
    if not counts:
        assert f"at least {interval}" in item.reason


def test_the_confirmation_test_needs_a_month_of_two_methods_before_it():
    facts = can_get_pregnant(
        contraception=(iud(since="2026-02-15"), condom(since="2026-02-15")),
        pregnancy_tests=(collected("2026-01-30", OFFICE), collected("2026-03-02")),
    )
    result = check(facts, "2026-03-02")
    assert result.item(Code.CONFIRMATION_TEST).status is Status.DUE
    assert result.item(Code.CONFIRMATION_TEST).due_on == d("2026-03-15")
    assert "had not been used for a month" in result.item(Code.CONFIRMATION_TEST).reason
    lead_in = result.item(Code.CONTRACEPTION_MONTH_BEFORE)
    assert (lead_in.status, lead_in.due_on) == (Status.DUE, d("2026-03-15"))

    later = with_tests(facts, collected("2026-03-16"))
    result = check(later, "2026-03-16")
    assert result.item(Code.CONFIRMATION_TEST).status is Status.DONE
    assert result.item(Code.CONTRACEPTION_MONTH_BEFORE).status is Status.DONE


@pytest.mark.parametrize(
    ("since", "ready_on"),
    [
        ("2026-01-31", "2026-02-28"),  # a month from 31 Jan ends on the last day of February
        ("2028-01-31", "2028-02-29"),  # leap year
        ("2028-02-29", "2028-03-29"),
    ],
)
def test_a_month_of_contraception_is_a_calendar_month(since, ready_on):
    facts = can_get_pregnant(
        contraception=(iud(since=since), condom(since=since)),
        pregnancy_tests=(collected("2025-12-01", OFFICE),),
        risk_categories=(replace(can_get_pregnant().risk_categories[0], effective_on=d("2025-12-01")),),
    )
    item = check(facts, since).item(Code.CONTRACEPTION_MONTH_BEFORE)
    assert (item.status, item.due_on) == (Status.DUE, d(ready_on))
    assert check(facts, ready_on).item(Code.CONTRACEPTION_MONTH_BEFORE).status is Status.DONE


def test_without_two_methods_the_checklist_asks_for_them_and_names_the_mini_pill():
    mini_pill = method("progestin_only_pill", MethodKind.UNACCEPTABLE, "2026-01-05", hormonal=True)
    facts = can_get_pregnant(contraception=(mini_pill, condom()))
    result = check(facts, "2026-02-10")
    in_use = result.item(Code.CONTRACEPTION_IN_USE)
    assert in_use.status is Status.DUE and in_use.blocking
    assert "progestin-only pill is not an acceptable method" in in_use.reason
    assert result.item(Code.CONTRACEPTION_MONTH_BEFORE).status is Status.DUE


def test_a_window_across_the_leap_day_ends_six_days_after_collection():
    start = "2028-02-10"
    facts = can_get_pregnant(
        risk_categories=(replace(can_get_pregnant().risk_categories[0], effective_on=d(start)),),
        enrollment=replace(can_get_pregnant().enrollment, enrolled_on=d(start)),
        contraception=(iud(since="2028-01-20"), condom(since="2028-01-20")),
        pregnancy_tests=(collected("2028-01-24", OFFICE), collected("2028-02-25")),
        confirmations=(month("2028-02-29"),),
    )
    result = check(facts, "2028-02-29")
    assert result.ready_to_prescribe
    assert result.prescribe_by == d("2028-03-02")
    assert check(facts, "2028-03-02").ready_to_prescribe
    assert not check(facts, "2028-03-03").ready_to_prescribe


# --- confirmations and methods ---------------------------------------------------------------------


def test_counseling_and_comprehension_before_the_test_do_not_count_for_its_window():
    facts = ready_on_2_march(confirmations=(month("2026-03-01"),))
    result = check(facts, "2026-03-03")
    assert result.item(Code.COUNSELING).status is Status.DUE
    assert result.item(Code.COMPREHENSION).status is Status.DUE
    assert not result.ready_to_prescribe


@pytest.mark.parametrize(
    ("office", "patient", "status"),
    [
        (("iud", "male_condom"), ("iud", "male_condom"), Status.DONE),
        (("iud", "male_condom"), ("male_condom", "iud"), Status.BLOCKED),  # same methods, other order
        (("iud", "male_condom"), ("iud", "diaphragm"), Status.BLOCKED),
        (("iud", "diaphragm"), ("iud", "diaphragm"), Status.DUE),  # both agree, the chart does not
    ],
)
def test_the_methods_entered_by_the_office_and_confirmed_by_the_patient_must_match(office, patient, status):
    facts = ready_on_2_march(confirmations=(confirmed("2026-03-03", "2026-03-04", office=office, patient=patient),))
    result = check(facts, "2026-03-04")
    item = result.item(Code.METHODS_MATCH)
    assert item.status is status
    assert result.ready_to_prescribe is (status is Status.DONE)
    if status is Status.BLOCKED:
        assert "blocks the patient this month" in item.reason


def test_methods_wait_for_the_patient_until_the_comprehension_answers_arrive():
    facts = ready_on_2_march(confirmations=(confirmed("2026-03-03"),))
    item = check(facts, "2026-03-04").item(Code.METHODS_MATCH)
    assert item.status is Status.DUE
    assert "the patient confirms the same methods" in item.reason


def test_abstinence_is_entered_as_the_only_method():
    facts = ready_on_2_march(
        contraception=(),
        abstinence=(abstinence(),),
        confirmations=(confirmed("2026-03-03", "2026-03-03", office=("abstinence",)),),
    )
    result = check(facts, "2026-03-03")
    assert result.item(Code.CONTRACEPTION_IN_USE).reason.startswith("Commitment to abstinence")
    assert result.item(Code.METHODS_MATCH).status is Status.DONE
    assert result.ready_to_prescribe


# --- every month during treatment ----------------------------------------------------------------


def on_treatment(**kw):
    """Dispensed 3 Mar 2026 (30 days: supply through 1 Apr), first dose 3 Mar."""
    return ready_on_2_march(
        course=course(first_dose="2026-03-03"),
        authorizations=(authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
        **kw,
    )


def test_after_dispensing_the_next_month_needs_a_new_test_in_the_visit_window():
    result = check(on_treatment(), "2026-03-04")
    assert result.phase is Phase.ON_TREATMENT
    assert not result.ready_to_prescribe
    assert result.supplied_through == d("2026-04-01")
    test = result.item(Code.MONTHLY_TEST)
    assert test.status is Status.DUE
    assert (test.window.start, test.window.end) == (d("2026-03-27"), d("2026-04-02"))
    assert Code.SCREENING_TEST not in result.codes
    assert check(on_treatment(), "2026-04-03").item(Code.MONTHLY_TEST).status is Status.OVERDUE


def test_the_monthly_test_opens_the_window_for_the_next_prescription():
    facts = on_treatment()
    facts = replace(
        facts,
        pregnancy_tests=(*facts.pregnancy_tests, collected("2026-03-30")),
        confirmations=(*facts.confirmations, month("2026-03-31")),
    )
    result = check(facts, "2026-03-31")
    assert result.ready_to_prescribe
    assert result.prescribe_by == d("2026-04-05")
    assert statuses(result)[Code.MONTHLY_TEST] is Status.DONE
    # Last month's confirmations (3 Mar) never count for this month.
    earlier = replace(facts, confirmations=(month("2026-03-03"),))
    assert check(earlier, "2026-03-31").item(Code.COUNSELING).status is Status.DUE


def test_a_missed_monthly_window_needs_only_a_new_test_without_lockout():
    facts = on_treatment()
    facts = with_tests(facts, collected("2026-03-30"))
    result = check(facts, "2026-04-06")
    assert result.item(Code.MONTHLY_TEST).status is Status.OVERDUE
    assert result.item(Code.PICKUP_WINDOW).status is Status.OVERDUE
    retest = replace(
        facts,
        pregnancy_tests=(*facts.pregnancy_tests, collected("2026-04-07")),
        confirmations=(month("2026-04-07"),),
    )
    assert check(retest, "2026-04-07").ready_to_prescribe


@pytest.mark.parametrize(
    ("setting", "rules", "counts"),
    [
        (HOME, RULES_2021, True),  # tolerated under the FDA's enforcement discretion
        (HOME, RuleSettings(rems_2026_effective_on=d("2099-01-01"), rems_2021_home_tests_tolerated=False), False),
        (OFFICE, RuleSettings(rems_2026_effective_on=d("2099-01-01"), rems_2021_home_tests_tolerated=False), False),
        (HOME, RULES_2026, True),
        (HOME, RuleSettings(rems_2026_effective_on=d("2000-01-01"), rems_2026_home_tests_allowed=False), False),
        (OFFICE, RULES_2026, True),
    ],
)
def test_home_tests_during_treatment_follow_the_rule_set_and_the_clinic_setting(setting, rules, counts):
    facts = on_treatment()
    facts = with_tests(facts, collected("2026-03-30", setting))
    assert (check(facts, "2026-03-30", rules).item(Code.MONTHLY_TEST).status is Status.DONE) is counts


def test_an_unverified_home_test_does_not_count():
    facts = on_treatment()
    facts = with_tests(facts, collected("2026-03-30", HOME, counts_as_valid=False))
    item = check(facts, "2026-03-30").item(Code.MONTHLY_TEST)
    assert item.status is Status.DUE
    assert "does not count" in item.reason


def test_a_result_not_known_yet_on_the_day_is_pending():
    facts = on_treatment()
    facts = with_tests(facts, collected("2026-03-30", resulted_on=d("2026-04-01")))
    assert "not in yet" in check(facts, "2026-03-31").item(Code.MONTHLY_TEST).reason
    assert check(facts, "2026-04-01").item(Code.MONTHLY_TEST).status is Status.DONE


# --- pregnancy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", [LAB, OFFICE, HOME])
def test_a_positive_test_blocks_the_course_with_the_three_steps(setting):
    facts = on_treatment()
    facts = replace(
        facts, pregnancy_tests=(*facts.pregnancy_tests, collected("2026-03-30", setting, result=TestResult.POSITIVE))
    )
    result = check(facts, "2026-03-30")
    pregnancy = result.items[0]
    assert pregnancy.code is Code.PREGNANCY and pregnancy.status is Status.BLOCKED
    assert len(pregnancy.actions) == 3
    assert "Stop isotretinoin" in pregnancy.actions[0]
    assert "obstetrician-gynecologist experienced in reproductive toxicity" in pregnancy.actions[1]
    assert "pregnancy registry" in pregnancy.actions[2]
    assert not result.ready_to_prescribe
    assert check(facts, "2026-03-29").items[0].code is not Code.PREGNANCY


# --- a category that changes during the course -----------------------------------------------


def changed_to_can_get_pregnant(**kw):
    """Cannot get pregnant at the start, dispensed 3 Mar; can get pregnant from 15 Mar (menarche)."""
    fields = {
        "risk_categories": (RiskAssignment(CANNOT, d("2026-01-05")), RiskAssignment(CAN, d("2026-03-15"))),
        "enrollment": enrolled(CAN, birth_defects_consent_signed_on=d("2026-03-15")),
        "course": course(first_dose="2026-03-03"),
        "authorizations": (authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
        "pregnancy_tests": (),
        "contraception": (iud(since="2026-03-15"), condom(since="2026-03-15")),
    }
    return can_get_pregnant(**{**fields, **kw})


def test_a_patient_who_becomes_able_to_get_pregnant_qualifies_again():
    facts = changed_to_can_get_pregnant()
    before = check(facts, "2026-03-14")
    assert before.category.value == "cannot_get_pregnant"
    assert Code.SCREENING_TEST not in before.codes

    after = check(facts, "2026-03-16")
    assert after.category is CAN
    assert after.item(Code.SCREENING_TEST).status is Status.DUE
    assert "qualifies again" in after.item(Code.RISK_CATEGORY).reason
    assert not after.ready_to_prescribe

    # Screening 16 Mar, confirmation 15 Apr (30 days, a month of contraception), then ready.
    requalified = replace(
        facts,
        pregnancy_tests=(collected("2026-03-16", OFFICE), collected("2026-04-15")),
        confirmations=(month("2026-04-15"),),
    )
    assert check(requalified, "2026-04-15").ready_to_prescribe
    dispensed = replace(
        requalified,
        authorizations=(*requalified.authorizations, authorization("R2", "2026-04-16", dispensed="2026-04-16")),
    )
    result = check(dispensed, "2026-04-17")
    assert Code.MONTHLY_TEST in result.codes and Code.SCREENING_TEST not in result.codes


def test_without_requalifying_the_monthly_rules_apply_from_the_change():
    rules = RuleSettings(rems_2026_effective_on=d("2099-01-01"), requalify_after_category_change=False)
    facts = changed_to_can_get_pregnant(
        pregnancy_tests=(collected("2026-03-30"),), confirmations=(month("2026-03-30"),)
    )
    result = checklist(facts, d("2026-03-30"), rules)
    assert Code.MONTHLY_TEST in result.codes
    assert result.ready_to_prescribe


def test_a_patient_who_can_no_longer_get_pregnant_follows_those_rules_from_the_change():
    facts = on_treatment(
        risk_categories=(RiskAssignment(CAN, d("2026-01-05")), RiskAssignment(CANNOT, d("2026-03-20"))),
    )
    result = check(facts, "2026-03-21")
    assert Code.MONTHLY_TEST not in result.codes
    assert Code.COUNSELING in result.codes
    assert result.item(Code.PICKUP_WINDOW).title == "30-day prescription window"
