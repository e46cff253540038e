"""The iPLEDGE pages cost a fixed number of SQL queries: the chart's compliance panel one, the
clinic-wide "what to enter" list the same with 10 and with 500 open courses."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Course, CourseState
from ipledge.models import (
    Authorization,
    ContraceptionMethod,
    ContraceptionUse,
    Enrollment,
    EntryTick,
    MonthlyConfirmation,
    Prescription,
)
from labs.models import PregnancyTest
from patients.models import RiskCategoryChange
from tests.courses.factories import CourseFactory
from tests.courses.test_query_counts import CHART_WITH_DOSES, course_with
from tests.factories import PatientFactory

from .pages import ago, store_status, today, waiting_course

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def open_courses(prescriber, n: int) -> list[Course]:
    """``n`` planned courses of patients who can get pregnant, every one with entries open this
    month: a third with the methods mismatched, a third with a tick."""
    patients = PatientFactory.create_batch(n)
    courses = Course.objects.bulk_create(
        CourseFactory.build(
            patient=p,
            prescriber=prescriber,
            created_by=prescriber,
            planned_start=today() + timedelta(days=3),
            start_date=None,
            state=CourseState.PLANNED,
        )
        for p in patients
    )
    RiskCategoryChange.objects.bulk_create(
        RiskCategoryChange(
            patient=p, category="can_get_pregnant", effective_on=ago(80), reason="x", changed_by=prescriber
        )
        for p in patients
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            course=c,
            patient_id=c.patient_id,
            recorded_by=prescriber,
            enrolled_on=ago(70),
            consent_signed_on=ago(70),
            birth_defects_consent_signed_on=ago(70),
            counseled_on=ago(70),
            prescriber_certified=True,
        )
        for c in courses
    )
    methods = list(ContraceptionMethod.objects.filter(code__in=["iud_copper", "male_condom"]))
    ContraceptionUse.objects.bulk_create(
        ContraceptionUse(patient_id=c.patient_id, recorded_by=prescriber, method=m, started_on=ago(70))
        for c in courses
        for m in methods
    )
    PregnancyTest.objects.bulk_create(
        PregnancyTest(
            patient_id=c.patient_id,
            collected_on=day,
            test_type="serum",
            setting="clia_lab",
            result="negative",
            sensitivity_miu_ml=25,
            purpose=purpose,
            lab_name="Quest",
            clia_number="05D0642827",
            recorded_by=prescriber,
        )
        for c in courses
        for day, purpose in ((ago(35), "screening"), (today(), "confirmation"))
    )
    MonthlyConfirmation.objects.bulk_create(
        MonthlyConfirmation(
            course=c,
            patient_id=c.patient_id,
            recorded_by=prescriber,
            counseling_on=today(),
            comprehension_on=today(),
            office_methods=["iud_copper", "male_condom"],
            patient_methods=["combined_pill", "male_condom"],
        )
        for c in courses[::3]
    )
    EntryTick.objects.bulk_create(
        EntryTick(
            course=c,
            patient_id=c.patient_id,
            recorded_by=prescriber,
            cycle_start=today(),
            code="pregnancy_test",
            entered_on=today(),
            entered_by=prescriber,
        )
        for c in courses[1::3]
    )
    return courses


@pytest.mark.parametrize("size", [10, 500])
def test_the_clinic_entries_list_uses_a_fixed_number_of_queries(prescriber, clinical_staff, client_for, size):
    courses = open_courses(prescriber, size)
    client = client_for(clinical_staff)
    client.get("/patients/")  # warm the session
    assert count_queries(client, "/ipledge/entries/") == CLINIC_ENTRIES_QUERIES
    body = client.get("/ipledge/entries/").content.decode()
    assert f'id="entries-course-{courses[0].pk}"' in body  # a mismatch: listed first
    assert f"{size} courses with entries left" in body


@pytest.mark.parametrize("periods", [2, 40])
def test_the_chart_with_the_compliance_panel_adds_one_query(prescriber, clinical_staff, client_for, patient, periods):
    course = course_with(patient, prescriber, periods)
    client = client_for(clinical_staff)
    client.get("/patients/")
    assert count_queries(client, f"/patients/{patient.pk}/") == CHART_WITH_DOSES  # no status row yet
    store_status(course)
    assert count_queries(client, f"/patients/{patient.pk}/") == CHART_WITH_DOSES


@pytest.mark.parametrize("ticks", [0, 5])
def test_the_course_entries_page_uses_a_fixed_number_of_queries(prescriber, clinical_staff, client_for, ticks):
    course = waiting_course(prescriber)
    client = client_for(clinical_staff)
    for code in ["pregnancy_test", "primary_method", "secondary_method", "counseling", "comprehension"][:ticks]:
        client.post(f"/ipledge/patients/{course.patient_id}/{course.pk}/entries/mark/", {"key": code, "action": "tick"})
    client.get("/patients/")
    assert (
        count_queries(client, f"/ipledge/patients/{course.patient_id}/{course.pk}/entries/") == COURSE_ENTRIES_QUERIES
    )


def with_history(course, prescriber, months: int) -> None:
    """``months`` earlier prescriptions, each with an authorization (and a tick)."""
    for n in range(months):
        day = ago(35 + n)
        Prescription.objects.create(
            course=course,
            patient_id=course.patient_id,
            recorded_by=prescriber,
            prescriber=prescriber,
            written_on=day,
            strength_mg=30,
            capsules_per_day=2,
            quantity=60,
            days_supply=30,
            refills=0,
        )
        Authorization.objects.create(
            course=course,
            patient_id=course.patient_id,
            recorded_by=prescriber,
            rma_number=f"RMA-{course.pk}-{n}",
            obtained_on=day,
            do_not_dispense_after=day + timedelta(days=6),
            days_supply=30,
            quantity=60,
            pharmacy="Main Street Pharmacy",
        )


@pytest.mark.parametrize("months", [0, 12])
def test_the_course_pages_use_a_fixed_number_of_queries(prescriber, clinical_staff, client_for, months):
    course = waiting_course(prescriber)
    with_history(course, prescriber, months)
    client = client_for(clinical_staff)
    client.get("/patients/")
    base = f"/ipledge/patients/{course.patient_id}/{course.pk}/"
    assert count_queries(client, base + "calendar/") == CALENDAR_QUERIES
    assert count_queries(client, base + "months/") == MONTHS_QUERIES
    assert count_queries(client, base + "summary/") == SUMMARY_QUERIES


# session and user, permissions, the rule settings, the open courses with their patients, the
# facts adapter (ipledge.facts: one query per kind of fact, whatever the number of courses), the
# ticks of every course's cycle
CLINIC_ENTRIES_QUERIES = 23
# ... and for one course: the patient and the course (the access gate), the access-event insert
COURSE_ENTRIES_QUERIES = 25
# past months: session and user, permissions, patient, course, access-event insert, rule
# settings, the facts adapter
MONTHS_QUERIES = 24
# calendar: the same and the course's visits
CALENDAR_QUERIES = MONTHS_QUERIES + 1
# summary: ... plus the dose figures (courses, dose rows, weights, dosing settings),
# prescriptions with their prescriber, authorizations
SUMMARY_QUERIES = 30
