"""Synthetic visits for the demo courses: each open course gets its monthly visits since its
first dose (completed, the odd no-show) and, for most, the next one booked in its window; the
rest show up on the "due for a visit" list. Built in memory and written with one
``bulk_create``; slots are the clinic's real slots, and a clinician is never double-booked
(taken slots, including those of earlier batches, are read first: one query)."""

import random
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from patients.models import Patient

from ..models import OPEN_STATES, Course
from . import hours
from .models import BOOKED_STATUSES, SideEffect, Visit, VisitStatus, VisitType
from .windows import WINDOW_OPENS_DAYS

BOOKED_SHARE = 0.7  # of open courses have their next visit booked
SIDE_EFFECTS = [
    SideEffect.DRY_LIPS,
    SideEffect.DRY_LIPS,
    SideEffect.DRY_SKIN,
    SideEffect.NOSEBLEEDS,
    SideEffect.DRY_EYES,
]


class _Book:
    """Free-slot finder over the clinic's slots, remembering what it handed out."""

    def __init__(self, taken: set[tuple[int, datetime]]):
        self.taken = taken
        self.slots: dict[date, list[datetime]] = {}

    def first_free(self, clinician_id: int, day: date, latest: date) -> datetime | None:
        while day <= latest:
            if day not in self.slots:
                self.slots[day] = hours.day_slots(day)
            for slot in self.slots[day]:
                if (clinician_id, slot) not in self.taken:
                    self.taken.add((clinician_id, slot))
                    return slot
            day += timedelta(days=1)
        return None


def seed_visits(*, patients: list[Patient], rng: random.Random) -> int:
    """Visits for the open courses of ``patients``; returns how many were created."""
    if not patients:
        return 0
    today, now = timezone.localdate(), timezone.now()
    ids = [p.pk for p in patients]
    courses = list(
        Course.objects.filter(patient_id__gte=min(ids), patient_id__lte=max(ids), state__in=OPEN_STATES)
        .exclude(start_date__isnull=True)
        .only("pk", "patient_id", "prescriber_id", "start_date")
    )
    if not courses:
        return 0
    nurses = list(User.objects.filter(role=Role.CLINICAL_STAFF, is_active=True).values_list("pk", flat=True))
    first = min(c.start_date for c in courses)
    start, _ = hours.day_bounds(first)
    taken = set(
        Visit.objects.filter(Q(starts_at__gte=start), status__in=BOOKED_STATUSES).values_list(
            "clinician_id", "starts_at"
        )
    )
    book = _Book(taken)
    minutes = settings.VISIT_SLOT_MINUTES
    location = settings.CLINIC_LOCATIONS[0] if settings.CLINIC_LOCATIONS else ""
    visits = []

    def visit(course, clinician_id, starts_at, status, kind=VisitType.MONTHLY, **clinical):
        visits.append(
            Visit(
                course_id=course.pk,
                patient_id=course.patient_id,
                clinician_id=clinician_id,
                starts_at=starts_at,
                duration_minutes=minutes,
                type=kind,
                status=status,
                location=location,
                booked_by_id=course.prescriber_id,
                **clinical,
            )
        )

    for course in courses:
        day, kind = course.start_date, VisitType.BASELINE
        last_attended = None
        while day < today:
            slot = book.first_free(course.prescriber_id, day, today - timedelta(days=1))
            if slot is None or slot >= now:
                break
            if rng.random() < 0.05:
                visit(course, course.prescriber_id, slot, VisitStatus.NO_SHOW)
            else:
                effects = rng.sample(SIDE_EFFECTS, rng.randrange(0, 3))
                visit(
                    course, course.prescriber_id, slot, VisitStatus.COMPLETED, kind, side_effects=sorted(set(effects))
                )
                last_attended = hours.local_day(slot)
            day, kind = day + timedelta(days=30), VisitType.MONTHLY
        if rng.random() < BOOKED_SHARE:
            opens = (last_attended or course.start_date) + timedelta(days=WINDOW_OPENS_DAYS)
            clinician = course.prescriber_id if not nurses or rng.random() < 0.8 else rng.choice(nurses)
            slot = book.first_free(clinician, max(opens, today + timedelta(days=1)), today + timedelta(days=60))
            if slot:
                telehealth = rng.random() < 0.15
                visit(
                    course,
                    clinician,
                    slot,
                    VisitStatus.SCHEDULED,
                    VisitType.TELEHEALTH if telehealth else VisitType.MONTHLY,
                )
    Visit.objects.bulk_create(visits, batch_size=2000)
    return len(visits)
