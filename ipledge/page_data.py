"""What the iPLEDGE pages read from the database, each function a fixed number of queries
(with ``facts.course_facts`` and ``facts.rule_settings``, the rules' inputs), so the pinned query
counts can be read off here:

- ``patient_course``: the patient (the access gate) and the course, 2 queries; every iPLEDGE
  view goes through it.
- ``ticks_for``: the "entered on iPLEDGE" ticks of many courses for their cycles, 1 query.
- ``open_course_facts``: every open course with its patient and facts (the clinic-wide list).
- ``visits``: the course's booked and held visits.
- ``open_status``: the chart panel's one query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from courses.access import DOSES
from courses.models import OPEN_STATES, Course, DosingSettings
from courses.presenters import course_view
from courses.selectors import patient_courses
from courses.visits.models import Visit, VisitStatus, VisitType
from patients.access import patient_for

from . import facts as fact_adapter
from .entries import Tick
from .models import Authorization, CourseStatus, EntryTick, Prescription
from .rule_facts import CourseFacts, RuleSettings

VIEW = "ipledge.view_coursestatus"
TICK = "ipledge.add_entrytick"
UNTICK = "ipledge.delete_entrytick"


def patient_course(user, patient_id: int, course_id: int, permission: str):
    """(patient, course) through the patient gate: 403 for a role without ``permission``, 404
    for a patient or course that does not exist or is not the patient's."""
    patient = patient_for(user, patient_id, permission)
    course = get_object_or_404(Course.objects.select_related("prescriber"), pk=course_id, patient=patient)
    course.patient = patient
    return patient, course


def ticks_for(cycles: Mapping[int, date]) -> dict[int, dict[str, Tick]]:
    """{course id: {entry code: Tick}} for each course's cycle, in one query."""
    if not cycles:
        return {}
    where = Q()
    for course_id, start in cycles.items():
        where |= Q(course_id=course_id, cycle_start=start)
    result: dict[int, dict[str, Tick]] = {}
    rows = EntryTick.objects.filter(where).values_list("course_id", "code", "entered_on", "entered_by__full_name")
    for course_id, code, entered_on, by in rows:
        result.setdefault(course_id, {})[code] = Tick(entered_on, by)
    return result


@dataclass(frozen=True, slots=True)
class OpenCourse:
    pk: int
    patient_id: int
    patient_name: str
    mrn: str
    last_name: str
    facts: CourseFacts


def open_course_facts(on: date, settings: RuleSettings) -> list[OpenCourse]:
    """Every open course (planned, active, paused) with its patient and facts: 1 query for the
    courses and patients, then ``facts.course_bundles`` (a fixed number)."""
    rows = list(
        Course.objects.filter(state__in=OPEN_STATES).values_list(
            "pk", "patient_id", "patient__first_name", "patient__last_name", "patient__mrn"
        )
    )
    bundles = fact_adapter.course_bundles([r[0] for r in rows], on, settings) if rows else {}
    return [
        OpenCourse(pk, patient_id, f"{first} {last}", mrn, last, bundles[pk].facts)
        for pk, patient_id, first, last, mrn in rows
        if pk in bundles
    ]


def open_status(patient_id: int) -> CourseStatus | None:
    """The stored status of the patient's open course (one query; the chart panel)."""
    return (
        CourseStatus.objects.filter(patient_id=patient_id, course__state__in=OPEN_STATES)
        .select_related("course")
        .order_by("-course__planned_start")
        .first()
    )


def visits(course_id: int) -> list[tuple[date, str]]:
    """(clinic-local day, title) of the course's visits, cancelled ones left out (one query)."""
    rows = (
        Visit.objects.filter(course_id=course_id)
        .exclude(status=VisitStatus.CANCELLED)
        .order_by("starts_at")
        .values_list("starts_at", "type", "status")
    )
    types, statuses = dict(VisitType.choices), dict(VisitStatus.choices)
    return [
        (
            timezone.localtime(at).date(),
            f"{types[kind]} visit {timezone.localtime(at):%H:%M} ({statuses[state].lower()})",
        )
        for at, kind, state in rows
    ]


@dataclass(frozen=True, slots=True)
class DoseSummary:
    mg_per_kg: object
    method_label: str
    current_dose: str
    projected_end: date | None


def dose_summary(user, course: Course, today: date) -> DoseSummary | None:
    """Cumulative mg/kg to date and the projected end, for roles that may see doses."""
    if not user.has_perm(DOSES):
        return None
    bundle = patient_courses(course.patient_id, with_doses=True, detail=False)
    current = next((c for c in bundle.courses if c.pk == course.pk), None)
    if current is None:
        return None
    view = course_view(bundle, current, DosingSettings.current(), today)
    return DoseSummary(view.mg_per_kg, view.method_label, view.current_dose, view.projected_end)


@dataclass(frozen=True, slots=True)
class PrescriptionRow:
    written_on: date
    dose_text: str
    quantity: int
    days_supply: int
    prescriber_name: str
    overridden: bool


def prescriptions(course_id: int) -> list[PrescriptionRow]:
    rows = Prescription.objects.filter(course_id=course_id).select_related("prescriber").order_by("written_on", "pk")
    return [
        PrescriptionRow(
            p.written_on,
            f"{p.capsules_per_day} \u00d7 {p.strength_mg} mg ({p.daily_mg} mg) daily",
            p.quantity,
            p.days_supply,
            p.prescriber.full_name,
            p.overridden,
        )
        for p in rows
    ]


@dataclass(frozen=True, slots=True)
class AuthorizationRow:
    rma: str
    obtained_on: date
    do_not_dispense_after: date
    days_supply: int
    status_text: str


def authorizations(course_id: int) -> list[AuthorizationRow]:
    rows = Authorization.objects.filter(course_id=course_id).order_by("obtained_on", "pk")
    result = []
    for a in rows:
        status = a.get_status_display()
        if a.dispensed_on:
            status += f", dispensed {a.dispensed_on:%Y-%m-%d}"
        if a.reversed_on:
            status += f", reversed {a.reversed_on:%Y-%m-%d}" + (f" ({a.reversal_reason})" if a.reversal_reason else "")
        result.append(AuthorizationRow(a.rma_number, a.obtained_on, a.do_not_dispense_after, a.days_supply, status))
    return result
