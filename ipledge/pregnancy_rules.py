"""Checklist items for a patient who can get pregnant: qualifying before the first prescription
(two tests, a month of contraception, the 7-day window, a missed first window) and every month
(the test, the window, contraception, counseling, comprehension, matching methods)."""

from __future__ import annotations

from datetime import date

from .contraception_rules import abstinence_in_force, methods_in_use
from .rule_context import Context
from .rule_dates import DateRange, days, fmt, pickup_window
from .rule_facts import (
    ABSTINENCE,
    CourseFacts,
    MethodKind,
    MonthlyConfirmation,
)
from .rule_items import Code, Item, Status, join, make_item, sentence
from .rule_sets import SETTING_WORDS, settings_words

# --- can get pregnant: before the first prescription --------------------------------------------


def qualifying_items(ctx: Context) -> list[Item]:
    q = ctx.qualification
    policy = ctx.policy
    interval = ctx.settings.days_between_pretreatment_tests
    notes = " ".join(q.notes)
    items = []

    if q.screening:
        reason = f"Negative test collected {fmt(q.screening.collected_on)} {SETTING_WORDS[q.screening.setting]}."
        items.append(make_item(ctx, Code.SCREENING_TEST, Status.DONE, reason))
    else:
        reason = join(
            f"Collect a screening pregnancy test {settings_words(policy.screening_settings)}"
            " when the decision to treat is made.",
            notes,
        )
        items.append(make_item(ctx, Code.SCREENING_TEST, Status.DUE, reason, due_on=ctx.on))

    requirement = (
        f"at least {interval} days after the screening test, {settings_words(policy.confirmation_settings)}, "
        "after a month of two methods of contraception"
    )
    if q.confirmation:
        gap = (q.confirmation.collected_on - q.screening.collected_on).days
        reason = (
            f"Negative test collected {fmt(q.confirmation.collected_on)} "
            f"{SETTING_WORDS[q.confirmation.setting]}, {gap} days after the screening test."
        )
        items.append(make_item(ctx, Code.CONFIRMATION_TEST, Status.DONE, reason))
    elif q.screening is None:
        reason = sentence(f"after the screening test: {requirement}")
        items.append(make_item(ctx, Code.CONFIRMATION_TEST, Status.DUE, reason))
    else:
        why = [f"{interval} days after the screening test of {fmt(q.screening.collected_on)}"]
        if q.contraception_ready_on:
            since = ctx.coverage.covered_since(ctx.on)
            why.append(f"after a month of two methods, in use since {fmt(since)}")
        if q.lockout_until:
            why.append(f"the end of the {policy.lockout_days}-day wait after the missed window")
        reason = f"Collect {settings_words(policy.confirmation_settings)} from {fmt(q.earliest_confirmation)} ("
        reason += "; ".join(why) + ")."
        if not q.contraception_ready_on:
            reason += " Two methods of contraception are not in use yet: it must follow a month of them."
        reason = join(reason, notes)
        items.append(make_item(ctx, Code.CONFIRMATION_TEST, Status.DUE, reason, due_on=q.earliest_confirmation))

    items.append(_contraception_month_before(ctx))
    items.append(_missed_first_window(ctx))
    items.append(_pickup_window_can_get_pregnant(ctx, q.earliest_confirmation))
    items.append(_contraception_in_use(ctx))
    items += _month_confirmations(ctx, q.earliest_confirmation)
    return items


def _contraception_month_before(ctx: Context) -> Item:
    q = ctx.qualification
    code = Code.CONTRACEPTION_MONTH_BEFORE
    if q.confirmation:
        since = ctx.coverage.covered_since(q.confirmation.collected_on)
        reason = f"Two methods in use since {fmt(since)}, a month or more before the confirmation test."
        return make_item(ctx, code, Status.DONE, reason)
    if q.contraception_ready_on is None:
        reason = (
            "Start two methods (at least one primary) or record a commitment to abstinence: "
            "the confirmation test can be collected one month later."
        )
        return make_item(ctx, code, Status.DUE, reason, due_on=ctx.on)
    since = ctx.coverage.covered_since(ctx.on)
    if q.contraception_ready_on <= ctx.on:
        reason = f"Two methods in use since {fmt(since)}: a month by {fmt(q.contraception_ready_on)}."
        return make_item(ctx, code, Status.DONE, reason)
    reason = f"Two methods in use since {fmt(since)}: a month is reached on {fmt(q.contraception_ready_on)}."
    return make_item(ctx, code, Status.DUE, reason, due_on=q.contraception_ready_on)


def _missed_first_window(ctx: Context) -> Item:
    q, policy = ctx.qualification, ctx.policy
    code = Code.MISSED_FIRST_WINDOW
    if q.missed is None:
        return make_item(ctx, code, Status.NOT_APPLICABLE, "No missed window.")
    missed = pickup_window(q.missed.collected_on)
    what = (
        f"The first prescription was not picked up in the window of the test of "
        f"{fmt(q.missed.collected_on)} ({missed})."
    )
    if q.confirmation:
        reason = f"{what} The new confirmation test of {fmt(q.confirmation.collected_on)} opened a new window."
        return make_item(ctx, code, Status.DONE, reason)
    where = settings_words(policy.confirmation_settings)
    if q.lockout_until is None:
        reason = f"{what} Under the 2026 rules a new test can be collected at once, {where}."
        return make_item(ctx, code, Status.DUE, reason, due_on=missed.end + days(1))
    wait = (
        f"{what} Under the 2021 rules the next confirmation test can be collected no earlier than "
        f"{fmt(q.lockout_until)} ({policy.lockout_days} days after {fmt(q.missed.collected_on)})"
    )
    if ctx.on < q.lockout_until:
        return make_item(
            ctx, code, Status.BLOCKED, wait + ".", due_on=q.lockout_until, window=DateRange(q.lockout_until, None)
        )
    return make_item(ctx, code, Status.DUE, f"{wait}: collect it now, {where}.", due_on=q.lockout_until)


def _pickup_window_can_get_pregnant(ctx: Context, next_test_on: date | None) -> Item:
    window = ctx.window
    if window:
        start = window.start
        reason = (
            f"Open {window}: write the prescription and have it picked up by {fmt(window.end)} "
            f"(day 1 is {fmt(start)}, the day the specimen was collected)."
        )
        return make_item(ctx, Code.PICKUP_WINDOW, Status.DONE, reason, window=window, due_on=window.end)
    cycle = ctx.cycle
    if cycle and cycle.closed:
        reason = f"The window of {cycle.closed} closed without a pickup: a new negative test opens a new window."
        return make_item(ctx, Code.PICKUP_WINDOW, Status.OVERDUE, reason, due_on=cycle.closed.end, window=cycle.closed)
    reason = "Opens on the day the next negative pregnancy test is collected and lasts 7 days."
    return make_item(ctx, Code.PICKUP_WINDOW, Status.DUE, reason, due_on=next_test_on)


# --- can get pregnant: every month ---------------------------------------------------------------


def monthly_items(ctx: Context) -> list[Item]:
    cycle = ctx.cycle
    visit = cycle.visit
    notes = " ".join(cycle.notes)
    where = settings_words(ctx.policy.treatment_settings)
    if cycle.window:
        t = cycle.opened_by
        reason = f"Negative test collected {fmt(t.collected_on)} {SETTING_WORDS[t.setting]}."
        test = make_item(ctx, Code.MONTHLY_TEST, Status.DONE, reason)
    elif cycle.closed:
        reason = join(
            f"The test of {fmt(cycle.closed.start)} was not followed by a pickup by {fmt(cycle.closed.end)}: "
            f"collect a new test {where}.",
            notes,
        )
        test = make_item(ctx, Code.MONTHLY_TEST, Status.OVERDUE, reason, due_on=cycle.closed.end + days(1))
    else:
        status = Status.OVERDUE if visit.end and ctx.on > visit.end else Status.DUE
        reason = f"Collect a negative test {where} ({visit_words(ctx, visit)})."
        test = make_item(ctx, Code.MONTHLY_TEST, status, join(reason, notes), due_on=visit.start, window=visit)
    return [
        test,
        _pickup_window_can_get_pregnant(ctx, visit.start),
        _contraception_in_use(ctx),
        *_month_confirmations(ctx, visit.start),
    ]


def visit_words(ctx: Context, visit: DateRange) -> str:
    """When this month's visit falls, for reasons: ``due now``, or its days and why."""
    if visit.end is None:
        return "due now"
    supply = fmt(ctx.supplied_through) if ctx.supplied_through else None
    if ctx.on > visit.end:
        return f"the visit was due by {fmt(visit.end)}" + (f"; the supply ran out after {supply}" if supply else "")
    words = f"visit between {fmt(visit.start)} and {fmt(visit.end)}"
    return words + (f", before the supply runs out after {supply}" if supply else "")


def _contraception_in_use(ctx: Context) -> Item:
    facts, on = ctx.facts, ctx.on
    abstinence = abstinence_in_force(facts.abstinence, on)
    methods = methods_in_use(facts.contraception, on)
    code = Code.CONTRACEPTION_IN_USE
    if ctx.coverage.covered_on(on):
        if abstinence:
            return make_item(ctx, code, Status.DONE, f"Commitment to abstinence since {fmt(abstinence.committed_on)}.")
        listed = " and ".join(f"{m.label} ({m.kind.value}) since {fmt(m.started_on)}" for m in methods)
        return make_item(ctx, code, Status.DONE, sentence(listed))
    now = ", ".join(f"{m.label} ({m.kind.value})" for m in methods) or "none"
    reason = (
        f"Two methods at once, at least one primary, or a commitment to abstinence are required. In use now: {now}."
    )
    if any(m.kind is MethodKind.UNACCEPTABLE and m.ended_on is None for m in facts.contraception):  # in use
        reason += " A progestin-only pill is not an acceptable method."
    return make_item(ctx, code, Status.DUE, reason, due_on=on)


def _month_confirmations(ctx: Context, next_window_on: date | None) -> list[Item]:
    """Counseling, comprehension and matching methods, each dated inside this month's window."""
    window = ctx.window
    if window is None:
        after = "after this month's negative test, inside its 7-day window"
        return [
            make_item(ctx, Code.COUNSELING, Status.DUE, f"The prescriber confirms counseling in iPLEDGE {after}.",
                  due_on=next_window_on),
            make_item(ctx, Code.COMPREHENSION, Status.DUE,
                  f"The patient answers the comprehension questions on iPLEDGE {after}.", due_on=next_window_on),
            make_item(ctx, Code.METHODS_MATCH, Status.DUE,
                  "The two methods the office enters and the two the patient confirms must be the same, in order.",
                  due_on=next_window_on),
        ]  # fmt: skip
    in_window = [m for m in ctx.facts.confirmations if _dated_in(m.counseling_on, window)]
    answered = [m for m in ctx.facts.confirmations if _dated_in(m.comprehension_on, window)]
    items = []
    if in_window:
        day = max(m.counseling_on for m in in_window)
        items.append(make_item(ctx, Code.COUNSELING, Status.DONE, f"Confirmed in iPLEDGE on {fmt(day)}."))
    else:
        reason = f"The prescriber confirms counseling in iPLEDGE by {fmt(window.end)} (inside the window {window})."
        items.append(make_item(ctx, Code.COUNSELING, Status.DUE, reason, due_on=window.end))
    if answered:
        day = max(m.comprehension_on for m in answered)
        items.append(make_item(ctx, Code.COMPREHENSION, Status.DONE, f"Answered on iPLEDGE on {fmt(day)}."))
    else:
        reason = f"The patient answers the comprehension questions on iPLEDGE by {fmt(window.end)}."
        items.append(make_item(ctx, Code.COMPREHENSION, Status.DUE, reason, due_on=window.end))
    items.append(_methods_match(ctx, window, in_window, answered))
    return items


def _dated_in(day: date | None, window: DateRange) -> bool:
    return day is not None and day in window


def _methods_match(
    ctx: Context, window: DateRange, entered: list[MonthlyConfirmation], confirmed: list[MonthlyConfirmation]
) -> Item:
    code = Code.METHODS_MATCH
    office = _latest_methods(entered, lambda m: (m.counseling_on, m.office_methods))
    patient = _latest_methods(confirmed, lambda m: (m.comprehension_on, m.patient_methods))
    chart = chart_methods(ctx.facts, ctx.on)
    names = method_names(ctx.facts)

    def said(codes) -> str:
        return " + ".join(names.get(c, c) for c in codes) or "nothing"

    if not office:
        expected = said(chart[0]) if chart else "none in the chart"
        reason = f"Enter the methods in iPLEDGE by {fmt(window.end)}: {expected}."
        return make_item(ctx, code, Status.DUE, reason, due_on=window.end)
    if not patient:
        reason = (
            f"The office entered {said(office)}; the patient confirms the same methods on iPLEDGE by {fmt(window.end)}."
        )
        return make_item(ctx, code, Status.DUE, reason, due_on=window.end)
    if office != patient:
        reason = (
            f"The office entered {said(office)} but the patient confirmed {said(patient)}. iPLEDGE blocks the "
            "patient this month until both entries are the same, in the same order: correct the wrong one."
        )
        return make_item(ctx, code, Status.BLOCKED, reason, due_on=window.end)
    if chart and not agrees_with_chart(office, ctx.facts, ctx.on):
        reason = (
            f"iPLEDGE has {said(office)} but the chart shows {said(chart[0])}: "
            "correct the chart or the iPLEDGE entries so they agree."
        )
        return make_item(ctx, code, Status.DUE, reason, due_on=window.end)
    return make_item(ctx, code, Status.DONE, f"The office and the patient both entered {said(office)}.")


def _latest_methods(records, key) -> tuple[str, ...]:
    dated = [key(m) for m in records if key(m)[1]]
    return max(dated, key=lambda pair: pair[0])[1] if dated else ()


def chart_methods(facts: CourseFacts, on: date) -> list[tuple[str, ...]]:
    """What the chart says iPLEDGE should show on ``on``, as the acceptable entries (abstinence,
    and/or the two methods in iPLEDGE order). Empty when the patient is not covered."""
    options = []
    if abstinence_in_force(facts.abstinence, on):
        options.append((ABSTINENCE,))
    methods = methods_in_use(facts.contraception, on)
    if len(methods) >= 2 and methods[0].kind is MethodKind.PRIMARY:
        options.append((methods[0].method, methods[1].method))
    return options


def agrees_with_chart(codes: tuple[str, ...], facts: CourseFacts, on: date) -> bool:
    """Whether iPLEDGE entries name methods the chart shows in use on ``on``: abstinence alone,
    or two different methods in use, one of them primary (any such pair when more are in use)."""
    if codes == (ABSTINENCE,):
        return abstinence_in_force(facts.abstinence, on) is not None
    in_use = {m.method: m for m in methods_in_use(facts.contraception, on)}
    return (
        len(codes) == 2
        and codes[0] != codes[1]
        and all(code in in_use for code in codes)
        and any(in_use[code].kind is MethodKind.PRIMARY for code in codes)
    )


def method_names(facts: CourseFacts) -> dict[str, str]:
    names = {m.method: m.label for m in facts.contraception}
    names[ABSTINENCE] = "Abstinence"
    return names
