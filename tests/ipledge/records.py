"""Building iPLEDGE facts for the database-backed tests, through the services (what the pages
do). ``ready_course`` brings a patient who can get pregnant, on treatment, to "ready to
prescribe" on ``TODAY``: enrolled, two methods for months, this month's negative office test two
days ago, counseling and comprehension with matching methods."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.models import Role
from ipledge import services
from ipledge.models import ContraceptionMethod
from labs import services as labs_services
from patients.models import RiskCategory
from tests.courses.factories import start_course, with_weight
from tests.factories import PatientFactory, RiskCategoryChangeFactory, UserFactory

TODAY = date(2026, 10, 15)  # under the 2026 rules (effective 2026-08-08)
NOON = datetime(2026, 10, 15, 12, 0, tzinfo=ZoneInfo("America/New_York"))


def days_before(n: int) -> date:
    return TODAY - timedelta(days=n)


def method_id(code: str) -> int:
    return ContraceptionMethod.objects.get(code=code).pk


def negative_test(actor, patient, collected_on: date, purpose: str = "monthly"):
    return labs_services.pregnancy_test_record(
        actor=actor,
        patient_id=patient.pk,
        collected_on=collected_on,
        test_type="urine",
        setting="office",
        result="negative",
        sensitivity_miu_ml=20,
        purpose=purpose,
    )


def enrolled_course(prescriber, *, category=RiskCategory.CAN_GET_PREGNANT, start_days_ago: int = 50, patient=None):
    """An active course of a weighed patient, registered in iPLEDGE with both consents."""
    patient = patient or PatientFactory(risk_category=category, ipledge_patient_id="")
    RiskCategoryChangeFactory(patient=patient, category=category, effective_on=days_before(300), changed_by=prescriber)
    course = start_course(prescriber, with_weight(patient), start=days_before(start_days_ago))
    services.enrollment_record(
        actor=prescriber,
        course_id=course.pk,
        ipledge_patient_id=f"9{patient.pk:09d}",
        enrolled_on=days_before(start_days_ago + 40),
        consent_signed_on=days_before(start_days_ago + 40),
        birth_defects_consent_signed_on=days_before(start_days_ago + 40),
        counseled_on=days_before(start_days_ago + 40),
        prescriber_certified=True,
    )
    return course


def two_methods(actor, course, since_days: int = 150):
    for code in ("iud_copper", "male_condom"):
        services.contraception_method_add(
            actor=actor, course_id=course.pk, method_id=method_id(code), started_on=days_before(since_days)
        )


def confirmed_month(actor, course, on: date, methods=("iud_copper", "male_condom"), patient_methods=None):
    return services.confirmation_record(
        actor=actor,
        course_id=course.pk,
        counseling_on=on,
        comprehension_on=on,
        office_methods=list(methods),
        patient_methods=list(patient_methods or methods),
    )


def ready_course(prescriber=None, nurse=None):
    """A course that is ready to prescribe on TODAY (call inside ``time_machine.travel(NOON)``)."""
    prescriber = prescriber or UserFactory(role=Role.PRESCRIBER)
    nurse = nurse or UserFactory(role=Role.CLINICAL_STAFF)
    course = enrolled_course(prescriber)
    two_methods(nurse, course)
    negative_test(nurse, course.patient, days_before(2))
    confirmed_month(nurse, course, days_before(1))
    return course
