"""When liver and lipid tests are due. Pure functions over plain data (no ORM).

The clinic's monitoring plan (a setting, see ``labs.models.LabSettings``) follows the AAD 2024
guideline and the 2022 Delphi consensus by default:

- **baseline**: every required analyte within ``baseline_days`` before the course starts (the
  start day counts);
- **peak**: a repeat around month 2, at peak dose: the target is ``peak_day`` days after the
  start, or the day the peak dose begins when that is later; acceptable from ``window_days``
  before the target (never before the peak dose began) and due by ``window_days`` after it;
- **periodic** (optional, for clinics that follow the older labels): a repeat every
  ``repeat_every_days`` after the peak repeat, while the course runs;
- **recheck**: after an abnormal result, that analyte again within ``recheck_days``; a later
  result clears it, and a later abnormal one starts a new recheck.

The compliance app calls ``lab_schedule`` with the course's dates; the labs chart panel, which
knows no course, calls it without them and so shows only rechecks.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


@dataclass(frozen=True)
class MonitoringPlan:
    required_analytes: frozenset[str]
    baseline_days: int = 30
    peak_day: int = 60
    window_days: int = 14
    recheck_days: int = 14
    repeat_every_days: int | None = None


@dataclass(frozen=True)
class ResultFact:
    """One lab result as plain data (``labs.selectors`` builds them for many patients at once)."""

    analyte: str  # analyte code
    collected_on: date
    abnormal: bool
    id: int = 0
    patient_id: int = 0
    specimen_id: int = 0
    flag: str = ""  # ranges.Flag value
    action: str = ""  # the most severe threshold action reached, if any
    action_severity: str = ""  # ranges.Severity value or ""
    reviewed: bool = False


class DueKind(StrEnum):
    BASELINE = "baseline"
    PEAK = "peak"
    PERIODIC = "periodic"
    RECHECK = "recheck"


class DueStatus(StrEnum):
    DONE = "done"
    UPCOMING = "upcoming"  # its window has not opened yet
    DUE = "due"  # the window is open
    OVERDUE = "overdue"


LABELS = {
    DueKind.BASELINE: "Baseline liver and lipid tests",
    DueKind.PEAK: "Repeat liver and lipid tests at peak dose",
    DueKind.PERIODIC: "Repeat liver and lipid tests",
    DueKind.RECHECK: "Recheck after an abnormal result",
}


@dataclass(frozen=True)
class DueItem:
    kind: DueKind
    status: DueStatus
    opens_on: date | None  # first day a result counts (None: as soon as possible)
    due_on: date  # last day before it is overdue
    # The analytes still missing, or (when done) the ones that satisfied it.
    analytes: tuple[str, ...]
    done_on: date | None = None

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def is_open(self) -> bool:
        return self.status in (DueStatus.DUE, DueStatus.OVERDUE)


def _status(as_of: date, opens_on: date | None, due_on: date) -> DueStatus:
    if opens_on is not None and as_of < opens_on:
        return DueStatus.UPCOMING
    return DueStatus.DUE if as_of <= due_on else DueStatus.OVERDUE


def _window_item(
    kind: DueKind,
    plan: MonitoringPlan,
    results: list[ResultFact],
    opens_on: date,
    due_on: date,
    as_of: date,
    counts_until: date | None = None,
) -> DueItem:
    """An item satisfied when every required analyte has a result from ``opens_on`` on (up to
    ``counts_until`` when given: a baseline drawn after the start is no baseline)."""
    latest: dict[str, date] = {}
    for result in results:
        if result.collected_on >= opens_on and (counts_until is None or result.collected_on <= counts_until):
            latest[result.analyte] = max(latest.get(result.analyte, result.collected_on), result.collected_on)
    missing = tuple(sorted(plan.required_analytes - latest.keys()))
    if not missing:
        done_on = max(latest[code] for code in plan.required_analytes) if plan.required_analytes else opens_on
        return DueItem(kind, DueStatus.DONE, opens_on, due_on, tuple(sorted(plan.required_analytes)), done_on)
    return DueItem(kind, _status(as_of, opens_on, due_on), opens_on, due_on, missing)


def rechecks(plan: MonitoringPlan, results: Iterable[ResultFact], as_of: date) -> list[DueItem]:
    """One open item per recheck date: each analyte whose latest result is abnormal."""
    latest: dict[str, ResultFact] = {}
    for result in results:
        if result.collected_on > as_of:
            continue
        current = latest.get(result.analyte)
        # On one day an abnormal result outranks a normal one: a recheck is never missed because
        # a second, normal sample was drawn the same day.
        if current is None or (result.collected_on, result.abnormal) > (current.collected_on, current.abnormal):
            latest[result.analyte] = result
    by_date: dict[date, list[str]] = {}
    for result in latest.values():
        if result.abnormal:
            by_date.setdefault(result.collected_on + timedelta(days=plan.recheck_days), []).append(result.analyte)
    return [
        DueItem(DueKind.RECHECK, _status(as_of, None, due_on), None, due_on, tuple(sorted(codes)))
        for due_on, codes in sorted(by_date.items())
    ]


def lab_schedule(
    plan: MonitoringPlan,
    results: Iterable[ResultFact],
    as_of: date,
    *,
    start_on: date | None = None,
    peak_dose_on: date | None = None,
    end_on: date | None = None,
) -> list[DueItem]:
    """The monitoring items of a course on ``as_of``, in date order (done ones included).

    Steps: baseline before ``start_on``; the peak repeat (skipped when the course ended before
    its window opened); periodic repeats after the peak one while the course runs (``end_on``
    None: still running); rechecks after abnormal results. Without ``start_on`` only rechecks.
    """
    results = [r for r in results if r.collected_on <= as_of]
    items: list[DueItem] = []
    if start_on is not None:
        baseline_opens = start_on - timedelta(days=plan.baseline_days)
        items.append(
            _window_item(DueKind.BASELINE, plan, results, baseline_opens, start_on, as_of, counts_until=start_on)
        )
        target = start_on + timedelta(days=plan.peak_day)
        if peak_dose_on is not None and peak_dose_on > target:
            target = peak_dose_on
        opens_on = target - timedelta(days=plan.window_days)
        if peak_dose_on is not None and peak_dose_on > opens_on:
            opens_on = peak_dose_on
        due_on = target + timedelta(days=plan.window_days)
        if end_on is None or end_on >= opens_on:
            peak = _window_item(DueKind.PEAK, plan, results, opens_on, due_on, as_of)
            items.append(peak)
            if peak.status == DueStatus.DONE and plan.repeat_every_days:
                periodic = _periodic(plan, results, peak.done_on, as_of, end_on)
                if periodic is not None:
                    items.append(periodic)
    items.extend(rechecks(plan, results, as_of))
    return sorted(items, key=lambda item: (item.due_on, item.kind))


def _periodic(
    plan: MonitoringPlan, results: list[ResultFact], last_done: date, as_of: date, end_on: date | None
) -> DueItem | None:
    """The next periodic repeat after the last complete set of required results."""
    every = timedelta(days=plan.repeat_every_days)
    while True:
        target = last_done + every
        # Only results after the last complete set count, so each round moves forward.
        opens_on = max(target - timedelta(days=plan.window_days), last_done + timedelta(days=1))
        if end_on is not None and end_on < opens_on:
            return None
        item = _window_item(DueKind.PERIODIC, plan, results, opens_on, target + timedelta(days=plan.window_days), as_of)
        if item.status != DueStatus.DONE:
            return item
        last_done = item.done_on


def open_items(items: Iterable[DueItem]) -> list[DueItem]:
    return [item for item in items if item.is_open]
