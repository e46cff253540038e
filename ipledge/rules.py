"""The iPLEDGE rules: for one course on one day, the month's checklist and whether the patient
is ready for a prescription. Pure functions over the dataclasses of ``ipledge.rule_facts``
(stdlib only, no Django, no database), fast enough for a sweep over thousands of courses
(about 0.1 ms a course: ``python -m benchmarks.rules_sweep``).

Public API:

- ``ipledge.rule_facts``: the input dataclasses (``CourseFacts`` and its parts) and
  ``RuleSettings`` (the clinic's choices, defaults from DOMAIN.md).
- here: ``checklist(facts, on, settings) -> Checklist`` (the items; ``ready_to_prescribe``:
  every item that gates the prescription is done; the rule set; the next due date; the last
  day of the open window; the supply), ``rule_set_for(on, settings)``,
  ``pickup_window(collected_on)``, ``may_dispense(authorization, day)`` and
  ``prescription_problems(prescription, window)`` for services, ``Code``/``Status``.
- ``ipledge.monthly_rules``: ``next_visit_window`` (the "due for a visit" list) and
  ``ipledge_entries`` (what to type on the iPLEDGE website this month).
- ``ipledge.calendar_rules``: ``calendar_events`` (the therapy calendar and its .ics file).

How the rules read DOMAIN.md and the public iPLEDGE material where they leave room (the
choices a clinic may want otherwise are ``RuleSettings``):

1. The rule set is chosen by the day of the check only (``rule_sets``) and applies to every
   fact, including ones dated before the switch. Checks before 13 Dec 2021 use the 2021 rules.
2. Windows are inclusive and count their first day as day 1: a test collected 2 Mar opens
   2-8 Mar. The 2021 30-day window of a patient who cannot get pregnant counts the visit as
   day 1 by default (last day visit + 29, the shorter reading, so Isotrack never promises a
   day iPLEDGE may refuse); ``WindowConvention.VISIT_PLUS_30`` gives visit + 30. It starts at
   ``MonthlyConfirmation.visit_on`` or, if absent, the counseling confirmation.
3. A window is used when an authorization inside it is recorded as dispensed; each
   dispensing starts a new month, which needs its own test (or, 2021, its own counseling for
   a patient who cannot get pregnant). The 19-day lockout (2021) applies to the first
   prescription only, counted from the test that opened the missed window; a missed window
   later in the course just needs a new test. Under the 2026 rules a new test may follow at
   once (in a medical setting before the first dose).
4. A test counts from the day its result is known (``resulted_on``); its window still counts
   from the collection day. The days between the two tests before treatment (setting) apply
   under both rule sets. Timing the confirmation test to the menstrual cycle (label advice) is
   not modelled.
5. A month's counseling, comprehension and methods count when dated inside that month's
   window (on or after the test: iPLEDGE takes them after the result is entered). The office's
   methods must equal the patient's, in order (iPLEDGE has a primary and a secondary slot),
   and name methods the chart shows in use; a mismatch blocks the month.
6. "One month" of contraception is a calendar month (31 Jan + 1 month = 28/29 Feb); the test
   after treatment counts from the last dose + ``post_treatment_test_days`` (30) on and is
   overdue ``post_treatment_test_grace_days`` (7) later.
7. Any positive test known on the day blocks the course whatever its setting or validity (an
   unverified positive home test still means: stop). A result entered in error is corrected
   in the labs app, never overridden here.
8. A patient who becomes able to get pregnant during a course qualifies again as before a
   first prescription (setting ``requalify_after_category_change``); one who no longer can
   follows the cannot-get-pregnant rules from the day of the change.
9. Home tests: tolerated during treatment under the 2021 rules (FDA enforcement discretion,
   setting), allowed during and after treatment under the 2026 rules (setting); never for the
   tests before treatment. Under the 2021 rules the confirmation and monthly tests need a
   CLIA-certified lab; an office holding a CLIA certificate says so in the settings.
10. Consent: the Patient Information / Informed Consent form for every patient, plus the
   Informed Consent About Birth Defects form for a patient who can get pregnant.
11. Dispensing problems (more than 30 days, refills, a prescription written before its
   window, a dispensing after the do-not-dispense-after date) are shown on their own items
   and never gate writing the next, correct prescription.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .after_treatment_rules import after_treatment_items, post_treatment_test_window
from .contraception_rules import methods_in_use
from .dispensing_rules import authorization_item, may_dispense, prescription_item, prescription_problems
from .pregnancy_rules import chart_methods, method_names, monthly_items, qualifying_items, visit_words
from .rule_context import Context, Phase, context
from .rule_dates import DateRange, days, fmt, pickup_window
from .rule_facts import (
    CourseFacts,
    Interaction,
    PregnancyTest,
    RiskCategory,
    RuleSettings,
    TestResult,
    WindowConvention,
)
from .rule_items import PREGNANCY_STEPS, TITLES, Code, Item, Status, count, make_item, sentence
from .rule_sets import SETTING_WORDS, RuleSet, rule_set_for

__all__ = [
    "DEFAULT_SETTINGS",
    "PREGNANCY_STEPS",
    "TITLES",
    "Checklist",
    "Code",
    "DateRange",
    "Item",
    "Phase",
    "RuleSet",
    "Status",
    "chart_methods",
    "checklist",
    "may_dispense",
    "method_names",
    "pickup_window",
    "post_treatment_test_window",
    "prescription_problems",
    "rule_set_for",
]

DEFAULT_SETTINGS = RuleSettings()


@dataclass(frozen=True, slots=True)
class Checklist:
    on: date
    rule_set: RuleSet
    category: RiskCategory | None
    phase: Phase
    items: tuple[Item, ...]
    ready_to_prescribe: bool
    next_due_on: date | None
    prescribe_by: date | None  # last day of the open prescription window (None: no window)
    supplied_through: date | None  # last day covered by what was dispensed

    def item(self, code: Code) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    @property
    def codes(self) -> tuple[Code, ...]:
        return tuple(i.code for i in self.items)

    @property
    def blocking_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.blocking)

    @property
    def completed(self) -> bool:
        """Treatment is over and nothing after it is left to do."""
        return self.phase is Phase.AFTER_TREATMENT and all(
            i.status in (Status.DONE, Status.NOT_APPLICABLE) for i in self.items
        )


def checklist(facts: CourseFacts, on: date, settings: RuleSettings = DEFAULT_SETTINGS) -> Checklist:
    ctx = context(facts, on, settings)
    items: list[Item] = []
    positive = _positive_test(ctx)
    if positive:
        items.append(_pregnancy(ctx, positive))
    if ctx.phase is Phase.AFTER_TREATMENT:
        items += after_treatment_items(ctx)
    else:
        items += _enrollment_gate(ctx)
        if ctx.qualification is not None:
            items += qualifying_items(ctx)
        elif ctx.can_get_pregnant:
            items += monthly_items(ctx)
        elif ctx.category is RiskCategory.CANNOT_GET_PREGNANT:
            items += _monthly_cannot_get_pregnant(ctx)
        items += _common(ctx)
    ready = ctx.phase is not Phase.AFTER_TREATMENT and ctx.category is not None and not any(i.blocking for i in items)
    window = ctx.window
    pending = [i.due_on for i in items if i.due_on and i.status not in (Status.DONE, Status.NOT_APPLICABLE)]
    if ready and window and window.end:
        pending.append(window.end)
    return Checklist(
        on=on,
        rule_set=ctx.policy.rule_set,
        category=ctx.category,
        phase=ctx.phase,
        items=tuple(items),
        ready_to_prescribe=ready,
        next_due_on=min(pending, default=None),
        prescribe_by=window.end if window else None,
        supplied_through=ctx.supplied_through,
    )


# --- pregnancy ------------------------------------------------------------------------------


def _positive_test(ctx: Context) -> PregnancyTest | None:
    positives = [t for t in ctx.facts.pregnancy_tests if t.result is TestResult.POSITIVE]
    return max(positives, key=lambda t: t.collected_on, default=None)


def _pregnancy(ctx: Context, test: PregnancyTest) -> Item:
    return make_item(
        ctx,
        Code.PREGNANCY,
        Status.BLOCKED,
        f"The pregnancy test collected {fmt(test.collected_on)} ({SETTING_WORDS[test.setting]}) is positive. "
        + " ".join(PREGNANCY_STEPS),
        due_on=test.collected_on,
        actions=PREGNANCY_STEPS,
    )


# --- enrollment gate --------------------------------------------------------------------------


def _enrollment_gate(ctx: Context) -> list[Item]:
    e = ctx.facts.enrollment
    items = [_risk_category(ctx)]

    missing = []
    if e.enrolled_on is None:
        missing.append("register the patient in iPLEDGE")
    if not e.patient_id_recorded:
        missing.append("record the iPLEDGE patient ID")
    if missing:
        items.append(make_item(ctx, Code.ENROLLMENT, Status.DUE, sentence(" and ".join(missing)), due_on=ctx.on))
    else:
        reason = f"Enrolled on {fmt(e.enrolled_on)}; patient ID recorded."
        items.append(make_item(ctx, Code.ENROLLMENT, Status.DONE, reason))

    forms = [("the Patient Information / Informed Consent form", e.consent_signed_on)]
    if ctx.can_get_pregnant:
        forms.append(("the Informed Consent About Birth Defects form", e.birth_defects_consent_signed_on))
    unsigned = [name for name, signed in forms if signed is None]
    if unsigned:
        reason = sentence("have the patient (and a parent or guardian for a minor) sign " + " and ".join(unsigned))
        items.append(make_item(ctx, Code.CONSENT, Status.DUE, reason, due_on=ctx.on))
    else:
        signed = "; ".join(f"{name.removeprefix('the ')} signed {fmt(day)}" for name, day in forms)
        items.append(make_item(ctx, Code.CONSENT, Status.DONE, sentence(signed)))

    if e.prescriber_certified:
        items.append(make_item(ctx, Code.PRESCRIBER_CERTIFIED, Status.DONE, "The prescriber is certified in iPLEDGE."))
    else:
        reason = "The prescriber must be registered and certified in iPLEDGE before prescribing."
        items.append(make_item(ctx, Code.PRESCRIBER_CERTIFIED, Status.DUE, reason, due_on=ctx.on))
    return items


def _risk_category(ctx: Context) -> Item:
    if ctx.category is None:
        reason = "No iPLEDGE risk category is recorded: the prescriber assigns one (can or cannot get pregnant)."
        return make_item(ctx, Code.RISK_CATEGORY, Status.DUE, reason, due_on=ctx.on)
    words = "Can get pregnant" if ctx.can_get_pregnant else "Cannot get pregnant"
    reason = f"{words} since {fmt(ctx.category_since)}."
    if ctx.qualification is not None and ctx.started_on and ctx.category_since > ctx.started_on:
        reason += (
            f" This changed after treatment began on {fmt(ctx.started_on)}: the patient qualifies again"
            " (two tests, a month of contraception) before the next prescription."
        )
    return make_item(ctx, Code.RISK_CATEGORY, Status.DONE, reason)


# --- cannot get pregnant ------------------------------------------------------------------------


def _monthly_cannot_get_pregnant(ctx: Context) -> list[Item]:
    code = Code.PICKUP_WINDOW
    title = "30-day prescription window"
    if not ctx.policy.cannot_get_pregnant_monthly:
        e = ctx.facts.enrollment
        if e.counseled_on:
            reason = f"Counseling confirmed at enrollment on {fmt(e.counseled_on)}."
            counseling = make_item(ctx, Code.ENROLLMENT_COUNSELING, Status.DONE, reason)
        else:
            reason = "Under the 2026 rules counseling is confirmed once, at enrollment: confirm it in iPLEDGE."
            counseling = make_item(ctx, Code.ENROLLMENT_COUNSELING, Status.DUE, reason, due_on=ctx.on)
        reason = (
            "Under the 2026 rules there is no pickup window for a patient who cannot get pregnant; "
            "the pharmacy reverses an authorization that is not picked up."
        )
        return [counseling, make_item(ctx, code, Status.NOT_APPLICABLE, reason, title=title)]

    cycle = ctx.cycle
    visit = cycle.visit
    visit_is_day_1 = ctx.settings.cannot_get_pregnant_window is WindowConvention.VISIT_IS_DAY_1
    counting = "the visit is day 1" if visit_is_day_1 else "the last day is the visit + 30 days"
    if cycle.window:
        day = cycle.opened_by.visit_on or cycle.opened_by.counseling_on
        counseling = make_item(
            ctx, Code.COUNSELING, Status.DONE, f"Confirmed in iPLEDGE on {fmt(cycle.opened_by.counseling_on)}."
        )
        reason = (
            f"Open {cycle.window}: the prescription must be picked up by {fmt(cycle.window.end)} "
            f"(30 days from the visit of {fmt(day)}; {counting})."
        )
        window = make_item(ctx, code, Status.DONE, reason, title=title, window=cycle.window, due_on=cycle.window.end)
    elif cycle.closed:
        reason = (
            f"The 30-day window ({cycle.closed}) closed without a pickup: confirm counseling again "
            "at a new visit to open a new one."
        )
        counseling = make_item(ctx, Code.COUNSELING, Status.OVERDUE, reason, due_on=cycle.closed.end + days(1))
        window = make_item(ctx, code, Status.OVERDUE, reason, title=title, window=cycle.closed, due_on=cycle.closed.end)
    else:
        status = Status.OVERDUE if visit.end and ctx.on > visit.end else Status.DUE
        reason = (
            "Under the 2021 rules the prescriber confirms counseling in iPLEDGE at every monthly visit "
            f"({visit_words(ctx, visit)})."
        )
        counseling = make_item(ctx, Code.COUNSELING, status, reason, due_on=visit.start, window=visit)
        reason = f"Opens at the visit where counseling is confirmed and lasts 30 days ({counting})."
        window = make_item(ctx, code, Status.DUE, reason, title=title, due_on=visit.start)
    return [counseling, window]


# --- every patient ---------------------------------------------------------------------------


def _common(ctx: Context) -> list[Item]:
    return [
        _labs_reviewed(ctx),
        _labs_due(ctx),
        *_interactions(ctx),
        prescription_item(ctx),
        authorization_item(ctx),
    ]


def _labs_reviewed(ctx: Context) -> Item:
    waiting = [r for r in ctx.facts.lab_reviews if r.reviewed_on is None]
    if not waiting:
        return make_item(ctx, Code.LABS_REVIEWED, Status.DONE, "No lab result is waiting for review.")
    abnormal = sum(r.abnormal for r in waiting)
    names = sorted({r.name for r in waiting if r.name})
    reason = f"{count(len(waiting), 'lab result')} ({abnormal} abnormal)"
    reason += f": {', '.join(names)}" if names else ""
    reason += " must be reviewed by a prescriber before the next prescription."
    return make_item(ctx, Code.LABS_REVIEWED, Status.DUE, reason, due_on=min(r.resulted_on for r in waiting))


def _labs_due(ctx: Context) -> Item:
    labs = ctx.facts.labs_due
    if not labs:
        return make_item(ctx, Code.LABS_DUE, Status.NOT_APPLICABLE, "No monitoring labs are scheduled.", blocks=False)
    open_ = sorted((lab for lab in labs if lab.done_on is None), key=lambda lab: lab.due_on)
    if not open_:
        return make_item(ctx, Code.LABS_DUE, Status.DONE, "All scheduled labs are done.")
    first = open_[0].due_on
    late = [lab for lab in open_ if lab.due_on < ctx.on]
    blocks = any(lab.blocks_prescribing and lab.due_on <= ctx.on for lab in open_)
    names = ", ".join(sorted({lab.name for lab in open_ if lab.due_on == first}))
    if late:
        late_names = ", ".join(sorted({lab.name for lab in late}))
        reason = f"Overdue since {fmt(late[0].due_on)}: {late_names}."
        return make_item(ctx, Code.LABS_DUE, Status.OVERDUE, reason, blocks=blocks, due_on=first)
    reason = f"Next due {fmt(first)}: {names}."
    if blocks:
        reason += " Needed before the prescription."
    return make_item(ctx, Code.LABS_DUE, Status.DUE, reason, blocks=blocks, due_on=first)


def _interactions(ctx: Context) -> list[Item]:
    on = ctx.on
    active = {kind: [] for kind in Interaction}
    for med in ctx.facts.medications:
        if med.stopped_on is None:  # as_of leaves a stop date only when it is before the check day
            active[med.interaction].append(med)

    def taking(meds) -> str:
        return " and ".join(f"{m.name} (since {fmt(m.started_on)})" for m in meds)

    items = []
    if tetracyclines := active[Interaction.TETRACYCLINE]:
        reason = (
            f"{taking(tetracyclines)} is a tetracycline antibiotic: it must be stopped before isotretinoin is "
            "prescribed (together they can raise the pressure around the brain, pseudotumor cerebri)."
        )
        items.append(make_item(ctx, Code.TETRACYCLINE, Status.BLOCKED, reason, due_on=on))
    else:
        items.append(make_item(ctx, Code.TETRACYCLINE, Status.DONE, "No tetracycline antibiotic is recorded."))
    if retinoids := active[Interaction.VITAMIN_A_RETINOID]:
        reason = (
            f"{taking(retinoids)}: vitamin A supplements and other retinoids add to isotretinoin's side effects "
            "and should be avoided; tell the prescriber."
        )
        items.append(make_item(ctx, Code.VITAMIN_A, Status.DUE, reason, blocks=False, due_on=on))
    else:
        reason = "No vitamin A supplement or other retinoid is recorded."
        items.append(make_item(ctx, Code.VITAMIN_A, Status.DONE, reason))
    hormonal = [m for m in methods_in_use(ctx.facts.contraception, on) if m.is_hormonal]
    if (wort := active[Interaction.ST_JOHNS_WORT]) and hormonal:
        reason = (
            f"{taking(wort)} can make hormonal contraception ({', '.join(m.label for m in hormonal)}) fail: "
            "tell the prescriber; stopping it or relying on another method may be needed."
        )
        items.append(make_item(ctx, Code.ST_JOHNS_WORT, Status.DUE, reason, blocks=False, due_on=on))
    else:
        items.append(make_item(ctx, Code.ST_JOHNS_WORT, Status.DONE, "No St John's wort with hormonal contraception."))
    return items
