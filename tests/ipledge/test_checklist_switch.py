"""The switch from the 2021 to the 2026 rules between two consecutive days (7 and 8 Aug 2026,
the default effective date), for the same facts."""

from dataclasses import replace

from ipledge.rule_facts import RiskAssignment, RuleSettings, TestSetting
from ipledge.rules import Code, RuleSet, Status, checklist

from .builders import (
    CAN,
    can_get_pregnant,
    cannot_get_pregnant,
    collected,
    condom,
    confirmed,
    d,
    enrolled,
    iud,
    month,
)

DEFAULTS = RuleSettings()
DAY_BEFORE, SWITCH = d("2026-08-07"), d("2026-08-08")


def summer_patient(**kw):
    """Can get pregnant, enrolled 1 Jun 2026, two methods since then, screening test 20 Jun."""
    fields = {
        "risk_categories": (RiskAssignment(CAN, d("2026-06-01")),),
        "enrollment": enrolled(on="2026-06-01"),
        "contraception": (iud(since="2026-06-01"), condom(since="2026-06-01")),
        "pregnancy_tests": (collected("2026-06-20", TestSetting.OFFICE),),
    }
    return can_get_pregnant(**{**fields, **kw})


def test_every_item_comes_from_the_rule_set_of_its_day():
    facts = summer_patient()
    assert {i.rule_set for i in checklist(facts, DAY_BEFORE, DEFAULTS).items} == {RuleSet.REMS_2021}
    assert {i.rule_set for i in checklist(facts, SWITCH, DEFAULTS).items} == {RuleSet.REMS_2026}


def test_a_confirmation_test_in_the_office_counts_from_the_switch():
    facts = summer_patient(
        pregnancy_tests=(collected("2026-06-20", TestSetting.OFFICE), collected("2026-08-05", TestSetting.OFFICE)),
        confirmations=(month("2026-08-06"),),
    )
    assert checklist(facts, DAY_BEFORE, DEFAULTS).item(Code.CONFIRMATION_TEST).status is Status.DUE
    after = checklist(facts, SWITCH, DEFAULTS)
    assert after.item(Code.CONFIRMATION_TEST).status is Status.DONE
    assert after.ready_to_prescribe


def test_the_19_day_lockout_ends_with_the_2021_rules():
    # Confirmation test 28 Jul, window 28 Jul - 3 Aug missed: 2021 lockout until 16 Aug.
    facts = summer_patient(pregnancy_tests=(collected("2026-06-20", TestSetting.OFFICE), collected("2026-07-28")))
    before = checklist(facts, DAY_BEFORE, DEFAULTS).item(Code.MISSED_FIRST_WINDOW)
    assert (before.status, before.due_on) == (Status.BLOCKED, d("2026-08-16"))
    after = checklist(facts, SWITCH, DEFAULTS).item(Code.MISSED_FIRST_WINDOW)
    assert after.status is Status.DUE
    assert "at once" in after.reason

    retest = replace(
        facts,
        pregnancy_tests=(*facts.pregnancy_tests, collected("2026-08-08", TestSetting.OFFICE)),
        confirmations=(month("2026-08-08"),),
    )
    assert checklist(retest, SWITCH, DEFAULTS).ready_to_prescribe


def test_a_patient_who_cannot_get_pregnant_loses_the_30_day_window_at_the_switch():
    facts = cannot_get_pregnant(confirmations=(confirmed("2026-07-01"),))
    before = checklist(facts, DAY_BEFORE, DEFAULTS)  # the window of 1-30 Jul has closed
    assert not before.ready_to_prescribe
    assert before.item(Code.PICKUP_WINDOW).status is Status.OVERDUE
    after = checklist(facts, SWITCH, DEFAULTS)
    assert after.ready_to_prescribe
    assert after.item(Code.PICKUP_WINDOW).status is Status.NOT_APPLICABLE
    assert after.item(Code.ENROLLMENT_COUNSELING).status is Status.DONE
