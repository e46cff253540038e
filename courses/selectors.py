"""Reading courses, for this app's pages and for higher apps (``ipledge`` imports these; courses
never imports ipledge). Every function here costs a fixed number of queries, whatever the
number of courses or dose periods."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from patients.models import WeightMeasurement

from . import dosing, regimens
from .models import OPEN_STATES, Course, DoseHold, DosePeriod, MissedDose


def open_course(patient_id: int) -> Course | None:
    """The patient's planned, active or paused course (there is at most one)."""
    return Course.objects.filter(patient_id=patient_id, state__in=OPEN_STATES).first()


def daily_mg(regimen) -> tuple[Decimal, ...]:
    return tuple(Decimal(mg) for mg in regimens.cycle_mg(regimen))


def build_facts(course: Course, periods, missed, holds, weights) -> dosing.CourseFacts:
    """The engine's input for one course from its rows (or from ``values_list`` tuples: periods
    as (start, end, regimen, formulation), missed as days, holds as (start, end), weights as
    (measured_on, kg)). For a planned course the periods are the plan, so its figures are what
    the plan would give, not doses taken."""
    return dosing.CourseFacts(
        periods=tuple(
            dosing.Period(start, end, daily_mg(regimen), formulation) for start, end, regimen, formulation in periods
        ),
        missed=tuple(missed),
        holds=tuple(dosing.Hold(start, end) for start, end in holds),
        weights=tuple(dosing.Weight(on, kg) for on, kg in weights),
        baseline_on=course.first_day,
        target_low=course.target_low_mg_per_kg,
        target_high=course.target_high_mg_per_kg,
    )


def dose_inputs(course_ids) -> dict[int, dosing.CourseFacts]:
    """``CourseFacts`` for many courses at once in five queries (courses, periods, missed days,
    holds, weights), reading plain values only: the compliance sweep calls this for thousands
    of courses."""
    ids = list(course_ids)
    courses = list(
        Course.objects.filter(pk__in=ids).only(
            "id", "patient_id", "planned_start", "start_date", "target_low_mg_per_kg", "target_high_mg_per_kg"
        )
    )
    periods, missed, holds, weights = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    for course_id, *row in DosePeriod.objects.filter(course_id__in=ids).values_list(
        "course_id", "start", "end", "regimen", "formulation"
    ):
        periods[course_id].append(row)
    for course_id, day in MissedDose.objects.filter(course_id__in=ids).values_list("course_id", "day"):
        missed[course_id].append(day)
    for course_id, *row in DoseHold.objects.filter(course_id__in=ids).values_list("course_id", "start", "end"):
        holds[course_id].append(row)
    patient_ids = {c.patient_id for c in courses}
    for patient_id, *row in (
        WeightMeasurement.objects.filter(patient_id__in=patient_ids)
        .order_by("measured_on", "id")
        .values_list("patient_id", "measured_on", "weight_kg")
    ):
        weights[patient_id].append(row)
    return {c.pk: build_facts(c, periods[c.pk], missed[c.pk], holds[c.pk], weights[c.patient_id]) for c in courses}


@dataclass
class PatientCourses:
    """A patient's courses (oldest first) with their dose rows and the engine's facts."""

    courses: list[Course]
    periods: dict[int, list[DosePeriod]] = field(default_factory=dict)
    missed: dict[int, list[MissedDose]] = field(default_factory=dict)
    holds: dict[int, list[DoseHold]] = field(default_factory=dict)
    weights: list[tuple] = field(default_factory=list)

    def facts(self, course: Course) -> dosing.CourseFacts:
        return build_facts(
            course,
            [(p.start, p.end, p.regimen, p.formulation) for p in self.periods.get(course.pk, [])],
            [m.day for m in self.missed.get(course.pk, [])],
            [(h.start, h.end) for h in self.holds.get(course.pk, [])],
            self.weights,
        )

    def number(self, course: Course) -> int:
        """1 for the patient's first course, 2 for the second..."""
        return self.courses.index(course) + 1


def patient_courses(patient_id: int, *, with_doses: bool) -> PatientCourses:
    """Every course of a patient; with the doses (four more queries) when the user may see them."""
    courses = list(
        Course.objects.filter(patient_id=patient_id).select_related("prescriber").order_by("planned_start", "id")
    )
    bundle = PatientCourses(courses)
    if not with_doses or not courses:
        return bundle
    for model, target in ((DosePeriod, bundle.periods), (MissedDose, bundle.missed), (DoseHold, bundle.holds)):
        for row in model.objects.filter(patient_id=patient_id).select_related("recorded_by"):
            target.setdefault(row.course_id, []).append(row)
    bundle.weights = list(
        WeightMeasurement.objects.filter(patient_id=patient_id)
        .order_by("measured_on", "id")
        .values_list("measured_on", "weight_kg")
    )
    return bundle
