"""The day schedule and the "due for a visit" list cost the same number of SQL queries at 10 and
at 500 courses (issue 6, acceptance 5); the chart's Visits panel costs one."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from courses.models import Course
from courses.visits.models import Visit, VisitStatus
from patients.demo import build_patients
from patients.models import Patient
from tests.factories import UserFactory

from .conftest import MONDAY
from .factories import at

THURSDAY = MONDAY + timedelta(days=3)
CLINICIANS = 10

# user, permissions (the session is read from the cache), the clinicians, the day's (or week's)
# visits with their patients
DAY_SCHEDULE_QUERIES = 4
# user, permissions, count, the page's course ids, those courses (with patients and
# prescribers), the windows (one query), the prescribers' booked time
DUE_LIST_QUERIES = 7


def seed(courses: int):
    """``courses`` open courses over 10 prescribers; each has a completed visit last month, and
    half have this Thursday's visit booked (5 minutes each, back to back per prescriber)."""
    prescribers = [UserFactory(role=Role.PRESCRIBER) for _ in range(CLINICIANS)]
    patients = Patient.objects.bulk_create(build_patients(courses, random.Random(courses)))
    rows = Course.objects.bulk_create(
        Course(
            patient=patient,
            prescriber=prescribers[n % CLINICIANS],
            created_by=prescribers[0],
            indication="severe_nodular",
            formulation="conventional",
            planned_start=MONDAY - timedelta(days=60),
            start_date=MONDAY - timedelta(days=60),
            state="active",
        )
        for n, patient in enumerate(patients)
    )
    visits = []
    for n, course in enumerate(rows):
        common = {"course": course, "patient_id": course.patient_id, "clinician": course.prescriber}
        visits.append(
            Visit(
                starts_at=at(MONDAY - timedelta(days=25), 8) + timedelta(minutes=5 * (n // CLINICIANS)),
                status=VisitStatus.COMPLETED,
                duration_minutes=5,
                booked_by=course.prescriber,
                **common,
            )
        )
        if n % 2:
            visits.append(
                Visit(
                    starts_at=at(THURSDAY, 8) + timedelta(minutes=5 * (n // CLINICIANS)),
                    duration_minutes=5,
                    booked_by=course.prescriber,
                    **common,
                )
            )
    Visit.objects.bulk_create(visits)
    return rows


def count_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("courses", [10, 500])
def test_the_day_schedule_uses_a_fixed_number_of_queries(front_desk, client_for, monday_morning, courses):
    seed(courses)
    client = client_for(front_desk)
    client.get("/visits/day/")  # warm the session
    count, page = count_queries(client, f"/visits/day/?date={THURSDAY}")
    assert count == DAY_SCHEDULE_QUERIES
    assert page.count("data-visit=") == courses // 2
    count, _ = count_queries(client, f"/visits/week/?date={THURSDAY}")
    assert count == DAY_SCHEDULE_QUERIES


@pytest.mark.parametrize("courses", [10, 500])
def test_the_due_list_uses_a_fixed_number_of_queries(front_desk, client_for, monday_morning, courses):
    seed(courses)
    client = client_for(front_desk)
    client.get("/visits/day/")
    count, page = count_queries(client, "/visits/due/")
    assert count == DUE_LIST_QUERIES
    assert f"{courses - courses // 2} open courses" in page
    assert page.count("/visits/book/") == min(25, courses - courses // 2)
