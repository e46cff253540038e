"""The patient list and chart cost the same number of SQL queries whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PatientFactory, WeightFactory
from tests.patients.factories import OutboxMessageFactory


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [5, 200])
def test_the_patient_list_uses_a_fixed_number_of_queries(clinical_staff, client_for, size):
    PatientFactory.create_batch(size)
    client = client_for(clinical_staff)
    client.get("/patients/")  # warm the session
    assert count_queries(client, "/patients/") == PATIENT_LIST_QUERIES
    assert count_queries(client, "/patients/?q=Testcase") == PATIENT_LIST_QUERIES


@pytest.mark.parametrize("size", [5, 200])
def test_the_chart_uses_a_fixed_number_of_queries(clinical_staff, client_for, size):
    patients = PatientFactory.create_batch(size)
    for p in patients[:3]:
        WeightFactory.create_batch(4, patient=p, recorded_by=clinical_staff)
    for p in patients[: size // 10]:
        OutboxMessageFactory.create_batch(size // 10, patient=p)
    client = client_for(clinical_staff)
    client.get("/patients/")
    assert count_queries(client, f"/patients/{patients[0].pk}/") == CHART_QUERIES


# session, user, permissions (role and user, one query), count, page
PATIENT_LIST_QUERIES = 4
# session, user, permissions, patient with its latest risk change, access-event insert
# (savepoint-free), weights, reminders section; course panel (the patient's courses; tests/courses
# pins the rest); visits panel (upcoming and recent visits, one UNION ALL); labs panel (results,
# lab settings, pregnancy tests); iPLEDGE compliance panel (the open course's stored status with
# its checklist; none for front desk)
CHART_QUERIES = 12
