"""Labs pages cost the same number of SQL queries with 3 results as with 100 (acceptance 5)."""

from datetime import date, timedelta

import pytest

from labs.models import Analyte
from tests.factories import PatientFactory
from tests.patients.test_query_counts import CHART_QUERIES, count_queries

from .factories import LabResultFactory, PregnancyTestFactory, SpecimenFactory

CODES = ["tg", "chol", "ldl", "alt", "ast"]


def results_for(patient, count: int, recorded_by) -> None:
    analytes = {a.code: a for a in Analyte.objects.all()}
    specimen = None
    for i in range(count):
        if i % len(CODES) == 0:
            specimen = SpecimenFactory(
                patient=patient, collected_on=date(2026, 1, 1) + timedelta(days=i), recorded_by=recorded_by
            )
        # Every other specimen has a high triglyceride: flags, threshold badges, review forms.
        LabResultFactory(specimen=specimen, analyte=analytes[CODES[i % len(CODES)]], value=600 if i % 10 == 0 else 40)


@pytest.mark.parametrize("size", [3, 100])
def test_the_labs_page_uses_a_fixed_number_of_queries(prescriber, client_for, size):
    patient = PatientFactory()
    results_for(patient, size, prescriber)
    client = client_for(prescriber)
    client.get("/patients/")  # warm the session
    assert count_queries(client, f"/labs/patients/{patient.pk}/") == LABS_PAGE_QUERIES


@pytest.mark.parametrize("size", [3, 100])
def test_the_pregnancy_tests_page_uses_a_fixed_number_of_queries(clinical_staff, prescriber, client_for, size):
    patient = PatientFactory()
    for i in range(size):
        verified = {"verified_by": prescriber, "verified_at": "2026-01-02T12:00Z", "verification_method": "video"}
        PregnancyTestFactory(
            patient=patient,
            collected_on=date(2026, 1, 1) + timedelta(days=i),
            setting="home",
            recorded_by=clinical_staff,
            **(verified if i % 2 else {}),
        )
    client = client_for(clinical_staff)
    client.get("/patients/")
    assert count_queries(client, f"/labs/patients/{patient.pk}/pregnancy-tests/") == PREGNANCY_PAGE_QUERIES


@pytest.mark.parametrize("size", [3, 100])
def test_the_review_list_uses_a_fixed_number_of_queries(prescriber, client_for, size):
    for _ in range(size):
        LabResultFactory(value=700, specimen__recorded_by=prescriber)
    client = client_for(prescriber)
    client.get("/patients/")
    assert count_queries(client, "/labs/review/") == REVIEW_LIST_QUERIES


@pytest.mark.parametrize("size", [3, 100])
@pytest.mark.parametrize(
    ("role", "queries"),
    # front desk: no weights panel, no iPLEDGE panel
    [("clinical_staff", CHART_QUERIES), ("front_desk", CHART_QUERIES - 2)],
)
def test_the_chart_with_the_labs_panel_uses_a_fixed_number_of_queries(
    request, client_for, prescriber, size, role, queries
):
    patient = PatientFactory()
    results_for(patient, size, prescriber)
    PregnancyTestFactory.create_batch(size, patient=patient, setting="home")
    client = client_for(request.getfixturevalue(role))
    client.get("/patients/")
    assert count_queries(client, f"/patients/{patient.pk}/") == queries


# user, two-factor check (prescriber), permissions (one query), patient, access-event insert,
# specimen count, specimen page, their results (prefetch), thresholds, all results (trend charts)
LABS_PAGE_QUERIES = 10
# user, permissions, patient, access-event insert, count, page, all tests (positive alert)
PREGNANCY_PAGE_QUERIES = 7
# user, two-factor check, permissions, count, page of specimens with patients, their open results
REVIEW_LIST_QUERIES = 6
