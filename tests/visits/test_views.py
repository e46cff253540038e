"""The front desk pages: schedules, due list, booking with the window question, the visit page
and its findings form (prescribers and clinical staff only)."""

from datetime import timedelta

import pytest
import time_machine

from courses.visits.models import Visit, VisitStatus
from patients.models import WeightMeasurement

from .conftest import MONDAY
from .factories import VisitFactory, at

THURSDAY = MONDAY + timedelta(days=3)
LATE = MONDAY + timedelta(days=10)  # after the course's window (28 Feb to 7 Mar)


def book_data(course, day, hour="10:00", **extra):
    return {
        "clinician": course.prescriber_id,
        "day": day.isoformat(),
        "time": hour,
        "duration_minutes": 30,
        "type": "monthly",
        **extra,
    }


def test_front_desk_starts_on_the_day_schedule(front_desk, client_for, monday_morning):
    response = client_for(front_desk).get("/")
    assert response.status_code == 302 and response["Location"] == "/visits/day/"


def test_the_due_list_shows_the_window_and_a_suggested_slot_within_it(front_desk, client_for, course):
    page = client_for(front_desk).get("/visits/due/").content.decode()
    assert course.patient.list_name in page
    assert "2026-02-28 to 2026-03-07" in page
    assert "Mon 2026-03-02 08:30" in page  # the prescriber's first free slot today
    assert f"/visits/book/{course.pk}/?start=" in page


def test_a_course_with_a_visit_booked_ahead_is_not_due(front_desk, client_for, course):
    VisitFactory(course=course, starts_at=at(THURSDAY, 9))
    page = client_for(front_desk).get("/visits/due/").content.decode()
    assert course.patient.list_name not in page


def test_booking_from_the_form_shows_the_visit_on_the_day_schedule(front_desk, client_for, course):
    client = client_for(front_desk)
    form = client.get(f"/visits/book/{course.pk}/").content.decode()
    assert 'value="2026-03-02"' in form and 'value="08:30' in form  # the suggested slot, prefilled
    response = client.post(f"/visits/book/{course.pk}/", book_data(course, THURSDAY))
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.clinician_id, visit.starts_at) == (course.prescriber_id, at(THURSDAY, 10))
    day = client.get(response["Location"]).content.decode()
    assert course.patient.list_name in day and f'data-visit="{visit.pk}"' in day


def test_booking_outside_the_window_asks_for_confirmation(front_desk, client_for, course):
    client = client_for(front_desk)
    response = client.post(f"/visits/book/{course.pk}/", book_data(course, LATE))
    assert response.status_code == 200
    assert "outside the window for the next monthly visit" in response.content.decode()
    assert not Visit.objects.exists()
    response = client.post(f"/visits/book/{course.pk}/", book_data(course, LATE, outside_window_ok="on"))
    assert response.status_code == 302 and Visit.objects.count() == 1


def test_a_double_booking_from_the_form_is_a_clear_error_next_to_the_time(front_desk, client_for, course, doctor):
    VisitFactory(clinician=doctor, starts_at=at(THURSDAY, 10))
    response = client_for(front_desk).post(f"/visits/book/{course.pk}/", book_data(course, THURSDAY))
    assert response.status_code == 200
    assert "Dr. Dana Doctor is already booked at that time." in response.content.decode()


@pytest.mark.parametrize(
    "bad", [{"day": "2026-02-30"}, {"time": "25:00"}, {"clinician": "999999"}, {"day": "2026-03-01"}]
)
def test_bad_booking_input_is_a_form_error_and_changes_nothing(front_desk, client_for, course, bad):
    response = client_for(front_desk).post(f"/visits/book/{course.pk}/", {**book_data(course, THURSDAY), **bad})
    assert response.status_code == 200 and "field-invalid" in response.content.decode()
    assert not Visit.objects.exists()


def test_front_desk_sees_no_clinical_fields_and_cannot_submit_them(front_desk, clinical_staff, client_for, course):
    visit = VisitFactory(course=course, starts_at=at(MONDAY, 9), weight_kg=70, phq9_score=12)
    with time_machine.travel(at(MONDAY, 9, 10), tick=False):
        nurse_page = client_for(clinical_staff).get(f"/visits/{visit.pk}/").content.decode()
        assert "Findings" in nurse_page and "PHQ-9" in nurse_page
        desk = client_for(front_desk)
        page = desk.get(f"/visits/{visit.pk}/").content.decode()
        assert "Findings" not in page and "PHQ" not in page and "weight_kg" not in page
        assert "Check in" in page
        tampered = {"weight_kg": "50", "phq9_score": "3", "side_effects": ["mood"]}
        assert desk.post(f"/visits/{visit.pk}/findings/", tampered).status_code == 403
        # Clinical fields slipped into a scheduling form are not fields of it: ignored.
        desk.post(f"/visits/{visit.pk}/cancel/", {"reason": "Clash", **tampered})
        visit.refresh_from_db()
        assert (visit.status, visit.weight_kg, visit.phq9_score) == (VisitStatus.CANCELLED, 70, 12)
        assert not WeightMeasurement.objects.exists()


def test_clinical_staff_record_findings_on_the_visit_page(clinical_staff, client_for, course):
    visit = VisitFactory(course=course, starts_at=at(MONDAY, 9), status=VisitStatus.CHECKED_IN)
    with time_machine.travel(at(MONDAY, 9, 10), tick=False):
        client = client_for(clinical_staff)
        bad = client.post(f"/visits/{visit.pk}/findings/", {"phq2_score": "9"})
        assert bad.status_code == 400 and "less than or equal to 6" in bad.content.decode()
        response = client.post(
            f"/visits/{visit.pk}/findings/",
            {"weight_kg": "61.2", "side_effects": ["dry_skin", "nosebleeds"], "phq2_score": "1"},
        )
        assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED and visit.side_effects == ["dry_skin", "nosebleeds"]
    assert WeightMeasurement.objects.get(patient=course.patient).weight_kg == visit.weight_kg


def test_check_in_no_show_and_cancel_from_the_visit_page(front_desk, client_for, course):
    morning = VisitFactory(course=course, starts_at=at(MONDAY, 9))
    noon = VisitFactory(course=course, clinician=morning.clinician, starts_at=at(MONDAY, 12))
    client = client_for(front_desk)
    with time_machine.travel(at(MONDAY, 9, 5), tick=False):
        client.post(f"/visits/{morning.pk}/check-in/")
        early = client.post(f"/visits/{noon.pk}/no-show/", follow=True)
        assert "only once its time has come" in early.content.decode()
    with time_machine.travel(at(MONDAY, 12, 30), tick=False):
        client = client_for(front_desk)  # a new session: the morning's has timed out
        client.post(f"/visits/{noon.pk}/no-show/")
    morning.refresh_from_db()
    noon.refresh_from_db()
    assert (morning.status, noon.status) == (VisitStatus.CHECKED_IN, VisitStatus.NO_SHOW)
    later = VisitFactory(course=course, starts_at=at(THURSDAY, 9))
    assert client.post(f"/visits/{later.pk}/cancel/", {"reason": ""}).status_code == 200
    later.refresh_from_db()
    assert later.status == VisitStatus.SCHEDULED


def test_the_week_schedule_lists_the_clinicians_visits_by_day(front_desk, client_for, course, doctor):
    VisitFactory(course=course, clinician=doctor, starts_at=at(THURSDAY, 9))
    page = client_for(front_desk).get(f"/visits/week/?date=2026-03-04&clinician={doctor.pk}").content.decode()
    assert "Week of 2 March 2026" in page and course.patient.list_name in page


def test_the_chart_and_the_course_page_show_the_visits(clinical_staff, client_for, course):
    VisitFactory(course=course, starts_at=at(THURSDAY, 9))
    VisitFactory(course=course, starts_at=at(MONDAY - timedelta(days=20), 9), status=VisitStatus.COMPLETED)
    chart = client_for(clinical_staff).get(f"/patients/{course.patient_id}/").content.decode()
    assert 'id="visits-upcoming"' in chart and "2026-03-05 09:00" in chart and "2026-02-10 09:00" in chart


def test_the_booking_form_asks_for_a_location_only_when_the_clinic_has_several(
    settings, front_desk, client_for, course
):
    client = client_for(front_desk)
    assert 'name="location"' not in client.get(f"/visits/book/{course.pk}/").content.decode()
    settings.CLINIC_LOCATIONS = ["Downtown", "Northside"]
    assert 'name="location"' in client.get(f"/visits/book/{course.pk}/").content.decode()
    response = client.post(f"/visits/book/{course.pk}/", book_data(course, THURSDAY, location="Northside"))
    assert response.status_code == 302 and Visit.objects.get().location == "Northside"


def test_when_the_window_is_closed_or_full_the_due_list_suggests_the_next_free_slot_after_it(
    front_desk, client_for, doctor, monday_morning
):
    from tests.courses.factories import CourseFactory

    late = CourseFactory(prescriber=doctor, planned_start=MONDAY - timedelta(days=40))  # window ended 25 Feb
    page = client_for(front_desk).get("/visits/due/").content.decode()
    assert "2026-02-18 to 2026-02-25" in page and "Overdue" in page
    assert "Mon 2026-03-02 08:30" in page and "outside the window" in page
    assert f"/visits/book/{late.pk}/?start=" in page
