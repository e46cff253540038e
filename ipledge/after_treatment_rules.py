"""Checklist items after the last dose: the pregnancy test 30 days later, contraception and no
blood donation for one more month."""

from __future__ import annotations

from datetime import date

from .rule_context import Context, why_not_counted
from .rule_dates import DateRange, add_months, days, fmt
from .rule_facts import (
    RuleSettings,
    TestResult,
)
from .rule_items import Code, Item, Status, join, make_item
from .rule_sets import SETTING_WORDS, settings_words


def after_treatment_items(ctx: Context) -> list[Item]:
    last = ctx.facts.course.last_dose_on
    one_month = add_months(last, 1)
    items = []
    if ctx.can_get_pregnant:
        items.append(_post_treatment_test(ctx, last))
        items.append(_post_treatment_contraception(ctx, last, one_month))
    if ctx.on <= one_month:
        reason = f"No blood donation until {fmt(one_month)} (one month after the last dose of {fmt(last)})."
        items.append(
            make_item(
                ctx, Code.NO_BLOOD_DONATION, Status.DUE, reason, blocks=False, due_on=one_month,
                window=DateRange(last, one_month),
            )
        )  # fmt: skip
    else:
        reason = f"Blood donation is allowed again since {fmt(one_month + days(1))}."
        items.append(make_item(ctx, Code.NO_BLOOD_DONATION, Status.DONE, reason, blocks=False))
    return items


def post_treatment_test_window(last_dose_on: date, settings: RuleSettings) -> DateRange:
    target = last_dose_on + days(settings.post_treatment_test_days)
    return DateRange(target, target + days(settings.post_treatment_test_grace_days))


def _post_treatment_test(ctx: Context, last: date) -> Item:
    window = post_treatment_test_window(last, ctx.settings)
    allowed = ctx.policy.treatment_settings
    code = Code.POST_TREATMENT_TEST
    notes = []
    for t in sorted(ctx.facts.pregnancy_tests, key=lambda t: t.collected_on):
        if t.collected_on <= last:
            continue
        if t.collected_on < window.start:
            notes.append(f"The test of {fmt(t.collected_on)} came before day {ctx.settings.post_treatment_test_days}.")
            continue
        if t.result is TestResult.NEGATIVE and t.counts_as_valid and t.setting in allowed:
            reason = f"Negative test collected {fmt(t.collected_on)} {SETTING_WORDS[t.setting]}."
            return make_item(ctx, code, Status.DONE, reason, blocks=False)
        notes.append(why_not_counted(t, allowed, "after treatment"))
    status = Status.OVERDUE if ctx.on > window.end else Status.DUE
    reason = (
        f"Collect a pregnancy test {settings_words(allowed)} from {fmt(window.start)} "
        f"({ctx.settings.post_treatment_test_days} days after the last dose of {fmt(last)})."
    )
    return make_item(ctx, code, status, join(reason, " ".join(notes)), blocks=False, due_on=window.start, window=window)


def _post_treatment_contraception(ctx: Context, last: date, one_month: date) -> Item:
    code = Code.POST_TREATMENT_CONTRACEPTION
    cover = ctx.coverage
    if ctx.on <= one_month:
        gap = cover.first_gap(last, ctx.on)
        if gap is None:
            reason = f"Keep using two methods (or abstinence) until {fmt(one_month)}, one month after the last dose."
            window = DateRange(last, one_month)
            return make_item(ctx, code, Status.DUE, reason, blocks=False, due_on=one_month, window=window)
        reason = (
            f"No two methods are recorded from {fmt(gap)}; contraception must continue until {fmt(one_month)}: "
            "tell the prescriber."
        )
        return make_item(ctx, code, Status.OVERDUE, reason, blocks=False, due_on=gap, window=DateRange(last, one_month))
    gap = cover.first_gap(last, one_month)
    if gap is None:
        reason = f"Two methods (or abstinence) continued until {fmt(one_month)}."
        return make_item(ctx, code, Status.DONE, reason, blocks=False)
    reason = (
        f"The records show no two methods from {fmt(gap)}, before {fmt(one_month)} (one month after the last dose): "
        "tell the prescriber."
    )
    return make_item(ctx, code, Status.OVERDUE, reason, blocks=False, due_on=gap, window=DateRange(last, one_month))
