"""What staff must enter on the iPLEDGE website this month, as display rows with their ticks.

``ipledge.monthly_rules.ipledge_entries`` says which entries the month needs, in the order they
are made, and which the records already show as done. A *tick* is the member of staff's own
note "I typed this into iPLEDGE on <day>": recorded per course, month and entry (an
``EntryTick`` row, through ``entry_tick`` / ``entry_untick``). Pure: the views pass the ticks.

Ticks are kept per *cycle*: the first day of the open prescription window (the day the
month's test was collected, or the 2021 visit of a patient who cannot get pregnant), or the
first of the calendar month when no window is open yet. A new test opens a new cycle, so a
tick made for last month's test never ticks this month's. An entry's key is its code
(``pregnancy_test``, ``primary_method``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .monthly_rules import EnteredBy, EntryCode, IpledgeEntries, IpledgeEntry, ipledge_entries
from .rule_dates import fmt
from .rule_facts import CourseFacts, RuleSettings
from .rules import DEFAULT_SETTINGS

WHO = {EnteredBy.OFFICE: "Office (prescriber or designee)", EnteredBy.PATIENT: "Patient"}


@dataclass(frozen=True, slots=True)
class Tick:
    entered_on: date
    by: str  # the staff member's name, as shown


@dataclass(frozen=True, slots=True)
class EntryRow:
    key: str
    code: str
    label: str
    value: str
    who: str
    by_patient: bool
    ready: bool  # there is something to enter (a test in an open window, a method on the chart)
    done_on: date | None  # the records show it entered this month
    tick: Tick | None

    @property
    def entered(self) -> bool:
        return self.tick is not None or self.done_on is not None

    @property
    def dom_id(self) -> str:
        return "entry-" + self.code.replace("_", "-")


@dataclass(frozen=True, slots=True)
class EntrySheet:
    """One course's entries this month."""

    course_id: int | None
    month: str  # "2026-03": the calendar month shown
    cycle_start: date  # the ticks of this sheet are kept under this day
    on: date
    rule_set: str
    window: str  # the entries must all fall inside it ("" when no window is open)
    rows: tuple[EntryRow, ...]
    mismatch: str | None  # blocking: the office's and the patient's methods differ

    @property
    def open_rows(self) -> tuple[EntryRow, ...]:
        return tuple(r for r in self.rows if not r.entered)

    @property
    def has_open(self) -> bool:
        return bool(self.open_rows) or self.mismatch is not None


def month_key(on: date) -> str:
    return f"{on.year:04d}-{on.month:02d}"


def entry_key(entry: IpledgeEntry) -> str:
    return entry.code.value


def cycle_start(entries: IpledgeEntries) -> date:
    """The day this month's ticks are kept under (see the module docstring)."""
    if entries.window is not None:
        return entries.window.start
    return entries.on.replace(day=1)


def _ready(entry: IpledgeEntry) -> bool:
    if entry.code is EntryCode.PREGNANCY_TEST:
        return entry.day is not None
    if entry.code in (EntryCode.PRIMARY_METHOD, EntryCode.SECONDARY_METHOD):
        return entry.method is not None
    return True


def entry_sheet(
    entries: IpledgeEntries, *, course_id: int | None, ticks: Mapping[str, Tick] | None = None
) -> EntrySheet:
    ticks = ticks or {}
    rows = []
    for entry in entries.entries:
        key = entry_key(entry)
        rows.append(
            EntryRow(
                key=key,
                code=entry.code.value,
                label=entry.label,
                value=entry.value,
                who=WHO[entry.entered_by],
                by_patient=entry.entered_by is EnteredBy.PATIENT,
                ready=_ready(entry),
                done_on=entry.done_on,
                tick=ticks.get(key),
            )
        )
    window = entries.window
    return EntrySheet(
        course_id=course_id,
        month=month_key(entries.on),
        cycle_start=cycle_start(entries),
        on=entries.on,
        rule_set=entries.rule_set.label,
        window=f"{fmt(window.start)} to {fmt(window.end)}" if window and window.end else "",
        rows=tuple(rows),
        mismatch=entries.mismatch,
    )


def course_sheet(
    facts: CourseFacts,
    on: date,
    settings: RuleSettings = DEFAULT_SETTINGS,
    *,
    ticks: Mapping[str, Tick] | None = None,
) -> EntrySheet:
    """The entries of one course on ``on``, with the ticks recorded for that month."""
    return entry_sheet(ipledge_entries(facts, on, settings), course_id=facts.course_id, ticks=ticks)


def ticks_by_key(rows: Iterable[tuple[str, date, str]]) -> dict[str, Tick]:
    """(key, entered_on, by) rows as a lookup; the latest tick of a key wins."""
    result: dict[str, Tick] = {}
    for key, entered_on, by in rows:
        if key not in result or entered_on >= result[key].entered_on:
            result[key] = Tick(entered_on, by)
    return result
