"""The demo seed gives open courses their past visits and, for most, the next one booked."""

import io

from django.core.management import call_command

from courses.models import Course
from courses.visits.models import BOOKED_STATUSES, Visit, VisitStatus


def test_the_demo_seed_books_visits_without_double_booking_anyone(db):

    call_command("seed_demo", patients=300, seed=7, stdout=io.StringIO())
    open_courses = Course.objects.filter(state__in=["active", "paused"]).count()
    assert open_courses > 0
    assert Visit.objects.filter(status=VisitStatus.COMPLETED).exists()
    assert Visit.objects.filter(status=VisitStatus.SCHEDULED).exists()
    booked = list(Visit.objects.filter(status__in=BOOKED_STATUSES).values_list("clinician_id", "starts_at"))
    assert len(booked) == len(set(booked))  # and the exclusion constraint would have refused overlaps
