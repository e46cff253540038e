"""Hypothesis strategies for random course facts, and for facts dated after a given day."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import strategies as st

from ipledge.rule_facts import (
    AbstinenceCommitment,
    Authorization,
    ConcomitantMedication,
    ContraceptionMethod,
    CourseDates,
    CourseFacts,
    Enrollment,
    Interaction,
    LabDue,
    LabResultReview,
    MethodKind,
    MonthlyConfirmation,
    PregnancyTest,
    Prescription,
    RiskAssignment,
    RiskCategory,
    TestPurpose,
    TestResult,
    TestSetting,
)

# Dates around the 2026 switch, up to the 2028 leap day, so windows, lockouts and the change of
# rule set all happen often.
FIRST, LAST = date(2026, 1, 1), date(2028, 3, 31)
CATALOG = (
    ("iud", "IUD", MethodKind.PRIMARY, False),
    ("combined_pill", "Combined pill", MethodKind.PRIMARY, True),
    ("male_condom", "Male condom", MethodKind.SECONDARY, False),
    ("diaphragm", "Diaphragm with spermicide", MethodKind.SECONDARY, False),
    ("progestin_only_pill", "Progestin-only pill", MethodKind.UNACCEPTABLE, True),
)
CODES = [code for code, *_ in CATALOG] + ["abstinence"]
RMAS = ["R1", "R2", "R3"]


# Most facts fall in a few months around the switch so that they interact; some anywhere.
DATES = st.dates(date(2026, 6, 1), date(2026, 10, 31)) | st.dates(FIRST, LAST)


@st.composite
def facts(draw, dates=None) -> CourseFacts:
    dates = DATES if dates is None else dates
    maybe = st.none() | dates

    def span(build, *fields):
        start = draw(dates)
        end = draw(st.none() | st.integers(0, 150).map(lambda n: start + timedelta(days=n)))
        return build(start, end, *fields)

    def method():
        code, label, kind, hormonal = draw(st.sampled_from(CATALOG))
        return span(lambda s, e: ContraceptionMethod(code, label, kind, hormonal, s, e))

    def authorization():
        got = draw(dates)
        offset = st.none() | st.integers(0, 10).map(lambda n: got + timedelta(days=n))
        return Authorization(
            rma=draw(st.sampled_from(RMAS)),
            obtained_on=got,
            do_not_dispense_after=got + timedelta(days=draw(st.integers(0, 8))),
            days_supply=draw(st.integers(1, 40)),
            dispensed_on=draw(offset),
            reversed_on=draw(offset),
            reversal_reason=draw(st.sampled_from(["", "wrong days supply"])),
            replaces_rma=draw(st.none() | st.sampled_from(RMAS)),
        )

    methods = st.lists(st.sampled_from(CODES), max_size=2).map(tuple)
    return CourseFacts(
        course=CourseDates(draw(maybe), draw(maybe), draw(maybe), draw(maybe)),
        risk_categories=tuple(
            draw(st.lists(st.builds(RiskAssignment, st.sampled_from(RiskCategory), dates), max_size=3))
        ),
        enrollment=Enrollment(
            draw(maybe), draw(st.booleans()), draw(maybe), draw(maybe), draw(maybe), draw(st.booleans())
        ),
        pregnancy_tests=tuple(
            draw(
                st.lists(
                    st.builds(
                        PregnancyTest,
                        collected_on=dates,
                        result=st.sampled_from(TestResult),
                        setting=st.sampled_from(TestSetting),
                        counts_as_valid=st.booleans(),
                        purpose=st.sampled_from(TestPurpose),
                        resulted_on=maybe,
                    ),
                    max_size=6,
                )
            )
        ),
        contraception=tuple(method() for _ in range(draw(st.integers(0, 4)))),
        abstinence=tuple(span(AbstinenceCommitment) for _ in range(draw(st.integers(0, 1)))),
        medications=tuple(
            span(lambda s, e, kind: ConcomitantMedication("med", kind, s, e), draw(st.sampled_from(Interaction)))
            for _ in range(draw(st.integers(0, 2)))
        ),
        confirmations=tuple(
            draw(
                st.lists(
                    st.builds(MonthlyConfirmation, maybe, maybe, methods, methods, maybe),
                    max_size=4,
                )
            )
        ),
        prescriptions=tuple(
            draw(st.lists(st.builds(Prescription, dates, st.integers(1, 40), st.integers(0, 2)), max_size=3))
        ),
        authorizations=tuple(authorization() for _ in range(draw(st.integers(0, 3)))),
        lab_reviews=tuple(
            draw(st.lists(st.builds(LabResultReview, dates, maybe, st.booleans(), st.just("ALT")), max_size=2))
        ),
        labs_due=tuple(draw(st.lists(st.builds(LabDue, st.just("ALT"), dates, maybe, st.booleans()), max_size=2))),
    )


@st.composite
def later_facts(draw, base: CourseFacts, on: date) -> CourseFacts:
    """``base`` plus facts dated after ``on`` only: new records whose every date is later, and
    later dates in the blanks of existing records (an end, a dispensing, a review...)."""
    later = st.dates(on + timedelta(days=1), on + timedelta(days=400))
    extra = draw(facts(dates=later))

    def fill(value):
        return draw(later) if value is None else value

    e, c = base.enrollment, base.course
    return replace(
        base,
        course=replace(c, first_dose_on=fill(c.first_dose_on), last_dose_on=fill(c.last_dose_on)),
        risk_categories=base.risk_categories + extra.risk_categories,
        enrollment=replace(
            e,
            enrolled_on=fill(e.enrolled_on),
            consent_signed_on=fill(e.consent_signed_on),
            birth_defects_consent_signed_on=fill(e.birth_defects_consent_signed_on),
            counseled_on=fill(e.counseled_on),
        ),
        pregnancy_tests=base.pregnancy_tests + extra.pregnancy_tests,
        contraception=tuple(replace(m, ended_on=fill(m.ended_on)) for m in base.contraception) + extra.contraception,
        abstinence=tuple(replace(a, ended_on=fill(a.ended_on)) for a in base.abstinence) + extra.abstinence,
        medications=tuple(replace(m, stopped_on=fill(m.stopped_on)) for m in base.medications) + extra.medications,
        confirmations=tuple(
            replace(m, counseling_on=fill(m.counseling_on), comprehension_on=fill(m.comprehension_on))
            for m in base.confirmations
        )
        + extra.confirmations,
        prescriptions=base.prescriptions + extra.prescriptions,
        authorizations=tuple(
            replace(a, dispensed_on=fill(a.dispensed_on), reversed_on=fill(a.reversed_on)) for a in base.authorizations
        )
        + extra.authorizations,
        lab_reviews=tuple(replace(r, reviewed_on=fill(r.reviewed_on)) for r in base.lab_reviews) + extra.lab_reviews,
        labs_due=tuple(replace(lab, done_on=fill(lab.done_on)) for lab in base.labs_due),
    )


@st.composite
def plausible_courses(draw, slips: bool = True) -> CourseFacts:
    """Courses that follow the rules, with random slips unless ``slips`` is False (late
    pickups, wrong settings, mismatched methods, a positive test, a change of category), so
    that checklists reach every state: ready, open and missed windows, lockouts, treatment
    and after."""
    start = draw(st.dates(date(2026, 1, 1), date(2028, 1, 31)))
    mostly = st.sampled_from([True] * 9 + [False]) if slips else st.just(True)

    def jitter(day: date, low: int, high: int) -> date:
        return day + timedelta(days=draw(st.integers(low, high)))

    can = draw(mostly)
    category = RiskCategory.CAN_GET_PREGNANT if can else RiskCategory.CANNOT_GET_PREGNANT
    categories = [RiskAssignment(category, start)]
    if slips and draw(st.integers(0, 9)) == 0:
        other = RiskCategory.CANNOT_GET_PREGNANT if can else RiskCategory.CAN_GET_PREGNANT
        categories.append(RiskAssignment(other, jitter(start, 20, 150)))
    enrolled = start if draw(mostly) else None
    enrollment = Enrollment(enrolled, draw(mostly), enrolled, enrolled, enrolled, draw(mostly))

    since = jitter(start, -40, 10) if slips else jitter(start, -60, -31)
    choice = draw(st.integers(0, 3 if slips else 2))
    contraception, abstinence = (), ()
    if choice == 0:
        abstinence = (AbstinenceCommitment(since),)
    elif choice < 3:
        code, label, kind, hormonal = CATALOG[choice - 1]
        contraception = (
            ContraceptionMethod(code, label, kind, hormonal, since),
            ContraceptionMethod("male_condom", "Male condom", MethodKind.SECONDARY, False, since),
        )
    methods = ("abstinence",) if abstinence else tuple(m.method for m in contraception)

    def a_test(day: date) -> PregnancyTest:
        return PregnancyTest(
            day,
            TestResult.NEGATIVE if not slips or draw(st.integers(0, 30)) else TestResult.POSITIVE,
            draw(st.sampled_from([TestSetting.CLIA_LAB] * 4 + [TestSetting.OFFICE, TestSetting.HOME] * slips)),
            counts_as_valid=draw(mostly),
            resulted_on=jitter(day, 0, 1),
        )

    tests, confirmations, prescriptions, authorizations = [], [], [], []
    opened = jitter(start, 0, 5)
    if can:
        tests.append(replace(a_test(opened), setting=TestSetting.OFFICE))
        opened += timedelta(days=draw(st.sampled_from([30, 31, 33, 36] + [19, 25] * slips)))
    for n in range(draw(st.integers(0, 7))):
        if can:
            tests.append(a_test(opened))
        patient = methods if draw(mostly) else tuple(reversed(methods))
        confirmations.append(MonthlyConfirmation(jitter(opened, 0, 3), jitter(opened, 0, 5), methods, patient, opened))
        if draw(mostly):
            day = jitter(opened, 0, 8)
            supply = draw(st.sampled_from([30, 30, 28, 35]))
            prescriptions.append(Prescription(day, supply, draw(st.sampled_from([0, 0, 0, 1]))))
            authorizations.append(Authorization(f"R{n}", day, opened + timedelta(days=6), supply, day))
        opened = jitter(opened, 22, 38)
    first_dose = authorizations[0].dispensed_on if authorizations else None
    last_dose = jitter(opened, -10, 5) if authorizations and draw(mostly) else None
    return CourseFacts(
        course=CourseDates(start, first_dose, last_dose, jitter(start, 120, 200)),
        risk_categories=tuple(categories),
        enrollment=enrollment,
        pregnancy_tests=tuple(tests),
        contraception=contraception,
        abstinence=abstinence,
        medications=tuple(
            ConcomitantMedication("med", draw(st.sampled_from(Interaction)), jitter(start, -30, 90))
            for _ in range(draw(st.integers(0, 9)) // 8 if slips else 0)
        ),
        confirmations=tuple(confirmations),
        prescriptions=tuple(prescriptions),
        authorizations=tuple(authorizations),
        lab_reviews=tuple(
            LabResultReview(jitter(start, 0, 90), draw(st.none() | st.just(jitter(start, 90, 120))))
            for _ in range(draw(st.integers(0, 1)) if slips else 0)
        ),
    )


@st.composite
def course_and_day(draw, slips: bool = True):
    """Fully random facts on any day, or a plausible course on a day of its life (often
    inside one of its windows)."""
    if slips and draw(st.booleans()):
        return draw(facts()), draw(DATES)
    course = draw(plausible_courses(slips))
    if course.confirmations and draw(st.booleans()):
        # Inside a month's window, where checklists change every day.
        opened = draw(st.sampled_from(course.confirmations)).visit_on
        if draw(st.booleans()):  # nothing dispensed yet in this window
            course = replace(course, authorizations=tuple(a for a in course.authorizations if a.obtained_on < opened))
        return course, opened + timedelta(days=draw(st.integers(0, 8)))
    return course, course.course.planned_start_on + timedelta(days=draw(st.integers(-10, 300)))
