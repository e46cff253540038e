"""What the facts of a course say on one day, worked out once for every rule that reads them.

``as_of`` is the single place where facts dated after the check day are dropped (or, for end
dates, read as "still going"): every rule reads only its result, so no checklist item can be
"done" on the strength of something that had not happened yet.

``context`` then derives what several items share: the risk category in force, the phase of
the course, what was dispensed and how long it lasts, the contraception coverage, and the
prescription cycle (the qualification before a first prescription, or this month's test or
visit and its window).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from .contraception_rules import Coverage, coverage
from .rule_dates import DateRange, add_months, day_n_window, days, fmt, pickup_window
from .rule_facts import (
    Authorization,
    CourseFacts,
    MonthlyConfirmation,
    PregnancyTest,
    RiskCategory,
    RuleSettings,
    TestResult,
    WindowConvention,
)
from .rule_sets import CANNOT_GET_PREGNANT_WINDOW_DAYS, SETTING_WORDS, Policy, policy_for, settings_words

_DAY = timedelta(days=1)


class Phase(StrEnum):
    NOT_STARTED = "not_started"
    ON_TREATMENT = "on_treatment"
    AFTER_TREATMENT = "after_treatment"


def _upto(value: date | None, on: date) -> date | None:
    return value if value is not None and value <= on else None


def _without_later(record, on: date, *fields: str):
    """``record`` with its ``fields`` dated after ``on`` blanked (the same object when none is):
    a dispensing, a review or the end of a method after the check day is not known on it."""
    later = {name: None for name in fields if (value := getattr(record, name)) is not None and value > on}
    return replace(record, **later) if later else record


def as_of(facts: CourseFacts, on: date) -> CourseFacts:
    """The facts as they stood at the end of ``on``."""
    tests = []
    for t in facts.pregnancy_tests:
        if t.collected_on <= on:
            tests.append(t if t.known_on <= on else replace(t, result=TestResult.PENDING, resulted_on=None))
    confirmations = []
    for m in facts.confirmations:
        counseling, comprehension = _upto(m.counseling_on, on), _upto(m.comprehension_on, on)
        if counseling or comprehension:
            confirmations.append(
                MonthlyConfirmation(
                    counseling_on=counseling,
                    comprehension_on=comprehension,
                    office_methods=m.office_methods if counseling else (),
                    patient_methods=m.patient_methods if comprehension else (),
                    visit_on=_upto(m.visit_on, on),
                )
            )
    authorizations = []
    for a in facts.authorizations:
        if a.obtained_on <= on:
            a = _without_later(a, on, "dispensed_on", "reversed_on")
            authorizations.append(a if a.reversed_on or not a.reversal_reason else replace(a, reversal_reason=""))
    return replace(
        facts,
        course=_without_later(facts.course, on, "first_dose_on", "last_dose_on"),
        risk_categories=tuple(r for r in facts.risk_categories if r.effective_on <= on),
        enrollment=_without_later(
            facts.enrollment, on, "enrolled_on", "consent_signed_on", "birth_defects_consent_signed_on", "counseled_on"
        ),
        pregnancy_tests=tuple(tests),
        # An end is the last day of use: one on the check day or later is not known yet (still in use).
        contraception=tuple(
            _without_later(m, on - _DAY, "ended_on") for m in facts.contraception if m.started_on <= on
        ),
        abstinence=tuple(_without_later(a, on - _DAY, "ended_on") for a in facts.abstinence if a.committed_on <= on),
        medications=tuple(_without_later(m, on - _DAY, "stopped_on") for m in facts.medications if m.started_on <= on),
        confirmations=tuple(confirmations),
        prescriptions=tuple(p for p in facts.prescriptions if p.written_on <= on),
        authorizations=tuple(authorizations),
        lab_reviews=tuple(_without_later(r, on, "reviewed_on") for r in facts.lab_reviews if r.resulted_on <= on),
        labs_due=tuple(_without_later(lab, on, "done_on") for lab in facts.labs_due),
    )


@dataclass(frozen=True, slots=True)
class Dispensing:
    day: date
    days_supply: int
    rma: str


def dispensings(authorizations: tuple[Authorization, ...]) -> list[Dispensing]:
    """Dispensed, not reversed (a reversal returns the medication to stock), by date."""
    done = [a for a in authorizations if a.dispensed_on is not None and a.reversed_on is None]
    return sorted((Dispensing(a.dispensed_on, a.days_supply, a.rma) for a in done), key=lambda d: d.day)


def supplied_through(supplies: list[tuple[date, int]]) -> date | None:
    """The last day covered by the supplies, an early pickup adding to what is left."""
    end: date | None = None
    for start, n in sorted(supplies):
        begin = start if end is None or end < start else end + days(1)
        end = begin + days(n - 1) if n > 0 else end
    return end


@dataclass(frozen=True, slots=True)
class Qualification:
    """Where a patient who can get pregnant stands before a first prescription (or before the
    next one after becoming able to get pregnant during the course)."""

    screening: PregnancyTest | None
    confirmation: PregnancyTest | None  # its window is open on the check day
    missed: PregnancyTest | None  # the last confirmation test whose window closed unused
    lockout_until: date | None  # 2021: no confirmation test before this day
    earliest_confirmation: date | None
    contraception_ready_on: date | None  # two methods for a month by then (None: not covered now)
    notes: tuple[str, ...]  # why tests did not count
    completed_on: date | None  # the first dispensing inside a confirmation window


@dataclass(frozen=True, slots=True)
class Cycle:
    """This month's prescription cycle once treatment runs: what opens the window, the window,
    and when the next window should open."""

    opened_by: PregnancyTest | MonthlyConfirmation | None
    window: DateRange | None  # open on the check day
    closed: DateRange | None  # the window of ``opened_by`` when it closed unused
    visit: DateRange | None  # when the visit (test, counseling) should happen
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Context:
    on: date
    settings: RuleSettings
    policy: Policy
    facts: CourseFacts  # as of ``on``
    category: RiskCategory | None
    category_since: date | None  # the first day of the current unbroken run of this category
    phase: Phase
    started_on: date | None
    dispensed: list[Dispensing]
    last_dispensed_on: date | None
    supplied_through: date | None
    coverage: Coverage
    qualification: Qualification | None  # can get pregnant, qualifying
    cycle: Cycle | None  # treatment running and the patient needs monthly steps

    @property
    def can_get_pregnant(self) -> bool:
        return self.category is RiskCategory.CAN_GET_PREGNANT

    @property
    def window(self) -> DateRange | None:
        """The prescription window open on the check day, if any."""
        if self.qualification is not None:
            q = self.qualification
            return pickup_window(q.confirmation.collected_on) if q.confirmation else None
        return self.cycle.window if self.cycle else None


def category_on(facts: CourseFacts) -> tuple[RiskCategory | None, date | None]:
    current: RiskCategory | None = None
    since: date | None = None
    for r in sorted(facts.risk_categories, key=lambda r: r.effective_on):
        if r.category is not current:
            current, since = r.category, r.effective_on
    return current, since


def context(facts: CourseFacts, on: date, settings: RuleSettings) -> Context:
    policy = policy_for(on, settings)
    known = as_of(facts, on)
    category, since = category_on(known)
    dispensed = dispensings(known.authorizations)
    starts = [d for d in (known.course.first_dose_on, dispensed[0].day if dispensed else None) if d]
    started_on = min(starts, default=None)
    if known.course.last_dose_on is not None:
        phase = Phase.AFTER_TREATMENT
    else:
        phase = Phase.ON_TREATMENT if started_on else Phase.NOT_STARTED
    # Without dispensing records, a running course's supply is read from its prescriptions.
    supplies = [(d.day, d.days_supply) for d in dispensed]
    if not supplies and started_on:
        supplies = [(p.written_on, p.days_supply) for p in known.prescriptions]
    cover = coverage(known.contraception, known.abstinence, on)

    qualification = None
    last_dispensed_on = dispensed[-1].day if dispensed else known.course.first_dose_on
    if category is RiskCategory.CAN_GET_PREGNANT and phase is not Phase.AFTER_TREATMENT:
        if phase is Phase.NOT_STARTED:
            qualification = _qualification(known, on, settings, policy, cover, None, dispensed)
        elif settings.requalify_after_category_change and since and started_on and since > started_on:
            qualification = _qualification(known, on, settings, policy, cover, since, dispensed)
            if qualification.completed_on is not None:
                qualification = None
    base = Context(
        on=on,
        settings=settings,
        policy=policy,
        facts=known,
        category=category,
        category_since=since,
        phase=phase,
        started_on=started_on,
        dispensed=dispensed,
        last_dispensed_on=last_dispensed_on,
        supplied_through=supplied_through(supplies),
        coverage=cover,
        qualification=qualification,
        cycle=None,
    )
    if phase is not Phase.AFTER_TREATMENT and qualification is None and category is not None:
        return replace(base, cycle=_cycle(base))
    return base


def _qualification(
    facts: CourseFacts,
    on: date,
    settings: RuleSettings,
    policy: Policy,
    cover: Coverage,
    qualify_from: date | None,
    dispensed: list[Dispensing],
) -> Qualification:
    """Walk the tests in date order: the screening test, then confirmation tests, each opening a
    7-day window; a window that closes without a dispensing is missed (2021: the next
    confirmation test must wait 19 days from the test that opened it)."""
    tests = sorted(
        (t for t in facts.pregnancy_tests if qualify_from is None or t.collected_on >= qualify_from),
        key=lambda t: t.collected_on,
    )
    notes: list[str] = []
    screening = None
    for t in tests:
        if t.result is TestResult.NEGATIVE and t.counts_as_valid and t.setting in policy.screening_settings:
            screening = t
            break
        notes.append(why_not_counted(t, policy.screening_settings, "before treatment"))
    ready_on = _contraception_ready_on(cover, on)
    if screening is None:
        return Qualification(None, None, None, None, None, ready_on, tuple(notes), None)

    interval = settings.days_between_pretreatment_tests
    not_before = screening.collected_on + days(interval)
    current: PregnancyTest | None = None
    missed: PregnancyTest | None = None
    lockout_until: date | None = None

    def used(test: PregnancyTest) -> date | None:
        window = pickup_window(test.collected_on)
        return next((d.day for d in dispensed if d.day in window and d.day >= test.collected_on), None)

    def close(test: PregnancyTest) -> None:
        nonlocal missed, lockout_until
        missed = test
        if policy.lockout_days:
            lockout_until = test.collected_on + days(policy.lockout_days)

    for t in tests:
        if t.collected_on <= screening.collected_on:
            continue
        if current is not None and t.collected_on > current.collected_on + days(6):
            if (day := used(current)) is not None:
                return Qualification(screening, current, missed, lockout_until, None, ready_on, tuple(notes), day)
            close(current)
            current = None
        problem = why_not_counted(t, policy.confirmation_settings, "as the confirmation test")
        if not problem and t.collected_on < not_before:
            problem = (
                f"The test of {fmt(t.collected_on)} came {(t.collected_on - screening.collected_on).days} days "
                f"after the screening test; the confirmation test needs at least {interval}."
            )
        if not problem and lockout_until and t.collected_on < lockout_until:
            problem = (
                f"The test of {fmt(t.collected_on)} fell inside the {policy.lockout_days}-day wait "
                f"after the missed window (until {fmt(lockout_until)})."
            )
        if not problem:
            since = cover.covered_since(t.collected_on)
            if since is None or add_months(since, 1) > t.collected_on:
                problem = f"On {fmt(t.collected_on)} two methods of contraception had not been used for a month yet" + (
                    f" (only since {fmt(since)})." if since else "."
                )
        if problem:
            notes.append(problem)
        else:
            current = t
    if current is not None:
        if (day := used(current)) is not None:
            return Qualification(screening, current, missed, lockout_until, None, ready_on, tuple(notes), day)
        if current.collected_on + days(6) < on:
            close(current)
            current = None
    earliest = None
    if current is None:
        candidates = [not_before, lockout_until, ready_on]
        earliest = max(d for d in candidates if d is not None)
    return Qualification(screening, current, missed, lockout_until, earliest, ready_on, tuple(notes), None)


def _contraception_ready_on(cover: Coverage, on: date) -> date | None:
    since = cover.covered_since(on)
    return add_months(since, 1) if since else None


def why_not_counted(test: PregnancyTest, allowed, purpose: str) -> str:
    """Why a test does not count for ``purpose`` (empty when it does)."""
    when = fmt(test.collected_on)
    if test.result is TestResult.PENDING:
        return f"The result of the test of {when} is not in yet."
    if test.result is TestResult.POSITIVE:
        return f"The test of {when} was positive."
    if not test.counts_as_valid:
        return f"The test of {when} does not count (test sensitivity, or a home test not verified)."
    if test.setting not in allowed:
        where = settings_words(allowed)
        return f"The test of {when} was done {SETTING_WORDS[test.setting]}; {purpose} it must be done {where}."
    return ""


def _cycle(ctx: Context) -> Cycle:
    """This month's cycle: after the last dispensing, a new negative test (can get pregnant) or,
    under the 2021 rules, a new counseling confirmation (cannot get pregnant) opens the window."""
    after = ctx.last_dispensed_on
    visit = _visit_window(ctx)
    if ctx.can_get_pregnant:
        notes: list[str] = []
        opened_by = None
        for t in sorted(ctx.facts.pregnancy_tests, key=lambda t: t.collected_on):
            if after is not None and t.collected_on <= after:
                continue
            problem = why_not_counted(t, ctx.policy.treatment_settings, "during treatment")
            if problem:
                notes.append(problem)
            else:
                opened_by = t
        window = pickup_window(opened_by.collected_on) if opened_by else None
        return _open_or_closed(ctx.on, opened_by, window, visit, tuple(notes))
    if ctx.policy.cannot_get_pregnant_monthly:
        visits = [m for m in ctx.facts.confirmations if m.counseling_on and (after is None or _visit_day(m) > after)]
        opened = max(visits, key=_visit_day, default=None)
        window = cannot_get_pregnant_window(_visit_day(opened), ctx.settings) if opened else None
        return _open_or_closed(ctx.on, opened, window, visit, ())
    return Cycle(None, None, None, visit, ())


def _open_or_closed(on, opened_by, window, visit, notes) -> Cycle:
    if window is not None and on in window:
        return Cycle(opened_by, window, None, visit, notes)
    return Cycle(opened_by, None, window, visit, notes)


def _visit_day(m: MonthlyConfirmation) -> date:
    return m.visit_on or m.counseling_on


def cannot_get_pregnant_window(visit_on: date, settings: RuleSettings) -> DateRange:
    """2021 rules: pickup within 30 days of the office visit, counted as the settings say."""
    if settings.cannot_get_pregnant_window is WindowConvention.VISIT_PLUS_30:
        return DateRange(visit_on, visit_on + days(CANNOT_GET_PREGNANT_WINDOW_DAYS))
    return day_n_window(visit_on, CANNOT_GET_PREGNANT_WINDOW_DAYS)


def _visit_window(ctx: Context) -> DateRange | None:
    """When the monthly visit should fall so the new window covers the day the supply runs out:
    the ``visit_window_days`` days ending on that day, and never before the last dispensing."""
    if ctx.phase is Phase.NOT_STARTED or ctx.supplied_through is None:
        return DateRange(ctx.on, None)
    needed_on = ctx.supplied_through + days(1)
    start = needed_on - days(ctx.settings.visit_window_days - 1)
    if ctx.last_dispensed_on is not None:
        start = max(start, ctx.last_dispensed_on + days(1))
    return DateRange(min(start, needed_on), needed_on)
