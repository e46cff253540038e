"""A course's therapy calendar as plain events (the .ics export and the calendar page render
them): past tests, windows and dispensings, and what is coming up — the next visit, labs due,
the projected end and what follows the last dose. Events carry dates and kinds, never results
or other clinical values, so the front desk and the patient's own calendar may hold them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .after_treatment_rules import post_treatment_test_window
from .monthly_rules import VisitPurpose, next_visit_window
from .rule_context import context
from .rule_dates import add_months, pickup_window
from .rule_facts import CourseFacts, RiskCategory, RuleSettings, TestPurpose
from .rules import DEFAULT_SETTINGS


class EventKind(StrEnum):
    PLANNED_START = "planned_start"
    FIRST_DOSE = "first_dose"
    LAST_DOSE = "last_dose"
    PROJECTED_LAST_DOSE = "projected_last_dose"
    PREGNANCY_TEST = "pregnancy_test"
    PICKUP_WINDOW = "pickup_window"
    DISPENSED = "dispensed"
    VISIT = "visit"
    LAB_DUE = "lab_due"
    POST_TREATMENT_TEST = "post_treatment_test"
    CONTRACEPTION_UNTIL = "contraception_until"
    NO_BLOOD_DONATION_UNTIL = "no_blood_donation_until"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    kind: EventKind
    title: str
    start: date
    end: date  # inclusive; equal to ``start`` for a one-day event

    @property
    def uid(self) -> str:
        """Stable within a course (the same event keeps its id when the calendar is re-exported)."""
        return f"{self.kind.value}-{self.start.isoformat()}"

    def upcoming(self, on: date) -> bool:
        return self.end >= on


_TEST_TITLES = {
    TestPurpose.SCREENING: "Screening pregnancy test",
    TestPurpose.CONFIRMATION: "Confirmation pregnancy test",
    TestPurpose.MONTHLY: "Monthly pregnancy test",
    TestPurpose.POST_TREATMENT: "Pregnancy test after treatment",
    TestPurpose.OTHER: "Pregnancy test",
}
_VISIT_TITLES = {
    VisitPurpose.FIRST_VISIT: "First visit",
    VisitPurpose.CONFIRMATION_TEST: "Confirmation pregnancy test (from this day)",
    VisitPurpose.PRESCRIPTION: "Prescription and pickup",
    VisitPurpose.MONTHLY_VISIT: "Monthly visit",
    VisitPurpose.POST_TREATMENT_TEST: "Pregnancy test after treatment",
}


def _event(kind: EventKind, title: str, start: date, end: date | None = None) -> CalendarEvent:
    return CalendarEvent(kind, title, start, end or start)


def calendar_events(
    facts: CourseFacts, on: date, settings: RuleSettings = DEFAULT_SETTINGS
) -> tuple[CalendarEvent, ...]:
    """Every event known on ``on``, by start date."""
    ctx = context(facts, on, settings)
    known = ctx.facts
    course = known.course
    events: list[CalendarEvent] = []

    if course.first_dose_on:
        events.append(_event(EventKind.FIRST_DOSE, "First dose", course.first_dose_on))
    elif course.planned_start_on:
        events.append(_event(EventKind.PLANNED_START, "Planned start of treatment", course.planned_start_on))
    for t in known.pregnancy_tests:
        events.append(_event(EventKind.PREGNANCY_TEST, _TEST_TITLES[t.purpose], t.collected_on))
    events += _windows(facts, on, settings)
    for d in ctx.dispensed:
        events.append(_event(EventKind.DISPENSED, f"Dispensed ({d.days_supply} days)", d.day))
    for lab in known.labs_due:
        if lab.done_on is None:
            events.append(_event(EventKind.LAB_DUE, f"Lab work due: {lab.name}", lab.due_on))

    visit = next_visit_window(facts, on, settings)
    if visit is not None and visit.purpose is not VisitPurpose.POST_TREATMENT_TEST:
        events.append(_event(EventKind.VISIT, _VISIT_TITLES[visit.purpose], visit.start, visit.end))

    last = course.last_dose_on
    if last:
        events.append(_event(EventKind.LAST_DOSE, "Last dose", last))
    elif course.projected_last_dose_on and course.first_dose_on:
        last = course.projected_last_dose_on
        events.append(_event(EventKind.PROJECTED_LAST_DOSE, "Projected last dose", last))
    if last:
        one_month = add_months(last, 1)
        if ctx.category is RiskCategory.CAN_GET_PREGNANT:
            test = post_treatment_test_window(last, settings)
            events.append(_event(EventKind.POST_TREATMENT_TEST, "Pregnancy test after treatment", test.start, test.end))
            events.append(_event(EventKind.CONTRACEPTION_UNTIL, "Contraception continues until", last, one_month))
        events.append(_event(EventKind.NO_BLOOD_DONATION_UNTIL, "No blood donation until", last, one_month))
    return tuple(sorted(events, key=lambda e: (e.start, e.end, e.kind.value)))


def _windows(facts: CourseFacts, on: date, settings: RuleSettings) -> list[CalendarEvent]:
    """The prescription windows that opened: a test (or, for 2021 cannot-get-pregnant, a visit)
    opened one when the rules, on the day it became known, had a window starting that day."""
    known = context(facts, on, settings).facts
    openings = {t.collected_on: t.known_on for t in known.pregnancy_tests}
    openings.update({m.visit_on or m.counseling_on: m.counseling_on for m in known.confirmations if m.counseling_on})
    events = []
    for start, known_on in sorted(openings.items()):
        window = context(facts, known_on, settings).window
        if window is None or window.start != start:
            continue
        title = "7-day prescription window" if window == pickup_window(start) else "30-day prescription window"
        events.append(_event(EventKind.PICKUP_WINDOW, title, window.start, window.end))
    return events
