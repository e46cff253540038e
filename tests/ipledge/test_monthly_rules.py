"""When the next visit should fall, and what staff and the patient enter on iPLEDGE this month."""

from dataclasses import replace

from ipledge.monthly_rules import EnteredBy, EntryCode, VisitPurpose, ipledge_entries, next_visit_window

from .builders import (
    RULES_2021,
    RULES_2026,
    abstinence,
    authorization,
    can_get_pregnant,
    cannot_get_pregnant,
    collected,
    condom,
    confirmed,
    course,
    d,
    enrolled,
    iud,
    ready_on_2_march,
)


def on_treatment(**kw):
    fields = {
        "course": course(first_dose="2026-03-03"),
        "authorizations": (authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
    }
    return ready_on_2_march(**{**fields, **kw})


# --- next visit ---------------------------------------------------------------------------------


def test_before_the_confirmation_test_the_visit_is_from_its_earliest_day():
    visit = next_visit_window(can_get_pregnant(), d("2026-02-10"), RULES_2021)
    assert (visit.purpose, visit.start, visit.end) == (VisitPurpose.CONFIRMATION_TEST, d("2026-03-01"), None)
    assert "CLIA-certified lab" in visit.reason


def test_after_a_missed_first_window_2021_the_visit_waits_for_the_lockout():
    visit = next_visit_window(ready_on_2_march(), d("2026-03-09"), RULES_2021)
    assert (visit.purpose, visit.start) == (VisitPurpose.CONFIRMATION_TEST, d("2026-03-21"))
    assert next_visit_window(ready_on_2_march(), d("2026-03-09"), RULES_2026).start == d("2026-03-01")


def test_an_open_window_means_prescribe_before_it_closes():
    visit = next_visit_window(ready_on_2_march(), d("2026-03-04"), RULES_2021)
    assert (visit.purpose, visit.start, visit.end) == (VisitPurpose.PRESCRIPTION, d("2026-03-04"), d("2026-03-08"))


def test_the_monthly_visit_falls_in_the_week_before_the_supply_runs_out():
    visit = next_visit_window(on_treatment(), d("2026-03-10"), RULES_2021)
    assert (visit.purpose, visit.start, visit.end) == (VisitPurpose.MONTHLY_VISIT, d("2026-03-27"), d("2026-04-02"))
    assert not visit.overdue_on(d("2026-04-02"))
    assert visit.overdue_on(d("2026-04-03"))


def test_the_monthly_visit_crosses_month_and_leap_day_boundaries():
    facts = cannot_get_pregnant(
        course=course(first_dose="2028-02-01"),
        authorizations=(authorization("R1", "2028-02-01", dispensed="2028-02-01"),),
    )
    visit = next_visit_window(facts, d("2028-02-10"), RULES_2026)
    # Supply 1 Feb - 1 Mar 2028 (29 Feb included): the next supply is needed on 2 Mar.
    assert (visit.start, visit.end) == (d("2028-02-25"), d("2028-03-02"))


def test_the_visit_window_length_is_a_setting():
    rules = replace(RULES_2021, visit_window_days=3)
    visit = next_visit_window(on_treatment(), d("2026-03-10"), rules)
    assert (visit.start, visit.end) == (d("2026-03-31"), d("2026-04-02"))


def test_after_treatment_the_visit_is_the_post_treatment_test_then_nothing():
    facts = on_treatment(course=course(first_dose="2026-03-03", last_dose="2026-06-15"))
    visit = next_visit_window(facts, d("2026-06-20"), RULES_2021)
    assert (visit.purpose, visit.start, visit.end) == (
        VisitPurpose.POST_TREATMENT_TEST,
        d("2026-07-15"),
        d("2026-07-22"),
    )
    tested = replace(facts, pregnancy_tests=(*facts.pregnancy_tests, collected("2026-07-16")))
    assert next_visit_window(tested, d("2026-07-17"), RULES_2021) is None
    done = cannot_get_pregnant(course=course(first_dose="2026-03-03", last_dose="2026-06-15"))
    assert next_visit_window(done, d("2026-06-20"), RULES_2021) is None


def test_a_new_patient_first_comes_for_enrollment():
    visit = next_visit_window(cannot_get_pregnant(risk_categories=()), d("2026-03-01"), RULES_2021)
    assert (visit.purpose, visit.start, visit.end) == (VisitPurpose.FIRST_VISIT, d("2026-03-01"), None)


# --- what to enter on iPLEDGE ---------------------------------------------------------------------


def test_the_entries_of_the_month_are_the_test_the_two_methods_in_order_and_the_confirmations():
    facts = ready_on_2_march(contraception=(condom(since="2025-12-01"), iud(since="2026-01-05")), confirmations=())
    entries = ipledge_entries(facts, d("2026-03-02"), RULES_2021)
    assert [e.code for e in entries.entries] == [
        EntryCode.PREGNANCY_TEST,
        EntryCode.PRIMARY_METHOD,
        EntryCode.SECONDARY_METHOD,
        EntryCode.COUNSELING,
        EntryCode.COMPREHENSION,
    ]
    test, primary, secondary, counseling, comprehension = entries.entries
    assert test.day == d("2026-03-02") and "negative" in test.value
    assert (primary.method, secondary.method) == ("iud", "male_condom")  # primary first, whatever began first
    assert (counseling.entered_by, comprehension.entered_by) == (EnteredBy.OFFICE, EnteredBy.PATIENT)
    assert all(e.done_on is None for e in entries.entries)
    assert (entries.window.start, entries.window.end) == (d("2026-03-02"), d("2026-03-08"))
    assert entries.mismatch is None


def test_entries_made_inside_the_window_are_ticked_with_their_date():
    facts = ready_on_2_march(confirmations=(confirmed("2026-03-03", "2026-03-04"),))
    entries = {e.code: e for e in ipledge_entries(facts, d("2026-03-04"), RULES_2021).entries}
    assert entries[EntryCode.PRIMARY_METHOD].done_on == d("2026-03-03")
    assert entries[EntryCode.COUNSELING].done_on == d("2026-03-03")
    assert entries[EntryCode.COMPREHENSION].done_on == d("2026-03-04")
    assert entries[EntryCode.PREGNANCY_TEST].done_on is None  # not tracked by the rules: the page ticks it


def test_a_mismatch_between_office_and_patient_is_reported():
    facts = ready_on_2_march(confirmations=(confirmed("2026-03-03", "2026-03-04", patient=("iud", "diaphragm")),))
    entries = ipledge_entries(facts, d("2026-03-04"), RULES_2021)
    assert entries.mismatch is not None
    assert "Male condom" in entries.mismatch and "diaphragm" in entries.mismatch


def test_abstinence_is_the_single_method_entry():
    facts = ready_on_2_march(contraception=(), abstinence=(abstinence(),))
    codes = [e.code for e in ipledge_entries(facts, d("2026-03-03"), RULES_2021).entries]
    assert EntryCode.SECONDARY_METHOD not in codes
    primary = next(e for e in ipledge_entries(facts, d("2026-03-03"), RULES_2021).entries if e.method)
    assert primary.method == "abstinence"


def test_without_a_test_the_entries_say_to_collect_it_first():
    entries = ipledge_entries(on_treatment(), d("2026-03-20"), RULES_2021)
    assert entries.window is None
    assert "collect this month's test first" in entries.entries[0].value


def test_cannot_get_pregnant_entries_follow_the_rule_set():
    monthly = ipledge_entries(
        cannot_get_pregnant(confirmations=(confirmed("2026-03-02"),)), d("2026-03-03"), RULES_2021
    )
    assert [(e.code, e.done_on) for e in monthly.entries] == [(EntryCode.COUNSELING, d("2026-03-02"))]
    assert ipledge_entries(cannot_get_pregnant(), d("2026-03-03"), RULES_2026).entries == ()
    not_counseled = cannot_get_pregnant(enrollment=enrolled(counseled_on=None))
    entries = ipledge_entries(not_counseled, d("2026-03-03"), RULES_2026).entries
    assert [e.code for e in entries] == [EntryCode.ENROLLMENT_COUNSELING]


def test_nothing_is_entered_after_treatment():
    facts = on_treatment(course=course(first_dose="2026-03-03", last_dose="2026-06-15"))
    assert ipledge_entries(facts, d("2026-06-20"), RULES_2021).entries == ()
