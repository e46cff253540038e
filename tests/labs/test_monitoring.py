"""Due dates of the monitoring plan (``labs.monitoring``: pure functions, no database).

Course starting Mon 2 Mar 2026, default plan: baseline from 31 Jan (30 days before) to 2 Mar;
peak-dose repeat targeted at day 60 = 1 May, acceptable 17 Apr - 15 May; recheck 14 days after
an abnormal result."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labs.monitoring import DueKind, DueStatus, MonitoringPlan, ResultFact, lab_schedule, open_items, rechecks

PLAN = MonitoringPlan(required_analytes=frozenset({"alt", "ast", "tg", "chol"}))
START = date(2026, 3, 2)
ALL = ("alt", "ast", "chol", "tg")


def panel(on: date, codes=ALL, abnormal=()) -> list[ResultFact]:
    return [ResultFact(code, on, code in abnormal) for code in codes]


def item(items, kind):
    found = [i for i in items if i.kind == kind]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.mark.parametrize(
    ("results", "as_of", "status", "missing", "done_on"),
    [
        ([], date(2026, 1, 15), DueStatus.UPCOMING, ALL, None),
        ([], date(2026, 1, 31), DueStatus.DUE, ALL, None),
        ([], date(2026, 3, 2), DueStatus.DUE, ALL, None),
        ([], date(2026, 3, 3), DueStatus.OVERDUE, ALL, None),
        (panel(date(2026, 2, 10)), date(2026, 2, 12), DueStatus.DONE, ALL, date(2026, 2, 10)),
        (panel(date(2026, 1, 31)), date(2026, 3, 1), DueStatus.DONE, ALL, date(2026, 1, 31)),  # day 30 counts
        (panel(date(2026, 1, 30)), date(2026, 3, 1), DueStatus.DUE, ALL, None),  # day 31 is too early
        (panel(START), START, DueStatus.DONE, ALL, START),  # drawn on the start day
        (panel(date(2026, 3, 5)), date(2026, 3, 6), DueStatus.OVERDUE, ALL, None),  # after the start: no baseline
        (panel(date(2026, 2, 10), ("tg", "alt")), date(2026, 2, 12), DueStatus.DUE, ("ast", "chol"), None),
        # The missing analytes drawn later still complete the baseline; done on the last one.
        (
            panel(date(2026, 2, 10), ("tg", "alt")) + panel(date(2026, 2, 20), ("ast", "chol")),
            date(2026, 2, 21),
            DueStatus.DONE,
            ALL,
            date(2026, 2, 20),
        ),
        (panel(date(2026, 2, 10)), date(2026, 2, 9), DueStatus.DUE, ALL, None),  # results after as_of are unknown
    ],
)
def test_baseline(results, as_of, status, missing, done_on):
    baseline = item(lab_schedule(PLAN, results, as_of, start_on=START), DueKind.BASELINE)
    assert (baseline.status, baseline.analytes, baseline.done_on) == (status, missing, done_on)
    assert (baseline.opens_on, baseline.due_on) == (date(2026, 1, 31), START)


@pytest.mark.parametrize(
    ("peak_dose_on", "results", "as_of", "status", "opens_on", "due_on"),
    [
        (None, [], date(2026, 4, 16), DueStatus.UPCOMING, date(2026, 4, 17), date(2026, 5, 15)),
        (None, [], date(2026, 4, 17), DueStatus.DUE, date(2026, 4, 17), date(2026, 5, 15)),
        (None, [], date(2026, 5, 16), DueStatus.OVERDUE, date(2026, 4, 17), date(2026, 5, 15)),
        (None, panel(date(2026, 4, 28)), date(2026, 4, 30), DueStatus.DONE, date(2026, 4, 17), date(2026, 5, 15)),
        (None, panel(date(2026, 4, 10)), date(2026, 4, 30), DueStatus.DUE, date(2026, 4, 17), date(2026, 5, 15)),
        (None, panel(date(2026, 5, 20)), date(2026, 5, 21), DueStatus.DONE, date(2026, 4, 17), date(2026, 5, 15)),
        # The peak dose is reached after day 60: the repeat waits for it.
        (date(2026, 5, 20), [], date(2026, 5, 19), DueStatus.UPCOMING, date(2026, 5, 20), date(2026, 6, 3)),
        (
            date(2026, 5, 20),
            panel(date(2026, 5, 10)),
            date(2026, 5, 25),
            DueStatus.DUE,
            date(2026, 5, 20),
            date(2026, 6, 3),
        ),
        # Reached at day 50: a draw before it is not "at peak dose".
        (
            date(2026, 4, 21),
            panel(date(2026, 4, 19)),
            date(2026, 4, 30),
            DueStatus.DUE,
            date(2026, 4, 21),
            date(2026, 5, 15),
        ),
        (date(2026, 4, 1), [], date(2026, 4, 18), DueStatus.DUE, date(2026, 4, 17), date(2026, 5, 15)),
    ],
)
def test_peak_dose_repeat(peak_dose_on, results, as_of, status, opens_on, due_on):
    peak = item(lab_schedule(PLAN, results, as_of, start_on=START, peak_dose_on=peak_dose_on), DueKind.PEAK)
    assert (peak.status, peak.opens_on, peak.due_on) == (status, opens_on, due_on)


def test_a_course_that_ended_before_the_peak_window_has_no_peak_repeat():
    items = lab_schedule(PLAN, [], date(2026, 5, 1), start_on=START, end_on=date(2026, 4, 1))
    assert item(items, DueKind.PEAK) is None
    assert item(items, DueKind.BASELINE) is not None


@pytest.mark.parametrize(
    ("results", "as_of", "expected"),
    [
        ([], date(2026, 5, 1), []),
        (panel(date(2026, 4, 25), abnormal=("tg",)), date(2026, 5, 1), [(date(2026, 5, 9), ("tg",), DueStatus.DUE)]),
        (panel(date(2026, 4, 25), abnormal=("tg",)), date(2026, 5, 9), [(date(2026, 5, 9), ("tg",), DueStatus.DUE)]),
        (
            panel(date(2026, 4, 25), abnormal=("tg",)),
            date(2026, 5, 10),
            [(date(2026, 5, 9), ("tg",), DueStatus.OVERDUE)],
        ),
        # A later normal result of the same analyte clears the recheck...
        (panel(date(2026, 4, 25), abnormal=("tg",)) + panel(date(2026, 5, 5), ("tg",)), date(2026, 5, 10), []),
        # ...another analyte's does not...
        (
            panel(date(2026, 4, 25), abnormal=("tg",)) + panel(date(2026, 5, 5), ("alt",)),
            date(2026, 5, 10),
            [(date(2026, 5, 9), ("tg",), DueStatus.OVERDUE)],
        ),
        # ...and a later abnormal one starts a new recheck.
        (
            panel(date(2026, 4, 25), abnormal=("tg",)) + panel(date(2026, 5, 5), ("tg",), abnormal=("tg",)),
            date(2026, 5, 10),
            [(date(2026, 5, 19), ("tg",), DueStatus.DUE)],
        ),
        # Two abnormal analytes of one draw make one item.
        (
            panel(date(2026, 4, 25), abnormal=("tg", "alt")),
            date(2026, 5, 1),
            [(date(2026, 5, 9), ("alt", "tg"), DueStatus.DUE)],
        ),
        # A normal repeat drawn the same day does not hide the abnormal one.
        (
            [ResultFact("tg", date(2026, 4, 25), True, id=1), ResultFact("tg", date(2026, 4, 25), False, id=2)],
            date(2026, 5, 1),
            [(date(2026, 5, 9), ("tg",), DueStatus.DUE)],
        ),
    ],
)
def test_recheck_after_an_abnormal_result(results, as_of, expected):
    found = rechecks(PLAN, results, as_of)
    assert [(i.due_on, i.analytes, i.status) for i in found] == expected
    assert all(i.kind == DueKind.RECHECK for i in found)


def test_without_a_course_only_rechecks_are_computed():
    items = lab_schedule(PLAN, panel(date(2026, 4, 25), abnormal=("alt",)), date(2026, 4, 30))
    assert [i.kind for i in items] == [DueKind.RECHECK]


def test_the_recheck_interval_and_windows_come_from_the_plan():
    plan = MonitoringPlan(
        required_analytes=frozenset({"tg"}), baseline_days=14, peak_day=45, window_days=7, recheck_days=7
    )
    items = lab_schedule(plan, panel(date(2026, 2, 20), ("tg",), abnormal=("tg",)), date(2026, 2, 21), start_on=START)
    recheck, baseline, peak = items  # in order of due date
    assert (baseline.kind, baseline.opens_on, baseline.status) == (DueKind.BASELINE, date(2026, 2, 16), DueStatus.DONE)
    assert (recheck.kind, recheck.due_on) == (DueKind.RECHECK, date(2026, 2, 27))
    assert (peak.kind, peak.opens_on, peak.due_on) == (DueKind.PEAK, date(2026, 4, 9), date(2026, 4, 23))


@pytest.mark.parametrize(
    ("results", "as_of", "expected"),
    [
        # Peak repeat done on 28 Apr: the next one is 30 days later, acceptable from 14 May.
        (panel(date(2026, 4, 28)), date(2026, 5, 1), (date(2026, 5, 14), date(2026, 6, 11), DueStatus.UPCOMING)),
        (panel(date(2026, 4, 28)), date(2026, 6, 12), (date(2026, 5, 14), date(2026, 6, 11), DueStatus.OVERDUE)),
        (
            panel(date(2026, 4, 28)) + panel(date(2026, 5, 29)),
            date(2026, 6, 1),
            (date(2026, 6, 14), date(2026, 7, 12), DueStatus.UPCOMING),
        ),
    ],
)
def test_clinics_that_monitor_monthly_get_periodic_repeats(results, as_of, expected):
    plan = MonitoringPlan(required_analytes=PLAN.required_analytes, repeat_every_days=30)
    periodic = item(lab_schedule(plan, results, as_of, start_on=START), DueKind.PERIODIC)
    assert (periodic.opens_on, periodic.due_on, periodic.status) == expected


def test_no_periodic_repeat_by_default_or_after_the_course_ended():
    assert (
        item(lab_schedule(PLAN, panel(date(2026, 4, 28)), date(2026, 5, 1), start_on=START), DueKind.PERIODIC) is None
    )
    plan = MonitoringPlan(required_analytes=PLAN.required_analytes, repeat_every_days=30)
    ended = lab_schedule(plan, panel(date(2026, 4, 28)), date(2026, 5, 1), start_on=START, end_on=date(2026, 5, 5))
    assert item(ended, DueKind.PERIODIC) is None


def test_open_items_are_the_due_and_overdue_ones():
    items = lab_schedule(PLAN, panel(date(2026, 2, 10), abnormal=("alt",)), date(2026, 3, 1), start_on=START)
    assert [(i.kind, i.status) for i in open_items(items)] == [(DueKind.RECHECK, DueStatus.OVERDUE)]


# --- Properties ------------------------------------------------------------------------------

days = st.integers(min_value=-60, max_value=200)
result_facts = st.lists(
    st.builds(
        lambda code, offset, abnormal: ResultFact(code, START + timedelta(days=offset), abnormal),
        st.sampled_from(ALL),
        days,
        st.booleans(),
    ),
    max_size=25,
)
RANK = {DueStatus.UPCOMING: 0, DueStatus.DUE: 1, DueStatus.OVERDUE: 2, DueStatus.DONE: 3}


@given(results=result_facts, extra=result_facts, offset=days)
def test_more_results_never_undo_a_completed_baseline_or_peak(results, extra, offset):
    as_of = START + timedelta(days=offset)
    before = lab_schedule(PLAN, results, as_of, start_on=START)
    after = lab_schedule(PLAN, results + extra, as_of, start_on=START)
    for kind in (DueKind.BASELINE, DueKind.PEAK):
        if item(before, kind) and item(before, kind).status == DueStatus.DONE:
            assert item(after, kind).status == DueStatus.DONE


@given(results=result_facts, offset=st.integers(min_value=200, max_value=260), later=st.integers(0, 100))
def test_with_no_new_results_an_open_item_only_gets_later(results, offset, later):
    as_of = START + timedelta(days=offset)  # every generated result is already known
    first = {i.kind: i.status for i in lab_schedule(PLAN, results, as_of, start_on=START) if i.kind != DueKind.RECHECK}
    then = {
        i.kind: i.status
        for i in lab_schedule(PLAN, results, as_of + timedelta(days=later), start_on=START)
        if i.kind != DueKind.RECHECK
    }
    for kind, status in first.items():
        assert RANK[then[kind]] >= RANK[status]


@given(results=result_facts, offset=days)
def test_every_recheck_follows_an_abnormal_latest_result(results, offset):
    as_of = START + timedelta(days=offset)
    known = [r for r in results if r.collected_on <= as_of]
    for recheck in rechecks(PLAN, results, as_of):
        for code in recheck.analytes:
            latest_day = max(r.collected_on for r in known if r.analyte == code)
            assert any(r.abnormal for r in known if r.analyte == code and r.collected_on == latest_day)
            assert recheck.due_on == latest_day + timedelta(days=PLAN.recheck_days)
