"""For the front desk and the iPLEDGE data entry: when the next visit should fall, and exactly
what staff and the patient must enter on the iPLEDGE website this month. Pure, like
``ipledge.rules``, whose checklist these read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .after_treatment_rules import post_treatment_test_window
from .pregnancy_rules import agrees_with_chart, chart_methods, method_names
from .rule_context import Context, Phase, context
from .rule_dates import DateRange, fmt
from .rule_facts import ABSTINENCE, CourseFacts, RiskCategory, RuleSettings
from .rule_items import Code, Status
from .rule_sets import RuleSet, settings_words
from .rules import DEFAULT_SETTINGS, checklist


class VisitPurpose(StrEnum):
    FIRST_VISIT = "first_visit"  # category, enrollment, screening test or first prescription
    CONFIRMATION_TEST = "confirmation_test"
    PRESCRIPTION = "prescription"  # a window is open: prescribe before it closes
    MONTHLY_VISIT = "monthly_visit"
    POST_TREATMENT_TEST = "post_treatment_test"


@dataclass(frozen=True, slots=True)
class VisitWindow:
    purpose: VisitPurpose
    start: date
    end: date | None  # None: any day from ``start``
    reason: str

    def overdue_on(self, on: date) -> bool:
        return self.end is not None and on > self.end


def next_visit_window(facts: CourseFacts, on: date, settings: RuleSettings = DEFAULT_SETTINGS) -> VisitWindow | None:
    """When the patient should next come in; None when nothing more is needed."""
    ctx = context(facts, on, settings)
    if ctx.phase is Phase.AFTER_TREATMENT:
        return _after_treatment_visit(ctx)
    window = ctx.window
    if window is not None:
        reason = f"A prescription window is open until {fmt(window.end)}: prescribe and dispense before it closes."
        return VisitWindow(VisitPurpose.PRESCRIPTION, on, window.end, reason)
    q = ctx.qualification
    if q is not None and q.screening is not None:
        reason = (
            f"Confirmation pregnancy test {settings_words(ctx.policy.confirmation_settings)}, "
            f"from {fmt(q.earliest_confirmation)}."
        )
        return VisitWindow(VisitPurpose.CONFIRMATION_TEST, q.earliest_confirmation, None, reason)
    if ctx.phase is Phase.NOT_STARTED or ctx.cycle is None:
        reason = "First visit: enrollment, consent" + (
            ", screening pregnancy test." if ctx.can_get_pregnant else " and the first prescription."
        )
        return VisitWindow(VisitPurpose.FIRST_VISIT, on, None, reason)
    visit = ctx.cycle.visit
    what = "pregnancy test and prescription" if ctx.can_get_pregnant else "prescription"
    reason = f"Monthly visit ({what})"
    if visit.end is not None and ctx.supplied_through:
        reason += f" before the supply runs out after {fmt(ctx.supplied_through)}"
    return VisitWindow(VisitPurpose.MONTHLY_VISIT, visit.start, visit.end, reason + ".")


def _after_treatment_visit(ctx: Context) -> VisitWindow | None:
    if not ctx.can_get_pregnant:
        return None
    done = checklist(ctx.facts, ctx.on, ctx.settings).item(Code.POST_TREATMENT_TEST).status is Status.DONE
    if done:
        return None
    window = post_treatment_test_window(ctx.facts.course.last_dose_on, ctx.settings)
    reason = f"Pregnancy test {ctx.settings.post_treatment_test_days} days after the last dose."
    return VisitWindow(VisitPurpose.POST_TREATMENT_TEST, window.start, window.end, reason)


class EntryCode(StrEnum):
    PREGNANCY_TEST = "pregnancy_test"
    PRIMARY_METHOD = "primary_method"
    SECONDARY_METHOD = "secondary_method"
    COUNSELING = "counseling"
    COMPREHENSION = "comprehension"
    ENROLLMENT_COUNSELING = "enrollment_counseling"


class EnteredBy(StrEnum):
    OFFICE = "office"  # the prescriber or a designee
    PATIENT = "patient"


@dataclass(frozen=True, slots=True)
class IpledgeEntry:
    code: EntryCode
    entered_by: EnteredBy
    label: str
    value: str  # exactly what to type or choose, in words
    day: date | None = None  # the test's collection date, for the test entry
    method: str | None = None  # the method code, for the method entries
    done_on: date | None = None  # when the records show it entered this month


@dataclass(frozen=True, slots=True)
class IpledgeEntries:
    on: date
    rule_set: RuleSet
    category: RiskCategory | None
    window: DateRange | None  # the entries must all fall in this window
    entries: tuple[IpledgeEntry, ...]
    mismatch: str | None  # the office's and the patient's methods differ: blocks the month


def ipledge_entries(facts: CourseFacts, on: date, settings: RuleSettings = DEFAULT_SETTINGS) -> IpledgeEntries:
    """This month's entries on the iPLEDGE website, in the order they are made."""
    ctx = context(facts, on, settings)
    entries: list[IpledgeEntry] = []
    mismatch = None
    if ctx.phase is not Phase.AFTER_TREATMENT and ctx.category is not None:
        if ctx.can_get_pregnant:
            entries = _can_get_pregnant_entries(ctx)
            match = checklist(facts, on, settings).item(Code.METHODS_MATCH)
            mismatch = match.reason if match.status is Status.BLOCKED else None
        elif ctx.policy.cannot_get_pregnant_monthly:
            opened = ctx.cycle.opened_by if ctx.cycle and ctx.cycle.window else None
            done_on = opened.counseling_on if opened else None
            value = "Confirm counseling (monthly)"
            entries = [IpledgeEntry(EntryCode.COUNSELING, EnteredBy.OFFICE, "Counseling", value, done_on=done_on)]
        elif ctx.facts.enrollment.counseled_on is None:
            value = "Confirm counseling (once, at enrollment)"
            entries = [IpledgeEntry(EntryCode.ENROLLMENT_COUNSELING, EnteredBy.OFFICE, "Counseling", value)]
    return IpledgeEntries(on, ctx.policy.rule_set, ctx.category, ctx.window, tuple(entries), mismatch)


def _can_get_pregnant_entries(ctx: Context) -> list[IpledgeEntry]:
    window = ctx.window
    test = None
    if window is not None:
        q = ctx.qualification
        test = q.confirmation if q is not None else ctx.cycle.opened_by
    entries = []
    if test is not None:
        value = f"Specimen collected {fmt(test.collected_on)}; result negative"
        day = test.collected_on
        entries.append(IpledgeEntry(EntryCode.PREGNANCY_TEST, EnteredBy.OFFICE, "Pregnancy test", value, day=day))
    else:
        value = "No negative test in an open window yet: collect this month's test first"
        entries.append(IpledgeEntry(EntryCode.PREGNANCY_TEST, EnteredBy.OFFICE, "Pregnancy test", value))

    confirmations = [m for m in ctx.facts.confirmations if window and m.counseling_on and m.counseling_on in window]
    answered = [m for m in ctx.facts.confirmations if window and m.comprehension_on and m.comprehension_on in window]
    counseled_on = max((m.counseling_on for m in confirmations), default=None)
    answered_on = max((m.comprehension_on for m in answered), default=None)
    entered = max(((m.counseling_on, m.office_methods) for m in confirmations if m.office_methods), default=None)

    options = chart_methods(ctx.facts, ctx.on)
    names = method_names(ctx.facts)
    if not options:
        value = "The chart shows no two methods (or abstinence) in use: record them first"
        entries.append(IpledgeEntry(EntryCode.PRIMARY_METHOD, EnteredBy.OFFICE, "Primary method", value))
    else:
        # What the office entered when the chart agrees (one of several valid pairs), else the chart's.
        chosen = entered[1] if entered and agrees_with_chart(entered[1], ctx.facts, ctx.on) else options[0]
        slots = [(EntryCode.PRIMARY_METHOD, "Primary method"), (EntryCode.SECONDARY_METHOD, "Secondary method")]
        for (code, label), method in zip(slots, chosen, strict=False):
            done_on = entered[0] if entered and entered[1] == chosen else None
            value = names.get(method, method) + (" (the only entry)" if method == ABSTINENCE else "")
            entries.append(IpledgeEntry(code, EnteredBy.OFFICE, label, value, method=method, done_on=done_on))
    entries.append(
        IpledgeEntry(EntryCode.COUNSELING, EnteredBy.OFFICE, "Counseling", "Confirm counseling", done_on=counseled_on)
    )
    entries.append(
        IpledgeEntry(
            EntryCode.COMPREHENSION,
            EnteredBy.PATIENT,
            "Comprehension questions",
            "The patient answers the questions and confirms the same methods, in the same order",
            done_on=answered_on,
        )
    )
    return entries
