"""The course page, the planner, the chart panel and the selectors other apps use cost a fixed
number of SQL queries whatever the number of dose periods, missed days and courses."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Course, MissedDose
from courses.selectors import dose_inputs
from tests.factories import WeightFactory
from tests.patients.test_query_counts import CHART_QUERIES

from .factories import CourseFactory, add_periods, days_ago


def count_queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries)


def course_with(patient, prescriber, periods: int) -> Course:
    WeightFactory.create_batch(3, patient=patient, recorded_by=prescriber)
    earlier = CourseFactory(
        patient=patient,
        prescriber=prescriber,
        planned_start=days_ago(900),
        state="completed",
        end_date=days_ago(700),
        end_reason="target_reached",
    )
    add_periods(earlier, periods)
    course = CourseFactory(patient=patient, prescriber=prescriber, planned_start=days_ago(periods * 7 + 10))
    add_periods(course, periods)
    MissedDose.objects.bulk_create(
        MissedDose(course=course, patient=patient, day=days_ago(n), recorded_by=prescriber) for n in range(1, periods)
    )
    return course


@pytest.mark.parametrize("periods", [2, 40])
def test_the_course_page_uses_a_fixed_number_of_queries(prescriber, clinical_staff, client_for, patient, periods):
    course = course_with(patient, prescriber, periods)
    url = f"/courses/patients/{patient.pk}/{course.pk}/"
    for user, expected in ((clinical_staff, COURSE_PAGE_QUERIES), (prescriber, COURSE_PAGE_QUERIES_PRESCRIBER)):
        client = client_for(user)
        client.get(url)  # warm the session
        assert count_queries(client, url) == expected
    planner = url + "what-if/?whatif-target=150&whatif-by=2099-01-01&whatif-daily_dose=60"
    client = client_for(clinical_staff)
    client.get(url)
    assert count_queries(client, planner, HX_Request="true") == WHAT_IF_QUERIES


@pytest.mark.parametrize("periods", [2, 40])
def test_the_chart_with_the_course_panel_uses_a_fixed_number_of_queries(
    prescriber, clinical_staff, front_desk, client_for, patient, periods
):
    course_with(patient, prescriber, periods)
    for user, expected in ((clinical_staff, CHART_WITH_DOSES), (front_desk, CHART_WITHOUT_DOSES)):
        client = client_for(user)
        client.get("/patients/")
        assert count_queries(client, f"/patients/{patient.pk}/") == expected


@pytest.mark.parametrize("courses", [3, 30])
def test_dose_inputs_for_many_courses_use_three_queries(prescriber, courses, django_assert_num_queries):
    ids = []
    for _ in range(courses):
        course = CourseFactory(prescriber=prescriber)
        WeightFactory(patient=course.patient, recorded_by=prescriber)
        add_periods(course, 3)
        ids.append(course.pk)
    with django_assert_num_queries(3):  # courses, dose rows (one UNION ALL), weights
        facts = dose_inputs(ids)
    assert set(facts) == set(ids)
    assert all(len(f.periods) == 3 and len(f.weights) == 1 for f in facts.values())


# The iPLEDGE compliance panel (settings.COURSE_PANELS): status row, prescriptions, authorizations.
IPLEDGE_PANEL_QUERIES = 3
# user, permissions (role and user, one query), patient, the patient's courses, their periods,
# missed days and holds, weights, dosing settings; the visits panel (courses/visits, one query);
# the iPLEDGE panel
COURSE_PAGE_QUERIES = 10 + IPLEDGE_PANEL_QUERIES
# ... plus the two-factor check of a prescriber and the list of prescribers (course details form)
COURSE_PAGE_QUERIES_PRESCRIBER = COURSE_PAGE_QUERIES + 2
WHAT_IF_QUERIES = 9
# The patient chart (tests/patients/test_query_counts.py: CHART_QUERIES, which includes the
# panel's query of the patient's courses) plus its dose rows (periods, missed days and holds in
# one UNION ALL), weights, settings.
CHART_WITH_DOSES = CHART_QUERIES + 3
# Front desk: the chart without the weights and the iPLEDGE panel (not theirs to see), and the
# panel's one query.
CHART_WITHOUT_DOSES = CHART_QUERIES - 2
