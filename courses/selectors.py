"""Reading courses, for this app's pages and for higher apps (``ipledge`` imports these; courses
never imports ipledge). Every function here costs a fixed number of queries, whatever the
number of courses or dose periods."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, DateField, F, JSONField, Q, Value

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


def _dose_rows(where: Q):
    """The dose periods, missed days and holds matching ``where`` in ONE statement (UNION ALL):
    rows of (kind, id, course_id, start, end, formulation, regimen). The chart and the sweeps
    need only these values, and every statement saved counts on the busiest pages."""

    def shaped(queryset, kind, **blanks):
        columns = {"kind": Value(kind, CharField()), **blanks}
        return (
            queryset.filter(where)
            .annotate(**columns)
            .order_by()
            .values_list("kind", "id", "course_id", "row_start", "row_end", "row_formulation", "row_regimen")
        )

    no_end = Value(None, DateField())
    no_formulation, no_regimen = Value("", CharField()), Value(None, JSONField())
    periods = shaped(
        DosePeriod.objects.annotate(row_start=F("start"), row_end=F("end")),
        "period",
        row_formulation=F("formulation"),
        row_regimen=F("regimen"),
    )
    missed = shaped(
        MissedDose.objects.annotate(row_start=F("day")),
        "missed",
        row_end=no_end,
        row_formulation=no_formulation,
        row_regimen=no_regimen,
    )
    holds = shaped(
        DoseHold.objects.annotate(row_start=F("start"), row_end=F("end")),
        "hold",
        row_formulation=no_formulation,
        row_regimen=no_regimen,
    )
    return periods.union(missed, holds, all=True)


def dose_inputs(course_ids) -> dict[int, dosing.CourseFacts]:
    """``CourseFacts`` for many courses at once in three queries (courses, dose rows, weights),
    reading plain values only: the compliance sweep calls this for thousands of courses."""
    ids = list(course_ids)
    courses = list(
        Course.objects.filter(pk__in=ids).only(
            "id", "patient_id", "planned_start", "start_date", "target_low_mg_per_kg", "target_high_mg_per_kg"
        )
    )
    periods, missed, holds, weights = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    for kind, _id, course_id, start, end, formulation, regimen in sorted(
        _dose_rows(Q(course_id__in=ids)), key=lambda row: (row[3], row[1])
    ):
        if kind == "period":
            periods[course_id].append((start, end, regimen, formulation))
        elif kind == "missed":
            missed[course_id].append(start)
        else:
            holds[course_id].append((start, end))
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


def patient_courses(patient_id: int, *, with_doses: bool, detail: bool = True) -> PatientCourses:
    """Every course of a patient; with the doses when the user may see them: in four more
    queries with who recorded each row (``detail``, the course page), or in two with the values
    the engine needs (the chart's panel)."""
    courses = list(
        Course.objects.filter(patient_id=patient_id).select_related("prescriber").order_by("planned_start", "id")
    )
    bundle = PatientCourses(courses)
    if not with_doses or not courses:
        return bundle
    if detail:
        for model, target in ((DosePeriod, bundle.periods), (MissedDose, bundle.missed), (DoseHold, bundle.holds)):
            for row in model.objects.filter(patient_id=patient_id).select_related("recorded_by"):
                target.setdefault(row.course_id, []).append(row)
    else:
        for kind, pk, course_id, start, end, formulation, regimen in sorted(
            _dose_rows(Q(patient_id=patient_id)), key=lambda row: (row[3], row[1])
        ):
            if kind == "period":
                row = DosePeriod(
                    pk=pk, course_id=course_id, start=start, end=end, formulation=formulation, regimen=regimen
                )
                bundle.periods.setdefault(course_id, []).append(row)
            elif kind == "missed":
                bundle.missed.setdefault(course_id, []).append(MissedDose(pk=pk, course_id=course_id, day=start))
            else:
                bundle.holds.setdefault(course_id, []).append(
                    DoseHold(pk=pk, course_id=course_id, start=start, end=end)
                )
    bundle.weights = list(
        WeightMeasurement.objects.filter(patient_id=patient_id)
        .order_by("measured_on", "id")
        .values_list("measured_on", "weight_kg")
    )
    return bundle
