"""Booking, moving, cancelling and attending visits through the services."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from courses.visits import services
from courses.visits.models import Visit, VisitStatus, VisitType
from patients.models import WeightMeasurement
from patients.outbox.models import MessageKind, OutboxMessage, Status
from tests.courses.factories import CourseFactory

from .conftest import MONDAY
from .factories import at

THURSDAY = MONDAY + timedelta(days=3)  # inside the window (28 to 35 days after 30 Jan)


def book(actor, course, when, **changes):
    fields = {"clinician_id": course.prescriber_id, "starts_at": when, "outside_window_ok": True, **changes}
    return services.visit_book(actor=actor, course_id=course.pk, **fields)


def live_reminders(patient, day: date) -> set[str]:
    return set(
        OutboxMessage.objects.filter(patient=patient, due_date=day)
        .exclude(status=Status.CANCELLED)
        .values_list("kind", flat=True)
    )


def test_booking_a_visit_schedules_its_two_reminders_with_the_local_time(front_desk, course):
    visit = book(front_desk, course, at(THURSDAY, 14, 30))
    assert visit.status == VisitStatus.SCHEDULED and visit.patient_id == course.patient_id
    messages = OutboxMessage.objects.filter(patient=course.patient, due_date=THURSDAY).order_by("send_after")
    assert [(m.kind, m.context["time"]) for m in messages] == [
        (MessageKind.VISIT_2_DAYS, "14:30"),
        (MessageKind.VISIT_1_DAY, "14:30"),
    ]
    assert [m.send_after.date() for m in messages] == [THURSDAY - timedelta(days=2), THURSDAY - timedelta(days=1)]


def test_a_clinician_cannot_be_booked_twice_at_overlapping_times(front_desk, course, doctor):
    book(front_desk, course, at(THURSDAY, 10))
    other = CourseFactory(prescriber=doctor)
    with pytest.raises(ValidationError) as refused:
        book(front_desk, other, at(THURSDAY, 10, 15))
    assert refused.value.message_dict == {"starts_at": ["Dr. Dana Doctor is already booked at that time."]}
    assert Visit.objects.count() == 1
    # Back to back is fine.
    book(front_desk, other, at(THURSDAY, 10, 30))


def test_a_cancelled_visit_frees_the_clinicians_time(front_desk, course, doctor):
    visit = book(front_desk, course, at(THURSDAY, 10))
    services.visit_cancel(actor=front_desk, visit_id=visit.pk, reason="Patient has exams")
    book(front_desk, CourseFactory(prescriber=doctor), at(THURSDAY, 10))
    assert Visit.objects.filter(status=VisitStatus.SCHEDULED).count() == 1


def test_cancelling_requires_a_reason_and_changes_nothing_without_one(front_desk, course):
    visit = book(front_desk, course, at(THURSDAY, 10))
    with pytest.raises(ValidationError) as refused:
        services.visit_cancel(actor=front_desk, visit_id=visit.pk, reason="  ")
    assert "reason" in refused.value.message_dict
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED
    assert live_reminders(course.patient, THURSDAY) == {MessageKind.VISIT_2_DAYS, MessageKind.VISIT_1_DAY}


def test_cancelling_a_visit_cancels_its_reminders(front_desk, course):
    visit = book(front_desk, course, at(THURSDAY, 10))
    services.visit_cancel(actor=front_desk, visit_id=visit.pk, reason="Moved away")
    assert live_reminders(course.patient, THURSDAY) == set()


def test_cancelling_one_of_two_visits_on_a_day_keeps_the_reminders_of_the_other(front_desk, course, clinical_staff):
    morning = book(front_desk, course, at(THURSDAY, 9))
    book(front_desk, course, at(THURSDAY, 15), clinician_id=clinical_staff.pk, type=VisitType.TELEHEALTH)
    other_day = book(front_desk, course, at(THURSDAY + timedelta(days=1), 9))
    services.visit_cancel(actor=front_desk, visit_id=morning.pk, reason="Only one visit needed")
    assert live_reminders(course.patient, THURSDAY) == {MessageKind.VISIT_2_DAYS, MessageKind.VISIT_1_DAY}
    services.visit_cancel(actor=front_desk, visit_id=other_day.pk, reason="Not needed")
    assert live_reminders(course.patient, THURSDAY + timedelta(days=1)) == set()
    assert live_reminders(course.patient, THURSDAY) == {MessageKind.VISIT_2_DAYS, MessageKind.VISIT_1_DAY}


def test_rescheduling_moves_the_reminders_to_the_new_day_and_time(front_desk, course):
    visit = book(front_desk, course, at(THURSDAY, 10))
    friday = THURSDAY + timedelta(days=1)
    services.visit_reschedule(
        actor=front_desk,
        visit_id=visit.pk,
        clinician_id=course.prescriber_id,
        starts_at=at(friday, 11, 30),
        duration_minutes=30,
        outside_window_ok=True,
    )
    assert live_reminders(course.patient, THURSDAY) == set()
    assert set(
        OutboxMessage.objects.filter(patient=course.patient, due_date=friday, status=Status.PENDING).values_list(
            "kind", "context__time"
        )
    ) == {(MessageKind.VISIT_2_DAYS, "11:30"), (MessageKind.VISIT_1_DAY, "11:30")}
    # Moving back to the first day brings its cancelled reminders back, with the new time.
    services.visit_reschedule(
        actor=front_desk,
        visit_id=visit.pk,
        clinician_id=course.prescriber_id,
        starts_at=at(THURSDAY, 16),
        duration_minutes=30,
        outside_window_ok=True,
    )
    assert set(
        OutboxMessage.objects.filter(patient=course.patient, due_date=THURSDAY, status=Status.PENDING).values_list(
            "context__time", flat=True
        )
    ) == {"16:00"}


def test_a_monthly_visit_outside_the_window_needs_confirmation(front_desk, course):
    late = MONDAY + timedelta(days=10)  # the window: 28 to 35 days after 31 Jan
    with pytest.raises(ValidationError) as refused:
        book(front_desk, course, at(late, 10), outside_window_ok=False)
    assert "2026-02-28 to 2026-03-07" in refused.value.message_dict["outside_window_ok"][0]
    assert not Visit.objects.exists()
    book(front_desk, course, at(late, 10), outside_window_ok=True)
    book(front_desk, course, at(THURSDAY, 10), outside_window_ok=False)  # inside: no question
    assert Visit.objects.count() == 2


def test_the_window_counts_from_the_last_attended_visit(front_desk, course):
    from courses.visits.windows import visit_windows
    from tests.visits.factories import VisitFactory

    VisitFactory(course=course, starts_at=at(MONDAY - timedelta(days=3), 10), status=VisitStatus.COMPLETED)
    VisitFactory(course=course, starts_at=at(MONDAY - timedelta(days=1), 10), status=VisitStatus.NO_SHOW)
    first = MONDAY - timedelta(days=3) + timedelta(days=28)
    assert visit_windows([course.pk]) == {course.pk: (first, first + timedelta(days=7))}


def test_visits_cannot_be_booked_in_the_past_or_for_an_ended_course(front_desk, course):
    with pytest.raises(ValidationError):
        book(front_desk, course, at(MONDAY - timedelta(days=1), 10))
    ended = CourseFactory(state="completed", end_date=MONDAY - timedelta(days=5), end_reason="target_reached")
    with pytest.raises(ValidationError):
        book(front_desk, ended, at(THURSDAY, 10))
    assert not Visit.objects.exists()


def test_check_in_happens_on_the_day_and_a_no_show_only_once_the_time_has_come(front_desk, course):
    import time_machine

    visit = book(front_desk, course, at(THURSDAY, 10))
    with pytest.raises(ValidationError):
        services.visit_check_in(actor=front_desk, visit_id=visit.pk)
    with pytest.raises(ValidationError):
        services.visit_mark_no_show(actor=front_desk, visit_id=visit.pk)
    with time_machine.travel(at(THURSDAY, 9, 50), tick=False):
        assert services.visit_check_in(actor=front_desk, visit_id=visit.pk).status == VisitStatus.CHECKED_IN
        with pytest.raises(ValidationError):  # checked in: no longer scheduled
            services.visit_mark_no_show(actor=front_desk, visit_id=visit.pk)
    other = book(front_desk, course, at(THURSDAY, 14))
    with time_machine.travel(at(THURSDAY, 14, 20), tick=False):
        assert services.visit_mark_no_show(actor=front_desk, visit_id=other.pk).status == VisitStatus.NO_SHOW


def test_recording_findings_completes_the_visit_and_adds_the_weight_to_the_patients_weights(
    front_desk, clinical_staff, course
):
    import time_machine

    visit = book(front_desk, course, at(THURSDAY, 10))
    with time_machine.travel(at(THURSDAY, 10, 5), tick=False):
        services.visit_check_in(actor=front_desk, visit_id=visit.pk)
        visit = services.visit_record_clinical(
            actor=clinical_staff,
            visit_id=visit.pk,
            weight_kg=Decimal("64.5"),
            side_effects=["dry_lips", "mood"],
            phq2_score=3,
            phq9_score=8,
        )
    assert visit.status == VisitStatus.COMPLETED
    assert visit.side_effect_labels == ["Dry lips", "Mood"]
    weight = WeightMeasurement.objects.get(patient=course.patient)
    assert (weight.weight_kg, weight.measured_on, weight.recorded_by) == (Decimal("64.50"), THURSDAY, clinical_staff)


@pytest.mark.parametrize(
    ("field", "value"),
    [("phq2_score", 7), ("phq9_score", 28), ("weight_kg", Decimal("12")), ("side_effects", ["rash"])],
)
def test_findings_out_of_range_are_refused_and_nothing_is_saved(front_desk, clinical_staff, course, field, value):
    import time_machine

    visit = book(front_desk, course, at(THURSDAY, 10))
    fields = {"weight_kg": None, "side_effects": [], field: value}
    with time_machine.travel(at(THURSDAY, 10, 5), tick=False), pytest.raises(ValidationError):
        services.visit_record_clinical(actor=clinical_staff, visit_id=visit.pk, **fields)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED and visit.phq2_score is None
    assert not WeightMeasurement.objects.filter(patient=course.patient).exists()


def test_visits_are_audited(front_desk, course):
    visit = book(front_desk, course, at(THURSDAY, 10))
    services.visit_cancel(actor=front_desk, visit_id=visit.pk, reason="Sick")
    events = visit.events.order_by("pgh_id").values_list("pgh_label", "status")
    assert list(events) == [("insert", "scheduled"), ("update", "cancelled")]


def fixed_windows(course_ids, on):
    """A provider such as ipledge may supply: every course's window is the coming Friday only."""
    friday = on + timedelta(days=(4 - on.weekday()) % 7)
    return dict.fromkeys(course_ids, (friday, friday))


def test_the_window_comes_from_the_configured_provider(settings, front_desk, course):
    settings.VISIT_WINDOW_PROVIDER = "tests.visits.test_services.fixed_windows"
    with pytest.raises(ValidationError) as refused:
        book(front_desk, course, at(THURSDAY, 10), outside_window_ok=False)
    assert "2026-03-06 to 2026-03-06" in refused.value.message_dict["outside_window_ok"][0]
    book(front_desk, course, at(THURSDAY + timedelta(days=1), 10), outside_window_ok=False)


def test_with_several_locations_a_booking_names_one_of_them(settings, front_desk, course):
    settings.CLINIC_LOCATIONS = ["Downtown", "Northside"]
    with pytest.raises(ValidationError) as refused:
        book(front_desk, course, at(THURSDAY, 10), location="Mars")
    assert "location" in refused.value.message_dict
    assert book(front_desk, course, at(THURSDAY, 10), location="Northside").location == "Northside"
