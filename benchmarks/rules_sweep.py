"""How long the pure iPLEDGE rules take over many courses (what the status sweep will do).

Run from the checkout: ``.venv/bin/python -m benchmarks.rules_sweep [courses]``. Synthetic
courses only; prints one line per function with the time per course.
"""

import random
import sys
import time
from datetime import date, timedelta

from ipledge.calendar_rules import calendar_events
from ipledge.monthly_rules import ipledge_entries, next_visit_window
from ipledge.rule_facts import (
    Authorization,
    ContraceptionMethod,
    CourseDates,
    CourseFacts,
    Enrollment,
    MethodKind,
    MonthlyConfirmation,
    PregnancyTest,
    Prescription,
    RiskAssignment,
    RiskCategory,
    RuleSettings,
    TestResult,
    TestSetting,
)
from ipledge.rules import checklist


def synthetic_course(rng: random.Random) -> tuple[CourseFacts, date]:
    start = date(2026, 1, 1) + timedelta(days=rng.randrange(400))
    can = rng.random() < 0.6
    category = RiskCategory.CAN_GET_PREGNANT if can else RiskCategory.CANNOT_GET_PREGNANT
    methods = (
        ContraceptionMethod("iud", "IUD", MethodKind.PRIMARY, False, start - timedelta(days=40)),
        ContraceptionMethod("male_condom", "Male condom", MethodKind.SECONDARY, False, start - timedelta(days=40)),
    )
    tests, confirmations, prescriptions, authorizations = [], [], [], []
    opened = start
    if can:
        tests.append(PregnancyTest(opened, TestResult.NEGATIVE, TestSetting.OFFICE))
        opened += timedelta(days=30)
    for n in range(rng.randrange(7)):
        if can:
            tests.append(PregnancyTest(opened, TestResult.NEGATIVE, TestSetting.CLIA_LAB))
        confirmations.append(MonthlyConfirmation(opened, opened, ("iud", "male_condom"), ("iud", "male_condom")))
        day = opened + timedelta(days=rng.randrange(4))
        prescriptions.append(Prescription(day, 30))
        authorizations.append(Authorization(f"R{n}", day, opened + timedelta(days=6), 30, day))
        opened += timedelta(days=30)
    facts = CourseFacts(
        course=CourseDates(start, authorizations[0].dispensed_on if authorizations else None),
        risk_categories=(RiskAssignment(category, start),),
        enrollment=Enrollment(start, True, start, start, start, True),
        pregnancy_tests=tuple(tests),
        contraception=methods if can else (),
        confirmations=tuple(confirmations),
        prescriptions=tuple(prescriptions),
        authorizations=tuple(authorizations),
    )
    return facts, opened - timedelta(days=rng.randrange(20))


def main(count: int) -> None:
    rng = random.Random(2026)
    courses = [synthetic_course(rng) for _ in range(count)]
    settings = RuleSettings()
    print(f"{count} synthetic courses")
    print(f"{'function':<20} {'total (s)':>10} {'per course (ms)':>16}")
    for name, function in [
        ("checklist", checklist),
        ("next_visit_window", next_visit_window),
        ("ipledge_entries", ipledge_entries),
        ("calendar_events", calendar_events),
    ]:
        began = time.perf_counter()
        for facts, on in courses:
            function(facts, on, settings)
        took = time.perf_counter() - began
        print(f"{name:<20} {took:>10.2f} {1000 * took / count:>16.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
