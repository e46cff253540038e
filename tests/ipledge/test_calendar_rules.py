"""The course calendar as plain events for the .ics export."""

from dataclasses import replace

from ipledge.calendar_rules import EventKind, calendar_events
from ipledge.rule_facts import LabDue, TestPurpose, TestResult

from .builders import (
    RULES_2021,
    authorization,
    cannot_get_pregnant,
    collected,
    confirmed,
    course,
    d,
    ready_on_2_march,
)


def kinds(events):
    return [(e.kind, e.start, e.end) for e in events]


def test_a_running_course_shows_its_tests_windows_dispensing_next_visit_and_what_follows_the_end():
    facts = ready_on_2_march(
        course=course(first_dose="2026-03-03", projected="2026-07-31"),
        authorizations=(authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
        labs_due=(LabDue("ALT", d("2026-04-28")),),
    )
    events = calendar_events(facts, d("2026-03-10"), RULES_2021)
    assert kinds(events) == [
        (EventKind.PREGNANCY_TEST, d("2026-01-30"), d("2026-01-30")),
        (EventKind.PREGNANCY_TEST, d("2026-03-02"), d("2026-03-02")),
        (EventKind.PICKUP_WINDOW, d("2026-03-02"), d("2026-03-08")),
        (EventKind.DISPENSED, d("2026-03-03"), d("2026-03-03")),
        (EventKind.FIRST_DOSE, d("2026-03-03"), d("2026-03-03")),
        (EventKind.VISIT, d("2026-03-27"), d("2026-04-02")),
        (EventKind.LAB_DUE, d("2026-04-28"), d("2026-04-28")),
        (EventKind.PROJECTED_LAST_DOSE, d("2026-07-31"), d("2026-07-31")),
        (EventKind.CONTRACEPTION_UNTIL, d("2026-07-31"), d("2026-08-31")),
        (EventKind.NO_BLOOD_DONATION_UNTIL, d("2026-07-31"), d("2026-08-31")),
        (EventKind.POST_TREATMENT_TEST, d("2026-08-30"), d("2026-09-06")),
    ]
    upcoming = [e.kind for e in events if e.upcoming(d("2026-03-10"))]
    assert EventKind.PICKUP_WINDOW not in upcoming and EventKind.VISIT in upcoming


def test_the_screening_test_opens_no_window_and_a_superseded_visit_is_not_a_window():
    events = calendar_events(ready_on_2_march(), d("2026-03-04"), RULES_2021)
    windows = [e for e in events if e.kind is EventKind.PICKUP_WINDOW]
    assert [(w.start, w.end) for w in windows] == [(d("2026-03-02"), d("2026-03-08"))]
    assert windows[0].title == "7-day prescription window"


def test_events_hold_no_results():
    positive = collected("2026-03-02", result=TestResult.POSITIVE, purpose=TestPurpose.MONTHLY)
    events = calendar_events(ready_on_2_march(pregnancy_tests=(positive,)), d("2026-03-04"), RULES_2021)
    titles = " ".join(e.title for e in events).lower()
    assert "monthly pregnancy test" in titles
    assert "positive" not in titles and "negative" not in titles


def test_2021_cannot_get_pregnant_windows_are_30_days():
    facts = cannot_get_pregnant(confirmations=(confirmed("2026-03-02"),))
    windows = [e for e in calendar_events(facts, d("2026-03-05"), RULES_2021) if e.kind is EventKind.PICKUP_WINDOW]
    assert [(w.title, w.start, w.end) for w in windows] == [
        ("30-day prescription window", d("2026-03-02"), d("2026-03-31"))
    ]


def test_event_ids_are_stable_and_events_are_sorted():
    facts = ready_on_2_march(course=course(first_dose="2026-03-03", last_dose="2026-06-15"))
    first = calendar_events(facts, d("2026-06-20"), RULES_2021)
    again = calendar_events(facts, d("2026-06-21"), RULES_2021)
    assert [e.uid for e in first] == [e.uid for e in again]
    assert len({e.uid for e in first}) == len(first)
    assert [e.start for e in first] == sorted(e.start for e in first)
    assert (EventKind.LAST_DOSE, d("2026-06-15"), d("2026-06-15")) in kinds(first)


def test_a_course_not_started_shows_its_planned_start():
    facts = replace(cannot_get_pregnant(), course=course(planned="2026-04-01"))
    events = calendar_events(facts, d("2026-03-05"), RULES_2021)
    assert (EventKind.PLANNED_START, d("2026-04-01"), d("2026-04-01")) in kinds(events)
