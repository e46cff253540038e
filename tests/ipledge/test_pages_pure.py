"""The page helpers without a database: display rows, month history, the entries sheet and
the .ics writer."""

from dataclasses import replace
from datetime import UTC, datetime

from icalendar import Calendar

from ipledge.calendar_rules import EventKind, calendar_events
from ipledge.display import (
    calendar_rows,
    item_rows,
    month_ends,
    month_history,
    row_from_json,
    rows_from_snapshot,
    with_visits,
)
from ipledge.entries import Tick, course_sheet, month_key, ticks_by_key
from ipledge.ics import calendar_ics, event_uids
from ipledge.rule_facts import LabDue
from ipledge.rules import Code, Status, checklist
from ipledge.status import item_json

from .builders import (
    RULES_2021,
    authorization,
    can_get_pregnant,
    cannot_get_pregnant,
    confirmed,
    course,
    d,
    ready_on_2_march,
)


def running_course():
    return ready_on_2_march(
        course=course(first_dose="2026-03-03", projected="2026-07-31"),
        authorizations=(authorization("R1", "2026-03-03", dispensed="2026-03-03"),),
        labs_due=(LabDue("ALT", d("2026-04-28")),),
        course_id=7,
    )


def test_blocking_items_come_first_and_carry_the_status_badge():
    rows = item_rows(checklist(can_get_pregnant(), d("2026-02-10"), RULES_2021).items)
    assert rows[0].blocking
    blocking = [r.blocking for r in rows]
    assert blocking == sorted(blocking, reverse=True)
    confirmation = next(r for r in rows if r.code == Code.CONFIRMATION_TEST)
    assert confirmation.status_label in ("Due", "Overdue", "Blocked")
    assert confirmation.badge.startswith("badge-")


def test_a_stored_snapshot_reads_back_as_the_same_rows():
    items = checklist(ready_on_2_march(), d("2026-03-04"), RULES_2021).items
    live = item_rows(items)
    stored = rows_from_snapshot([item_json(i) for i in items])
    assert stored == live
    assert rows_from_snapshot({"items": [item_json(i) for i in items]}) == live


def test_a_snapshot_with_missing_keys_still_shows():
    row = row_from_json({"code": "counseling", "status": "due"})
    assert row.title == "Counseling confirmed in iPLEDGE this month"
    assert row.status is Status.DUE and not row.blocking and row.due_on is None and row.window == ""
    assert row_from_json(
        {"code": "x", "status": "overdue", "window": {"start": "2026-03-02", "end": "2026-03-08"}}
    ).window == ("2 Mar 2026 to 8 Mar 2026")


def test_month_ends_run_from_the_first_month_to_the_month_before_today_newest_first():
    assert month_ends(d("2025-11-15"), d("2026-02-03")) == [d("2026-01-31"), d("2025-12-31"), d("2025-11-30")]
    assert month_ends(d("2026-02-01"), d("2026-02-28")) == []
    assert month_ends(d("2024-02-10"), d("2024-03-01")) == [d("2024-02-29")]  # leap year


def test_the_history_shows_each_past_month_as_it_ended():
    facts = running_course()
    history = month_history(facts, since=d("2026-01-05"), on=d("2026-03-10"), settings=RULES_2021)
    assert [m.label for m in history] == ["February 2026", "January 2026"]
    assert not history[0].ready
    assert "Confirmation pregnancy test" in history[0].blocking


def test_calendar_rows_split_past_and_upcoming():
    events = calendar_events(running_course(), d("2026-03-10"), RULES_2021)
    past, upcoming = calendar_rows(events, d("2026-03-10"))
    assert past[0].start >= past[-1].start  # newest first
    assert [r.start for r in upcoming] == sorted(r.start for r in upcoming)
    assert {r.kind for r in upcoming} >= {"visit", "lab_due", "projected_last_dose"}
    assert all(r.kind != "pickup_window" for r in upcoming)
    assert next(r for r in past if r.kind == "pickup_window").when == "2 Mar 2026 to 8 Mar 2026"


def test_booked_visits_join_the_calendar_in_date_order():
    events = with_visits(calendar_events(running_course(), d("2026-03-10"), RULES_2021), [(d("2026-03-05"), "")])
    assert [e.start for e in events] == sorted(e.start for e in events)
    assert any(e.kind is EventKind.VISIT and e.start == d("2026-03-05") and e.title == "Visit" for e in events)


def test_the_ics_file_parses_and_holds_every_event_with_a_stable_uid():
    events = calendar_events(running_course(), d("2026-03-10"), RULES_2021)
    stamp = datetime(2026, 3, 10, 12, tzinfo=UTC)
    body = calendar_ics(events, course_id=7, stamp=stamp, name="Isotretinoin course")
    parsed = Calendar.from_ical(body)
    vevents = parsed.walk("VEVENT")
    assert len(vevents) == len(events)
    window = next(v for v in vevents if str(v["summary"]) == "7-day prescription window")
    assert window.decoded("dtstart") == d("2026-03-02")
    assert window.decoded("dtend") == d("2026-03-09")  # exclusive end
    assert str(window["uid"]) == "pickup_window-2026-03-02.course-7@isotrack"
    again = calendar_ics(events, course_id=7, stamp=stamp, name="Isotretinoin course")
    assert again == body


def test_two_events_of_the_same_kind_on_the_same_day_get_different_uids():
    events = with_visits([], [(d("2026-03-05"), "Visit"), (d("2026-03-05"), "Visit")])
    uids = event_uids(events, 3)
    assert len(set(uids)) == 2


def test_the_entries_sheet_lists_what_to_enter_in_iPLEDGE_order():
    sheet = course_sheet(ready_on_2_march(confirmations=()), d("2026-03-02"), RULES_2021)
    assert [r.code for r in sheet.rows] == [
        "pregnancy_test",
        "primary_method",
        "secondary_method",
        "counseling",
        "comprehension",
    ]
    test = sheet.rows[0]
    assert test.key == "pregnancy_test" and test.ready and not test.entered
    assert "2 Mar 2026" in test.value and "negative" in test.value
    assert sheet.rows[1].key == "primary_method" and "Iud" in sheet.rows[1].value
    assert sheet.cycle_start == d("2026-03-02")
    assert sheet.rows[-1].by_patient
    assert sheet.month == "2026-03" and sheet.window == "2 Mar 2026 to 8 Mar 2026"
    assert sheet.has_open and sheet.mismatch is None


def test_a_tick_marks_its_own_entry_only():
    ticks = ticks_by_key([("pregnancy_test", d("2026-03-02"), "Nora Nurse")])
    sheet = course_sheet(ready_on_2_march(confirmations=()), d("2026-03-02"), RULES_2021, ticks=ticks)
    assert sheet.rows[0].tick == Tick(d("2026-03-02"), "Nora Nurse") and sheet.rows[0].entered
    assert not any(r.entered for r in sheet.rows[1:])


def test_without_an_open_window_the_cycle_is_the_calendar_month():
    sheet = course_sheet(can_get_pregnant(), d("2026-02-10"), RULES_2021)
    assert sheet.cycle_start == d("2026-02-01") and sheet.window == ""
    assert not sheet.rows[0].ready


def test_different_methods_from_the_patient_are_a_blocking_mismatch():
    facts = ready_on_2_march(
        confirmations=(confirmed("2026-03-03", "2026-03-03", patient=("combined_pill", "male_condom")),)
    )
    sheet = course_sheet(facts, d("2026-03-04"), RULES_2021)
    assert sheet.mismatch
    assert sheet.has_open
    facts = replace(facts, confirmations=(confirmed("2026-03-03", "2026-03-03"),))
    sheet = course_sheet(facts, d("2026-03-04"), RULES_2021)
    assert sheet.mismatch is None
    # The records show every entry but the test result (only staff's tick says it was typed in).
    assert [r.code for r in sheet.open_rows] == ["pregnancy_test"]


def test_month_key_is_year_and_month():
    assert month_key(d("2026-03-31")) == "2026-03"


def test_a_patient_who_cannot_get_pregnant_has_only_the_monthly_counseling_to_enter_under_the_2021_rules():
    sheet = course_sheet(cannot_get_pregnant(), d("2026-03-02"), RULES_2021)
    assert [r.code for r in sheet.rows] == ["counseling"]
    assert sheet.mismatch is None and sheet.has_open
