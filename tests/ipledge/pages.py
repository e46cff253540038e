"""Builders for the iPLEDGE page tests: a planned course of a patient who can get pregnant,
ready on today's date (screening test 35 days ago, confirmation test today in a CLIA lab, two
methods for two months, counseling and comprehension today), with rows written directly (the
rules' adapter reads them; the services are tested in their own files)."""

from datetime import timedelta

from django.utils import timezone

from ipledge.models import ContraceptionMethod, ContraceptionUse, Enrollment, MonthlyConfirmation
from labs.models import PregnancyTest
from patients import services as patient_services
from tests.courses.factories import plan_course, with_weight
from tests.factories import PatientFactory


def today():
    return timezone.localdate()


def ago(n: int):
    return today() - timedelta(days=n)


def enrolled_course(prescriber, patient=None, *, category="can_get_pregnant"):
    patient = with_weight(patient or PatientFactory())
    patient_services.risk_category_change(
        actor=prescriber, patient_id=patient.pk, category=category, effective_on=ago(80), reason="Assessed at intake"
    )
    course = plan_course(prescriber, patient, planned_start=today() + timedelta(days=3))
    Enrollment.objects.create(
        course=course,
        patient=patient,
        recorded_by=prescriber,
        enrolled_on=ago(70),
        consent_signed_on=ago(70),
        birth_defects_consent_signed_on=ago(70) if category == "can_get_pregnant" else None,
        counseled_on=ago(70),
        prescriber_certified=True,
    )
    patient.ipledge_patient_id = f"IP{patient.pk:07d}"
    patient.save(update_fields=["ipledge_patient_id"])
    return course


def two_methods(course, user, since=None):
    for code in ("iud_copper", "male_condom"):
        ContraceptionUse.objects.create(
            patient_id=course.patient_id,
            recorded_by=user,
            method=ContraceptionMethod.objects.get(code=code),
            started_on=since or ago(70),
        )


def pregnancy_test(course, user, collected_on, *, setting="clia_lab", purpose="confirmation", result="negative"):
    return PregnancyTest.objects.create(
        patient_id=course.patient_id,
        collected_on=collected_on,
        test_type="serum" if setting == "clia_lab" else "urine",
        setting=setting,
        result=result,
        sensitivity_miu_ml=25,
        purpose=purpose,
        lab_name="Quest" if setting == "clia_lab" else "",
        clia_number="05D0642827" if setting == "clia_lab" else "",
        recorded_by=user,
    )


def confirmation(course, user, *, office=("iud_copper", "male_condom"), patient=None, on=None):
    on = on or today()
    return MonthlyConfirmation.objects.create(
        course=course,
        patient_id=course.patient_id,
        recorded_by=user,
        counseling_on=on,
        comprehension_on=on,
        office_methods=list(office),
        patient_methods=list(office if patient is None else patient),
    )


def ready_course(prescriber, for_patient=None, **confirm):
    """A planned course ready for its first prescription today (``confirm``: the methods the
    office entered and the patient confirmed)."""
    course = enrolled_course(prescriber, for_patient)
    two_methods(course, prescriber)
    pregnancy_test(course, prescriber, ago(35), setting="office", purpose="screening")
    pregnancy_test(course, prescriber, today())
    confirmation(course, prescriber, **confirm)
    return course


def waiting_course(prescriber, patient=None):
    """A course with its screening test done and a confirmation test still to come: this
    month's entries are all open."""
    course = enrolled_course(prescriber, patient)
    two_methods(course, prescriber)
    pregnancy_test(course, prescriber, ago(35), setting="office", purpose="screening")
    pregnancy_test(course, prescriber, today())
    return course


def store_status(course):
    """The course's status row, stored by the status refresh."""
    from ipledge.models import CourseStatus
    from ipledge.status import recompute

    recompute([course.pk], today())
    return CourseStatus.objects.get(course=course)
