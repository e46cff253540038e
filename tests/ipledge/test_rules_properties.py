"""Properties of the iPLEDGE rules over random facts (hypothesis)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ipledge.calendar_rules import calendar_events
from ipledge.contraception_rules import coverage
from ipledge.monthly_rules import ipledge_entries, next_visit_window
from ipledge.rule_facts import RiskCategory, RuleSettings, TestResult
from ipledge.rules import Phase, Status, checklist, pickup_window, rule_set_for

from .strategies import FIRST, LAST, course_and_day, facts, later_facts

# Random facts, courses with slips, and compliant courses (often ready to prescribe).
COURSE_ON_A_DAY = course_and_day() | course_and_day(slips=False)
SETTINGS = st.builds(
    RuleSettings,
    rems_2026_effective_on=st.dates(date(2026, 6, 1), date(2026, 10, 31)),
    days_between_pretreatment_tests=st.integers(19, 35),
    rems_2021_home_tests_tolerated=st.booleans(),
    rems_2021_office_is_clia_certified=st.booleans(),
    rems_2026_home_tests_allowed=st.booleans(),
    requalify_after_category_change=st.booleans(),
)


@given(st.dates(date(1990, 1, 1), date(2100, 12, 31)))
def test_the_7_day_window_always_ends_6_days_after_collection(collected):
    window = pickup_window(collected)
    assert window.start == collected
    assert window.end - collected == timedelta(days=6)
    assert collected + timedelta(days=6) in window
    assert collected + timedelta(days=7) not in window


@settings(max_examples=400)
@given(COURSE_ON_A_DAY, SETTINGS, st.data())
def test_facts_dated_after_the_day_never_make_an_item_done(course_on, rule_settings, data):
    base, on = course_on
    more = data.draw(later_facts(base, on))
    before = checklist(base, on, rule_settings)
    after = checklist(more, on, rule_settings)
    for old, new in zip(before.items, after.items, strict=False):
        assert not (new.status is Status.DONE and old.status is not Status.DONE), new
    # Stronger: nothing on the day's checklist, visit, entries or calendar changes at all.
    assert after == before
    assert next_visit_window(more, on, rule_settings) == next_visit_window(base, on, rule_settings)
    assert ipledge_entries(more, on, rule_settings) == ipledge_entries(base, on, rule_settings)
    assert calendar_events(more, on, rule_settings) == calendar_events(base, on, rule_settings)


@given(facts(), facts(), st.dates(FIRST, LAST), SETTINGS)
def test_the_rule_set_depends_only_on_the_date(one, other, on, rule_settings):
    expected = rule_set_for(on, rule_settings)
    for result in (checklist(one, on, rule_settings), checklist(other, on, rule_settings)):
        assert result.rule_set is expected
        assert {item.rule_set for item in result.items} <= {expected}


@given(COURSE_ON_A_DAY, SETTINGS)
def test_every_checklist_is_well_formed(course_on, rule_settings):
    course, on = course_on
    result = checklist(course, on, rule_settings)
    codes = [item.code for item in result.items]
    assert len(codes) == len(set(codes))
    for item in result.items:
        assert item.title and item.reason
        if item.status is Status.NOT_APPLICABLE:
            assert not item.blocks_prescribing
    assert result.ready_to_prescribe == (
        result.phase is not Phase.AFTER_TREATMENT
        and result.category is not None
        and not any(item.blocking for item in result.items)
    )


@settings(max_examples=300)
@given(COURSE_ON_A_DAY, SETTINGS)
def test_a_patient_who_can_get_pregnant_is_ready_only_with_a_fresh_negative_test_and_two_methods(
    course_on, rule_settings
):
    course, on = course_on
    result = checklist(course, on, rule_settings)
    if not (result.ready_to_prescribe and result.category is RiskCategory.CAN_GET_PREGNANT):
        return
    fresh = [
        t
        for t in course.pregnancy_tests
        if t.result is TestResult.NEGATIVE
        and t.counts_as_valid
        and t.known_on <= on
        and on - timedelta(days=6) <= t.collected_on <= on
    ]
    assert fresh
    assert result.prescribe_by is not None and on <= result.prescribe_by
    assert not any(t.result is TestResult.POSITIVE and t.known_on <= on for t in course.pregnancy_tests)
    known_methods = [m for m in course.contraception if m.started_on <= on]
    known_abstinence = [a for a in course.abstinence if a.committed_on <= on]
    assert coverage(known_methods, known_abstinence, on).covered_on(on)
