"""Two front desk staff book one clinician's slot at the same moment, on separate connections
in real transactions: exactly one visit is created, the other gets a clear message (issue 6,
acceptance 4). Neither booking can see the other before writing, so only the exclusion
constraint settles it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from courses.visits import services
from courses.visits.models import Visit
from patients.outbox.models import OutboxMessage
from tests.concurrency import run_in_threads
from tests.courses.factories import CourseFactory

from .conftest import MONDAY
from .factories import at

THURSDAY = MONDAY + timedelta(days=3)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(8))
def test_two_bookings_of_one_slot_at_the_same_moment_make_one_visit_and_one_clear_message(
    front_desk, doctor, monday_morning, round_
):
    # Two patients' courses (different course locks), one clinician, one slot.
    courses = [CourseFactory(prescriber=doctor), CourseFactory(prescriber=doctor)]

    def booking(course):
        return lambda: services.visit_book(
            actor=front_desk,
            course_id=course.pk,
            clinician_id=doctor.pk,
            starts_at=at(THURSDAY, 10),
            outside_window_ok=True,
        )

    outcomes = run_in_threads(*(booking(course) for course in courses))
    booked = [o for o in outcomes if isinstance(o, Visit)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(booked) == 1 and len(refused) == 1, outcomes
    assert refused[0].message_dict == {"starts_at": ["Dr. Dana Doctor is already booked at that time."]}
    assert Visit.objects.count() == 1
    # The refused booking left no reminders behind.
    assert set(OutboxMessage.objects.values_list("patient_id", flat=True)) == {booked[0].patient_id}
