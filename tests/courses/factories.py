"""Building courses for tests. Most tests go through the services (what the pages do); the
factories insert rows directly where a test needs many of them (query counts)."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role
from courses import services
from courses.models import Course, CourseState, DosePeriod, Formulation, Indication
from tests.factories import PatientFactory, UserFactory, WeightFactory

SIXTY = [[[30, 2]]]  # 60 mg a day as 2 x 30 mg
THIRTY = [[[30, 1]]]


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def with_weight(patient, kg="65", on=None):
    WeightFactory(patient=patient, weight_kg=Decimal(kg), entered_value=Decimal(kg), measured_on=on or days_ago(400))
    return patient


def details(prescriber, **changes) -> dict:
    return {
        "prescriber_id": prescriber.pk,
        "indication": Indication.SEVERE_NODULAR,
        "formulation": Formulation.CONVENTIONAL,
        "target_low": Decimal(120),
        "target_high": Decimal(150),
        "regimen": THIRTY,
        **changes,
    }


def start_course(prescriber, patient, *, start: date | None = None, **changes) -> Course:
    return services.course_start(
        actor=prescriber, patient_id=patient.pk, start_date=start or days_ago(40), **details(prescriber, **changes)
    )


def plan_course(prescriber, patient, *, planned_start: date | None = None, **changes) -> Course:
    return services.course_plan(
        actor=prescriber,
        patient_id=patient.pk,
        planned_start=planned_start or today() + timedelta(days=7),
        **details(prescriber, **changes),
    )


def course_in_state(state: str, prescriber, patient) -> Course:
    """A course brought to ``state`` through the services."""
    if state == CourseState.PLANNED:
        return plan_course(prescriber, patient)
    course = start_course(prescriber, patient, start=days_ago(100))
    if state == CourseState.PAUSED:
        services.course_pause(
            actor=prescriber, course_id=course.pk, expected_version=course.version, on=days_ago(5), reason="TG 620"
        )
    elif state == CourseState.COMPLETED:
        services.course_complete(
            actor=prescriber,
            course_id=course.pk,
            expected_version=course.version,
            end_date=days_ago(1),
            end_reason="target_reached",
        )
    elif state == CourseState.DISCONTINUED:
        services.course_discontinue(
            actor=prescriber,
            course_id=course.pk,
            expected_version=course.version,
            end_date=days_ago(1),
            end_reason="side_effects",
        )
    course.refresh_from_db()
    return course


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    patient = factory.SubFactory(PatientFactory)
    prescriber = factory.SubFactory(UserFactory, role=Role.PRESCRIBER)
    created_by = factory.SelfAttribute("prescriber")
    indication = Indication.SEVERE_NODULAR
    formulation = Formulation.CONVENTIONAL
    planned_start = factory.LazyFunction(lambda: days_ago(400))
    start_date = factory.SelfAttribute("planned_start")
    state = CourseState.ACTIVE


def add_periods(course: Course, count: int, days_each: int = 7) -> None:
    """``count`` contiguous periods from the course's first day, the last one open."""
    DosePeriod.objects.bulk_create(
        DosePeriod(
            course=course,
            patient=course.patient,
            start=course.first_day + timedelta(days=i * days_each),
            end=None if i == count - 1 else course.first_day + timedelta(days=(i + 1) * days_each - 1),
            formulation=course.formulation,
            regimen=[[[20, 1]]] if i % 2 else [[[40, 1]], [[30, 2]]],
            recorded_by=course.prescriber,
        )
        for i in range(count)
    )
