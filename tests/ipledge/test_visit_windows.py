"""The front desk's visit windows come from the compliance rules, stored with each status."""

from datetime import timedelta

import pytest
import time_machine

from ipledge import status
from ipledge.visit_windows import compliance_windows
from tests.courses.factories import start_course, with_weight
from tests.factories import PatientFactory

from .records import NOON, TODAY, days_before, enrolled_course, ready_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def test_a_ready_course_should_come_in_before_its_open_prescription_window_closes(prescriber, clinical_staff):
    course = ready_course(prescriber, clinical_staff)
    status.recompute([course.pk])
    assert compliance_windows([course.pk], TODAY) == {course.pk: (TODAY, days_before(2) + timedelta(days=6))}


def test_an_enrolled_course_without_this_months_test_is_shown_a_week_to_come_in(prescriber):
    course = enrolled_course(prescriber)
    status.recompute([course.pk])
    (start, end) = compliance_windows([course.pk], TODAY)[course.pk]
    assert start <= TODAY + timedelta(days=1) and end == start + timedelta(days=6)


def test_a_course_without_a_status_row_falls_back_to_the_monthly_rhythm(prescriber):
    course = start_course(prescriber, with_weight(PatientFactory()), start=days_before(10))
    assert compliance_windows([course.pk], TODAY) == {
        course.pk: (days_before(10) + timedelta(days=28), days_before(10) + timedelta(days=35))
    }


def test_the_due_list_shows_the_compliance_window(prescriber, clinical_staff, front_desk, client_for):
    course = ready_course(prescriber, clinical_staff)
    status.recompute([course.pk])
    page = client_for(front_desk).get("/visits/due/").content.decode()
    window_end = days_before(2) + timedelta(days=6)
    assert f"{TODAY:%Y-%m-%d} to {window_end:%Y-%m-%d}" in page
