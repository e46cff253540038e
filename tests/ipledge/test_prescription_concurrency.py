"""A prescription submitted twice at the same moment (a double click, two tabs) is recorded
once: the service checks for it under the course row lock, in real transactions."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from ipledge import services
from ipledge.models import Prescription
from tests.concurrency import run_in_threads

from .records import NOON, TODAY, ready_course


def prescribe(actor, course):
    return services.prescription_record(
        actor=actor,
        course_id=course.pk,
        written_on=TODAY,
        strength_mg=30,
        capsules_per_day=2,
        quantity=60,
        days_supply=30,
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_prescription_submitted_twice_at_once_is_recorded_once(prescriber, clinical_staff):
    with time_machine.travel(NOON, tick=False):
        course = ready_course(prescriber, clinical_staff)

    with time_machine.travel(NOON, tick=False):
        outcomes = run_in_threads(lambda: prescribe(prescriber, course), lambda: prescribe(prescriber, course))

    recorded = [o for o in outcomes if isinstance(o, Prescription)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(recorded) == 1 and len(refused) == 1
    assert "already recorded" in refused[0].messages[0]
    assert Prescription.objects.filter(course=course).count() == 1


@pytest.mark.django_db
def test_a_different_prescription_on_the_same_day_is_recorded(prescriber, clinical_staff):
    with time_machine.travel(NOON, tick=False):
        course = ready_course(prescriber, clinical_staff)
        prescribe(prescriber, course)
        services.prescription_record(
            actor=prescriber,
            course_id=course.pk,
            written_on=TODAY,
            strength_mg=40,
            capsules_per_day=1,
            quantity=30,
            days_supply=30,
        )
    assert Prescription.objects.filter(course=course).count() == 2
