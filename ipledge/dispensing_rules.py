"""Prescriptions and pharmacy authorizations: 30-day supply, no refills, no dispensing after
the do-not-dispense-after date, reversals and the authorizations that replace them."""

from __future__ import annotations

from datetime import date

from .rule_context import Context
from .rule_dates import DateRange, fmt
from .rule_facts import (
    MAX_DAYS_SUPPLY,
    Authorization,
    Prescription,
)
from .rule_items import Code, Item, Status, count, make_item


def prescription_problems(prescription: Prescription, window: DateRange | None = None) -> tuple[str, ...]:
    """Why iPLEDGE would not let this prescription be dispensed (empty when fine). ``window``:
    the prescription window it must be written in, if the patient's category has one."""
    problems = []
    if prescription.days_supply > MAX_DAYS_SUPPLY:
        problems.append(f"It is for {prescription.days_supply} days; at most {MAX_DAYS_SUPPLY} are allowed.")
    if prescription.days_supply < 1:
        problems.append("It must be for at least one day.")
    if prescription.refills:
        problems.append(f"It has {count(prescription.refills, 'refill')}; refills are not allowed.")
    if window is not None and prescription.written_on not in window:
        problems.append(f"It was written on {fmt(prescription.written_on)}, outside the window {window}.")
    return tuple(problems)


def prescription_item(ctx: Context) -> Item:
    after = ctx.last_dispensed_on
    pending = [p for p in ctx.facts.prescriptions if after is None or p.written_on > after]
    code = Code.PRESCRIPTION_LIMITS
    if not pending:
        reason = f"No prescription since the last dispensing. Write at most a {MAX_DAYS_SUPPLY}-day supply, no refills."
        return make_item(ctx, code, Status.NOT_APPLICABLE, reason)
    latest = max(pending, key=lambda p: p.written_on)
    # A prescription written before this month's window opened came before its test or visit.
    window = ctx.window if ctx.window and latest.written_on < ctx.window.start else None
    problems = prescription_problems(latest, window)
    if problems:
        reason = f"The prescription of {fmt(latest.written_on)} cannot be dispensed: {' '.join(problems)}"
        reason += " Write a new one."
        return make_item(ctx, code, Status.BLOCKED, reason, blocks=False, due_on=ctx.on)
    reason = f"The prescription of {fmt(latest.written_on)} is for {latest.days_supply} days with no refills."
    return make_item(ctx, code, Status.DONE, reason, blocks=False)


def may_dispense(authorization: Authorization, day: date) -> bool:
    """Whether a pharmacy may dispense under this authorization on ``day``."""
    return (
        authorization.obtained_on <= day <= authorization.do_not_dispense_after
        and (authorization.reversed_on is None or authorization.reversed_on > day)
        and authorization.days_supply <= MAX_DAYS_SUPPLY
    )


def authorization_item(ctx: Context) -> Item:
    code = Code.AUTHORIZATION
    auths = ctx.facts.authorizations
    if not auths:
        return make_item(ctx, code, Status.NOT_APPLICABLE, "No pharmacy authorization is recorded yet.", blocks=False)
    order = {a.rma: i for i, a in enumerate(auths)}
    latest = max(auths, key=lambda a: (a.obtained_on, a.replaces_rma is not None, order[a.rma]))
    history = ""
    if latest.replaces_rma:
        replaced = next((a for a in auths if a.rma == latest.replaces_rma), None)
        if replaced and replaced.reversed_on:
            reason = f": {replaced.reversal_reason}" if replaced.reversal_reason else ""
            history = f" It replaces RMA {replaced.rma}, reversed on {fmt(replaced.reversed_on)}{reason}."
        else:
            history = (
                f" It replaces RMA {latest.replaces_rma}, which is not recorded as reversed: check with the pharmacy."
            )
    rma = f"RMA {latest.rma}"
    dnda = latest.do_not_dispense_after
    if latest.reversed_on:
        why = f" ({latest.reversal_reason})" if latest.reversal_reason else ""
        reason = f"{rma} was reversed on {fmt(latest.reversed_on)}{why}: the pharmacy obtains a new authorization."
        return make_item(ctx, code, Status.DUE, reason + history, blocks=False, due_on=ctx.on)
    if latest.days_supply > MAX_DAYS_SUPPLY:
        reason = (
            f"{rma} is for {latest.days_supply} days, more than {MAX_DAYS_SUPPLY}: the pharmacy reverses it "
            "and obtains a new one."
        )
        return make_item(ctx, code, Status.BLOCKED, reason + history, blocks=False, due_on=ctx.on)
    if latest.dispensed_on:
        if latest.dispensed_on > dnda:
            reason = (
                f"{rma} is recorded as dispensed on {fmt(latest.dispensed_on)}, after its do-not-dispense-after "
                f"date ({fmt(dnda)}): iPLEDGE does not allow this; check the record with the pharmacy."
            )
            return make_item(ctx, code, Status.BLOCKED, reason + history, blocks=False, due_on=ctx.on)
        reason = f"Dispensed on {fmt(latest.dispensed_on)} under {rma} ({latest.days_supply} days)."
        return make_item(ctx, code, Status.DONE, reason + history, blocks=False)
    if ctx.on > dnda:
        reason = f"{rma} expired after {fmt(dnda)} without being dispensed: the pharmacy must reverse it."
        return make_item(ctx, code, Status.OVERDUE, reason + history, blocks=False, due_on=dnda)
    reason = f"{rma} obtained on {fmt(latest.obtained_on)}: pick up by {fmt(dnda)} (do not dispense after)."
    window = DateRange(latest.obtained_on, dnda)
    return make_item(ctx, code, Status.DUE, reason + history, blocks=False, due_on=dnda, window=window)
