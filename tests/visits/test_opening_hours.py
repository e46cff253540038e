"""A visit outside opening hours (a closed day, before opening, running past closing) is booked
only when front desk confirms it: such a time is most often a slip (02:30 for 14:30)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from courses.visits import services
from courses.visits.models import Visit

from .conftest import MONDAY
from .factories import at

THURSDAY = MONDAY + timedelta(days=3)
SATURDAY = MONDAY + timedelta(days=5)


def book(actor, course, when, **changes):
    fields = {"clinician_id": course.prescriber_id, "starts_at": when, "outside_window_ok": True, **changes}
    return services.visit_book(actor=actor, course_id=course.pk, **fields)


@pytest.mark.parametrize(
    ("day", "hour", "minute", "duration"),
    [(THURSDAY, 2, 30, 30), (THURSDAY, 8, 0, 30), (THURSDAY, 16, 45, 30), (SATURDAY, 10, 0, 30)],
    ids=["at night", "before opening", "running past closing", "on a closed day"],
)
def test_a_visit_outside_opening_hours_needs_a_confirmation(front_desk, course, day, hour, minute, duration):
    with pytest.raises(ValidationError) as refused:
        book(front_desk, course, at(day, hour, minute), duration_minutes=duration)
    assert (
        "outside opening hours (Mon, Tue, Wed, Thu, Fri, 08:30 to 17:00)"
        in refused.value.message_dict["outside_hours_ok"][0]
    )
    assert not Visit.objects.exists()

    visit = book(front_desk, course, at(day, hour, minute), duration_minutes=duration, outside_hours_ok=True)
    assert Visit.objects.get() == visit


def test_the_first_and_last_slots_of_the_day_need_no_confirmation(front_desk, course):
    book(front_desk, course, at(THURSDAY, 8, 30))
    book(front_desk, course, at(THURSDAY, 16, 30))
    assert Visit.objects.count() == 2


def test_the_booking_page_shows_the_refusal_next_to_the_confirmation_box(front_desk, client_for, course):
    response = client_for(front_desk).post(
        f"/visits/book/{course.pk}/",
        {
            "type": "monthly",
            "clinician": course.prescriber_id,
            "day": SATURDAY.isoformat(),
            "time": "10:00",
            "duration_minutes": 30,
            "outside_window_ok": "on",
        },
    )
    assert response.status_code == 200
    assert "outside opening hours" in response.context["form"].errors["outside_hours_ok"][0]
    assert not Visit.objects.exists()
