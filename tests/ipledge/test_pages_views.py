"""The iPLEDGE pages: who sees them, what they show, ticks, the .ics file."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from ipledge.models import EntryTick

from .pages import ago, enrolled_course, ready_course, store_status, today, waiting_course

pytestmark = pytest.mark.django_db


def url(course, page):
    return f"/ipledge/patients/{course.patient_id}/{course.pk}/{page}"


def test_the_chart_shows_this_months_checklist_to_clinical_roles_only(
    prescriber, clinical_staff, front_desk, client_for
):
    course = waiting_course(prescriber)
    store_status(course)
    chart = f"/patients/{course.patient_id}/"
    body = client_for(clinical_staff).get(chart).content.decode()
    assert "iPLEDGE compliance" in body
    assert 'id="item-counseling"' in body and "Blocks prescription" in body
    assert "Past months" in body
    assert "iPLEDGE compliance" not in client_for(front_desk).get(chart).content.decode()


def test_the_course_entries_page_lists_the_entries_in_order(prescriber, clinical_staff, client_for):
    course = waiting_course(prescriber)
    response = client_for(clinical_staff).get(url(course, "entries/"))
    assert response.status_code == 200
    body = response.content.decode()
    order = [
        body.index(f'id="entry-{code}"')
        for code in ("pregnancy-test", "primary-method", "secondary-method", "counseling", "comprehension")
    ]
    assert order == sorted(order)
    assert "Copper IUD" in body and "Male condom" in body
    assert f"Specimen collected {today().day} " in body


def test_ticking_records_the_day_and_who_and_unticking_removes_it(prescriber, clinical_staff, client_for):
    course = waiting_course(prescriber)
    client = client_for(clinical_staff)
    response = client.post(
        url(course, "entries/mark/"), {"key": "pregnancy_test", "action": "tick"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Entered" in response.content.decode() and "Nora Nurse" in response.content.decode()
    tick = EntryTick.objects.get(course=course)
    assert (tick.code, tick.entered_on, tick.entered_by, tick.cycle_start) == (
        "pregnancy_test",
        today(),
        clinical_staff,
        today(),
    )
    response = client.post(url(course, "entries/mark/"), {"key": "pregnancy_test", "action": "untick"})
    assert response.status_code == 302
    assert not EntryTick.objects.filter(course=course).exists()


def test_a_tampered_tick_changes_nothing(prescriber, clinical_staff, client_for):
    course = waiting_course(prescriber)
    client = client_for(clinical_staff)
    for data in ({"key": "nonsense", "action": "tick"}, {"key": "counseling", "action": "explode"}, {}):
        assert client.post(url(course, "entries/mark/"), data).status_code == 400
    assert not EntryTick.objects.exists()


def test_front_desk_may_not_see_or_tick_entries(prescriber, front_desk, client_for):
    course = waiting_course(prescriber)
    client = client_for(front_desk)
    assert client.get(url(course, "entries/")).status_code == 403
    assert client.post(url(course, "entries/mark/"), {"key": "counseling", "action": "tick"}).status_code == 403
    assert client.get("/ipledge/entries/").status_code == 403
    assert not EntryTick.objects.exists()


def test_different_methods_from_the_patient_are_shown_as_blocking(prescriber, clinical_staff, client_for):
    course = ready_course(prescriber)
    mismatched = ready_course(
        prescriber, office=("iud_copper", "male_condom"), patient=("combined_pill", "male_condom")
    )
    client = client_for(clinical_staff)
    assert 'id="methods-mismatch"' not in client.get(url(course, "entries/")).content.decode()
    body = client.get(url(mismatched, "entries/")).content.decode()
    assert 'id="methods-mismatch"' in body and "Blocking" in body
    clinic = client.get("/ipledge/entries/").content.decode()
    assert f'id="entries-course-{mismatched.pk}"' in clinic
    assert "Blocking: methods do not match" in clinic


def test_the_clinic_list_holds_only_courses_with_open_entries(prescriber, clinical_staff, client_for):
    waiting = waiting_course(prescriber)
    client = client_for(clinical_staff)
    body = client.get("/ipledge/entries/").content.decode()
    assert f'id="entries-course-{waiting.pk}"' in body
    for code in ("pregnancy_test", "primary_method", "secondary_method", "counseling", "comprehension"):
        client.post(url(waiting, "entries/mark/"), {"key": code, "action": "tick"})
    body = client.get("/ipledge/entries/").content.decode()
    assert f'id="entries-course-{waiting.pk}"' not in body


def test_the_calendar_page_and_ics_hold_the_upcoming_events(prescriber, clinical_staff, client_for, reauthenticate):
    course = ready_course(prescriber)
    client = client_for(clinical_staff)
    body = client.get(url(course, "calendar/")).content.decode()
    assert "7-day prescription window" in body and "Planned start of treatment" in body
    assert client.get(url(course, "calendar.ics")).status_code == 302  # re-authenticate first
    reauthenticate(client)
    response = client.get(url(course, "calendar.ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"] == "no-store"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    upcoming = {str(e["summary"]) for e in events if e.decoded("dtend") > today()}
    assert {"7-day prescription window", "Planned start of treatment"} <= upcoming
    uids = [str(e["uid"]) for e in events]
    assert len(uids) == len(set(uids)) and all(f"course-{course.pk}@" in u for u in uids)
    assert uids == [
        str(e["uid"]) for e in Calendar.from_ical(client.get(url(course, "calendar.ics")).content).walk("VEVENT")
    ]


def test_the_months_page_shows_how_past_months_ended(prescriber, clinical_staff, client_for):
    course = ready_course(prescriber)
    body = client_for(clinical_staff).get(url(course, "months/")).content.decode()
    assert 'id="past-months"' in body
    assert ago(35).strftime("%B") in body


def test_the_summary_shows_the_course_checklist_and_prints_without_buttons(prescriber, clinical_staff, client_for):
    course = ready_course(prescriber)
    body = client_for(clinical_staff).get(url(course, "summary/")).content.decode()
    assert 'id="summary-checklist"' in body and "Ready to prescribe" in body
    assert 'id="summary-mg-per-kg"' in body and 'id="summary-projected-end"' in body
    assert "print-summary" in body
    assert "No prescription recorded." in body


def test_a_tick_for_an_entry_that_is_not_ready_is_refused_next_to_the_entry(prescriber, clinical_staff, client_for):
    course = enrolled_course(prescriber)  # no test yet: no result to enter
    response = client_for(clinical_staff).post(
        url(course, "entries/mark/"), {"key": "pregnancy_test", "action": "tick"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200  # htmx swaps the row with the message
    assert "not on this month" in response.content.decode()
    assert not EntryTick.objects.exists()


def test_a_course_of_another_patient_is_not_found(prescriber, clinical_staff, client_for):
    course = waiting_course(prescriber)
    other = waiting_course(prescriber)
    client = client_for(clinical_staff)
    for page in ("entries/", "calendar/", "months/", "summary/"):
        assert client.get(f"/ipledge/patients/{other.patient_id}/{course.pk}/{page}").status_code == 404
    response = client.post(
        f"/ipledge/patients/{other.patient_id}/{course.pk}/entries/mark/", {"key": "counseling", "action": "tick"}
    )
    assert response.status_code == 404
    assert not EntryTick.objects.exists()


def test_booked_visits_are_on_the_calendar_and_in_the_ics_and_cancelled_ones_are_not(
    prescriber, clinical_staff, client_for, reauthenticate
):
    from courses.visits.models import VisitStatus
    from tests.visits.factories import VisitFactory, at

    course = ready_course(prescriber)
    booked_day, cancelled_day = today() + timedelta(days=3), today() + timedelta(days=5)
    VisitFactory(course=course, starts_at=at(booked_day, 14, 30))
    VisitFactory(
        course=course, starts_at=at(cancelled_day, 9), status=VisitStatus.CANCELLED, cancel_reason="Patient asked"
    )
    client = client_for(clinical_staff)

    body = client.get(url(course, "calendar/")).content.decode()
    reauthenticate(client)
    events = Calendar.from_ical(client.get(url(course, "calendar.ics")).content).walk("VEVENT")

    assert "Monthly follow-up visit 14:30 (scheduled)" in body
    visits = [e.decoded("dtstart") for e in events if "visit 14:30" in str(e["summary"])]
    assert visits == [booked_day]
    assert not any(e.decoded("dtstart") == cancelled_day and "visit" in str(e["summary"]) for e in events)
