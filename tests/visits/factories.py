"""Visits for tests: the factory inserts rows directly (query counts, the world of the security
tests); behaviour tests book through the services."""

from datetime import datetime, time, timedelta

import factory
from django.utils import timezone

from accounts.models import Role
from courses.visits.models import Visit, VisitStatus, VisitType
from patients.outbox.clock import clinic_instant
from tests.factories import UserFactory


def at(day, hour: int, minute: int = 0) -> datetime:
    """The UTC instant of ``hour:minute`` clinic time on ``day``."""
    return clinic_instant(day, time(hour, minute), timezone.get_current_timezone())


def next_open_day(after=None, weekdays=(0, 1, 2, 3, 4)):
    day = (after or timezone.localdate()) + timedelta(days=1)
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    course = factory.SubFactory("tests.courses.factories.CourseFactory")
    patient = factory.SelfAttribute("course.patient")
    clinician = factory.SubFactory(UserFactory, role=Role.CLINICAL_STAFF)
    booked_by = factory.SelfAttribute("clinician")
    starts_at = factory.LazyFunction(lambda: at(timezone.localdate() + timedelta(days=1), 10))
    duration_minutes = 30
    type = VisitType.MONTHLY
    status = VisitStatus.SCHEDULED
