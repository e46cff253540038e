"""Which reminders a checklist calls for: the kinds of issue 6, each sent before its date."""

from dataclasses import replace

from ipledge.reminder_rules import Due, reminders_due
from ipledge.rule_facts import LabDue
from ipledge.rules import checklist

from .builders import RULES_2021, authorization, cannot_get_pregnant, confirmed, course, d, ready_on_2_march


def due_on(facts, on: str) -> list[Due]:
    return reminders_due(checklist(facts, d(on), RULES_2021).items)


def kinds(found: list[Due]) -> dict[str, Due]:
    return {due.kind: due for due in found}


def test_an_open_7_day_window_is_reminded_on_its_fifth_day():
    found = kinds(due_on(ready_on_2_march(), "2026-03-03"))
    assert found["pickup_window_closing"] == Due("pickup_window_closing", d("2026-03-08"), d("2026-03-06"))


def test_a_used_window_is_not_reminded_and_the_next_months_test_is():
    on_treatment = ready_on_2_march(
        course=course(first_dose="2026-03-03"),
        authorizations=(authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
    )
    found = kinds(due_on(on_treatment, "2026-03-04"))
    assert "pickup_window_closing" not in found
    # The next test falls in 27 Mar - 2 Apr: the patient hears of it two days before the end.
    assert found["pregnancy_test_due"] == Due("pregnancy_test_due", d("2026-04-02"), d("2026-03-31"))


def test_an_overdue_test_is_left_to_the_staff_and_sends_nothing():
    on_treatment = ready_on_2_march(
        course=course(first_dose="2026-03-03"),
        authorizations=(authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
    )
    assert "pregnancy_test_due" not in kinds(due_on(on_treatment, "2026-04-03"))


def test_monitoring_labs_are_reminded_three_days_before_they_are_due():
    facts = ready_on_2_march(labs_due=(LabDue("ALT", d("2026-03-20")),))
    assert kinds(due_on(facts, "2026-03-03"))["labs_due"] == Due("labs_due", d("2026-03-20"), d("2026-03-17"))


def test_labs_already_done_send_nothing():
    facts = ready_on_2_march(labs_due=(LabDue("ALT", d("2026-03-20"), done_on=d("2026-03-02")),))
    assert "labs_due" not in kinds(due_on(facts, "2026-03-03"))


def test_the_post_treatment_test_is_reminded_on_the_first_day_it_can_be_collected():
    finished = ready_on_2_march(
        course=course(first_dose="2026-03-03", last_dose="2026-06-15"),
        authorizations=(authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
    )
    found = kinds(due_on(finished, "2026-06-20"))
    assert found["post_treatment_test"] == Due("post_treatment_test", d("2026-07-15"), d("2026-07-15"))


def test_the_30_day_window_of_a_patient_who_cannot_get_pregnant_is_reminded_two_days_before_it_ends():
    facts = replace(cannot_get_pregnant(), confirmations=(confirmed("2026-03-03", visit="2026-03-03"),))
    found = kinds(due_on(facts, "2026-03-05"))
    window_end = found["pickup_window_closing"].due_date
    assert window_end == d("2026-04-01")  # the visit is day 1 of 30
    assert found["pickup_window_closing"].send_on == d("2026-03-30")
