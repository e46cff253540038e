"""Display rows for the iPLEDGE pages and panels: checklist items
(live or from the stored snapshot), the history of past months and the therapy calendar. Pure
(no ORM): the views fetch, these shape. (``ipledge.presenters`` holds the badges of the course
states.)
"""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .calendar_rules import CalendarEvent, EventKind
from .rule_dates import fmt
from .rule_facts import CourseFacts, RuleSettings
from .rule_items import TITLES, Code, Item, Status
from .rule_sets import RuleSet
from .rules import DEFAULT_SETTINGS, checklist

STATUS_LABELS = {
    Status.DONE: "Done",
    Status.DUE: "Due",
    Status.OVERDUE: "Overdue",
    Status.BLOCKED: "Blocked",
    Status.NOT_APPLICABLE: "Not applicable",
}
STATUS_BADGES = {
    Status.DONE: "badge-ok",
    Status.DUE: "badge-info",
    Status.OVERDUE: "badge-warn",
    Status.BLOCKED: "badge-bad",
    Status.NOT_APPLICABLE: "badge-neutral",
}
# Blocking first, then what is late, due, done; not applicable last.
_STATUS_ORDER = {Status.BLOCKED: 0, Status.OVERDUE: 1, Status.DUE: 2, Status.DONE: 3, Status.NOT_APPLICABLE: 4}


@dataclass(frozen=True, slots=True)
class ItemRow:
    code: str
    title: str
    status: Status
    reason: str
    blocking: bool  # gates this month's prescription and is not done
    due_on: date | None
    window: str  # "2 Mar 2026 to 8 Mar 2026", or ""
    rule_set: str  # "2021 rules"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def dom_id(self) -> str:
        return f"item-{self.code.replace('_', '-')}"


def item_row(item: Item) -> ItemRow:
    return ItemRow(
        code=item.code.value,
        title=item.title,
        status=item.status,
        reason=item.reason,
        blocking=item.blocking,
        due_on=item.due_on,
        window=str(item.window) if item.window else "",
        rule_set=item.rule_set.label,
    )


def item_rows(items: Iterable[Item]) -> list[ItemRow]:
    return sort_rows(item_row(i) for i in items)


def sort_rows(rows: Iterable[ItemRow]) -> list[ItemRow]:
    """Blocking items first, then by status and due date; the rules' order breaks ties."""
    indexed = list(enumerate(rows))
    indexed.sort(key=lambda pair: (not pair[1].blocking, _STATUS_ORDER[pair[1].status], pair[0]))
    return [row for _, row in indexed]


def row_from_json(data: Mapping) -> ItemRow:
    """A stored checklist item (a dict from the status row's JSON snapshot) as a display row.
    Tolerant of missing keys: a snapshot written by an older version still shows."""
    status = Status(data.get("status", Status.DUE))
    blocks = data.get("blocks", data.get("blocks_prescribing", False))
    code = str(data.get("code", ""))
    try:
        title = data.get("title") or TITLES[Code(code)]
    except ValueError:
        title = code
    try:
        rule_set = RuleSet(data.get("rule_set")).label
    except ValueError:
        rule_set = ""
    return ItemRow(
        code=code,
        title=title,
        status=status,
        reason=data.get("reason", ""),
        blocking=bool(blocks) and status is not Status.DONE,
        due_on=_date(data.get("due", data.get("due_on"))),
        window=_window_text(data.get("window")),
        rule_set=rule_set,
    )


def rows_from_snapshot(snapshot) -> list[ItemRow]:
    """The display rows of a stored snapshot: a list of items, or a dict holding ``items``."""
    if isinstance(snapshot, Mapping):
        snapshot = snapshot.get("items", [])
    return sort_rows(row_from_json(d) for d in snapshot or [])


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _window_text(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        start, end = _date(value.get("start")), _date(value.get("end"))
    else:
        start, end = _date(value[0]), _date(value[1]) if len(value) > 1 else None
    if start is None:
        return ""
    if end is None:
        return f"from {fmt(start)}"
    return fmt(start) if end == start else f"{fmt(start)} to {fmt(end)}"


# --- history of past months --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthRow:
    label: str  # "March 2026"
    checked_on: date  # the last day of the month (or today, for the current month)
    ready: bool
    rule_set: str
    blocking: tuple[str, ...]  # titles of the items that blocked on that day
    done: int
    open: int


def month_ends(first: date, on: date) -> list[date]:
    """The last day of every month from ``first``'s month up to the month before ``on``'s,
    newest first."""
    ends = []
    year, month = first.year, first.month
    while (year, month) < (on.year, on.month):
        ends.append(date(year, month, calendar_module.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends[::-1]


def month_history(
    facts: CourseFacts, *, since: date, on: date, settings: RuleSettings = DEFAULT_SETTINGS, limit: int = 24
) -> list[MonthRow]:
    """How each past month of the course ended: the checklist as it stood on the month's last
    day (the rules ignore facts dated later, so this is the true past checklist)."""
    rows = []
    for day in month_ends(since, on)[:limit]:
        result = checklist(facts, day, settings)
        rows.append(
            MonthRow(
                label=f"{calendar_module.month_name[day.month]} {day.year}",
                checked_on=day,
                ready=result.ready_to_prescribe,
                rule_set=result.rule_set.label,
                blocking=tuple(i.title for i in result.blocking_items),
                done=sum(i.status is Status.DONE for i in result.items),
                open=sum(i.status in (Status.DUE, Status.OVERDUE, Status.BLOCKED) for i in result.items),
            )
        )
    return rows


# --- calendar --------------------------------------------------------------------------------

KIND_LABELS = {
    EventKind.PLANNED_START: "Start",
    EventKind.FIRST_DOSE: "Start",
    EventKind.LAST_DOSE: "End",
    EventKind.PROJECTED_LAST_DOSE: "Projected end",
    EventKind.PREGNANCY_TEST: "Pregnancy test",
    EventKind.PICKUP_WINDOW: "Window",
    EventKind.DISPENSED: "Dispensing",
    EventKind.VISIT: "Visit",
    EventKind.LAB_DUE: "Labs",
    EventKind.POST_TREATMENT_TEST: "Pregnancy test",
    EventKind.CONTRACEPTION_UNTIL: "After treatment",
    EventKind.NO_BLOOD_DONATION_UNTIL: "After treatment",
}


@dataclass(frozen=True, slots=True)
class CalendarRow:
    kind: str
    kind_label: str
    title: str
    start: date
    end: date
    when: str  # "2 Mar 2026" or "2 Mar 2026 to 8 Mar 2026"
    upcoming: bool
    today: bool  # the event spans today


def calendar_rows(events: Iterable[CalendarEvent], on: date) -> tuple[list[CalendarRow], list[CalendarRow]]:
    """(past, upcoming): past newest first, upcoming (anything ending today or later) soonest
    first."""
    past, upcoming = [], []
    for e in sorted(events, key=lambda e: (e.start, e.end, e.kind.value)):
        row = CalendarRow(
            kind=e.kind.value,
            kind_label=KIND_LABELS.get(e.kind, e.kind.value),
            title=e.title,
            start=e.start,
            end=e.end,
            when=fmt(e.start) if e.end == e.start else f"{fmt(e.start)} to {fmt(e.end)}",
            upcoming=e.upcoming(on),
            today=e.start <= on <= e.end,
        )
        (upcoming if row.upcoming else past).append(row)
    return past[::-1], upcoming


def with_visits(events: Iterable[CalendarEvent], visits: Iterable[tuple[date, str]]) -> tuple[CalendarEvent, ...]:
    """The rules' events plus the visits the clinic booked or held (from the courses app when it
    records visits), as one list by start date."""
    extra = [CalendarEvent(EventKind.VISIT, title or "Visit", day, day) for day, title in visits]
    return tuple(sorted([*events, *extra], key=lambda e: (e.start, e.end, e.kind.value)))
