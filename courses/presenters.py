"""What the course page, the chart panel and the what-if planner show, computed from a patient's
courses (``selectors.patient_courses``) with the dose engine. No queries here."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import dosing, regimens
from .charts import Chart, Progress, build_chart, build_progress, chart_range
from .models import ENDED_STATES, Course, CourseState, DosePeriod, DosingSettings, Formulation
from .selectors import PatientCourses

METHOD_LABELS = {
    dosing.WeightMethod.BASELINE: "total mg ÷ baseline weight",
    dosing.WeightMethod.BY_PERIOD: "sum over periods of mg ÷ the weight in force then",
}
STATE_BADGES = {
    CourseState.PLANNED: "badge-info",
    CourseState.ACTIVE: "badge-ok",
    CourseState.PAUSED: "badge-warn",
    CourseState.COMPLETED: "badge-neutral",
    CourseState.DISCONTINUED: "badge-bad",
}


def daily_warning(average: Decimal | None, highest: Decimal | None, settings: DosingSettings) -> str:
    """A visible warning for a dose outside the clinic's usual mg/kg/day band ('' if inside)."""
    if average is None or highest is None:
        return ""
    band = f"{settings.usual_low_mg_per_kg_day} to {settings.usual_high_mg_per_kg_day} mg/kg/day"
    if highest > settings.max_mg_per_kg_day:
        return f"Above the maximum of {settings.max_mg_per_kg_day} mg/kg/day at the current weight"
    if highest > settings.usual_high_mg_per_kg_day:
        return f"Above the usual {band}"
    if average < settings.usual_low_mg_per_kg_day:
        return f"Below the usual {band}"
    return ""


@dataclass
class PeriodRow:
    period: DosePeriod
    stats: dosing.PeriodStats
    description: str
    formulation_changed: bool
    warning: str


@dataclass
class CourseView:
    course: Course
    number: int
    facts: dosing.CourseFacts
    summary: dosing.DoseSummary
    as_of: date
    method_label: str
    other_method_label: str
    other_value: Decimal | None  # mg/kg by the method not shown
    day_of_course: int | None
    current_period: DosePeriod | None
    current_dose: str
    current_warning: str
    mixed_formulations: bool
    state_badge: str

    @property
    def started(self) -> bool:
        return self.course.start_date is not None

    @property
    def mg_per_kg(self) -> Decimal | None:
        return dosing.one_decimal(self.summary.mg_per_kg)

    @property
    def mg_per_kg_day(self) -> Decimal | None:
        return dosing.two_decimals(self.summary.mg_per_kg_day)

    @property
    def projected_end(self) -> date | None:
        """When the top of the target band is (or was) reached under the plan."""
        return self.summary.high_reached_on


def course_view(bundle: PatientCourses, course: Course, settings: DosingSettings, today: date) -> CourseView:
    facts = bundle.facts(course)
    as_of = min(today, course.end_date) if course.end_date else today
    method = dosing.WeightMethod(settings.weight_method)
    other = dosing.WeightMethod.BY_PERIOD if method == dosing.WeightMethod.BASELINE else dosing.WeightMethod.BASELINE
    summary = dosing.summarize(facts, as_of, method, settings.method_difference_percent / 100)
    periods = bundle.periods.get(course.pk, [])
    current = next((p for p in periods if p.start <= as_of and (p.end is None or p.end >= as_of)), None)
    if current is None and course.state == CourseState.PLANNED and periods:
        current = periods[0]
    highest = None
    if current and summary.current_kg:
        highest = max(regimens.cycle_mg(current.regimen)) / summary.current_kg
    day_of_course = None
    if course.start_date and course.start_date <= as_of:
        day_of_course = (as_of - course.start_date).days + 1
    return CourseView(
        course=course,
        number=bundle.number(course),
        facts=facts,
        summary=summary,
        as_of=as_of,
        method_label=METHOD_LABELS[method],
        other_method_label=METHOD_LABELS[other],
        other_value=dosing.one_decimal(
            summary.by_period if method == dosing.WeightMethod.BASELINE else summary.by_baseline
        ),
        day_of_course=day_of_course,
        current_period=current,
        current_dose=regimens.describe(regimens.from_json(current.regimen)) if current else "",
        current_warning=daily_warning(summary.mg_per_kg_day, highest, settings) if current else "",
        mixed_formulations=len({p.formulation for p in periods}) > 1,
        state_badge=STATE_BADGES[course.state],
    )


def period_rows(bundle: PatientCourses, view: CourseView, settings: DosingSettings) -> list[PeriodRow]:
    periods = bundle.periods.get(view.course.pk, [])
    stats = dosing.period_stats(view.facts, view.as_of)
    rows = []
    previous = None
    for period, stat in zip(periods, stats, strict=True):
        rows.append(
            PeriodRow(
                period=period,
                stats=stat,
                description=regimens.describe(regimens.from_json(period.regimen)),
                formulation_changed=previous is not None and previous.formulation != period.formulation,
                warning=daily_warning(stat.mg_per_kg_day, stat.max_mg_per_kg_day, settings),
            )
        )
        previous = period
    return rows


def other_courses(bundle: PatientCourses, course: Course | None, settings: DosingSettings | None, today: date):
    """The patient's other courses, newest first, each with its cumulative dose when known."""
    rows = []
    for other in reversed(bundle.courses):
        if other == course:
            continue
        view = course_view(bundle, other, settings, today) if settings and other.start_date else None
        rows.append({"course": other, "number": bundle.number(other), "view": view, "badge": STATE_BADGES[other.state]})
    return rows


def chart_and_progress(view: CourseView, today: date) -> tuple[Chart | None, Progress | None]:
    if view.summary.mg_per_kg is None or not view.facts.periods:
        return None, None
    course = view.course
    first, last = chart_range(course.first_day, today, course.end_date, view.summary.high_reached_on)
    points = dosing.series(view.facts, first, last, view.summary.method)
    chart = build_chart(points, today, course.target_low_mg_per_kg, course.target_high_mg_per_kg)
    progress = build_progress(view.summary.mg_per_kg, course.target_low_mg_per_kg, course.target_high_mg_per_kg)
    return chart, progress


def strengths_by_formulation(settings: DosingSettings) -> dict[str, list[int]]:
    return {f.value: settings.strengths(f.value) for f in Formulation}


def what_if(view: CourseView, settings: DosingSettings, *, target: Decimal, by: date | None, daily_mg: int | None):
    """The planner's answers for the current course: the dose for a date, the date for a dose."""
    method = view.summary.method
    formulation = view.current_period.formulation if view.current_period else view.course.formulation
    result = {"target": target, "by": by, "daily_mg": daily_mg, "as_of": view.as_of}
    if by:
        doses = regimens.makeable_doses(settings.strengths(formulation))
        answer = dosing.dose_for_target(view.facts, view.as_of, target, by, method, doses)
        result["dose"] = answer
        if answer and answer.dose_mg:
            composition = regimens.compose(int(answer.dose_mg), settings.strengths(formulation))
            result["composition"] = regimens.describe_day(composition, total=False)
            kg = view.summary.current_kg
            result["dose_per_kg"] = dosing.two_decimals(answer.dose_mg / kg) if kg else None
            result["dose_refused"] = bool(kg) and answer.dose_mg / kg > settings.max_mg_per_kg_day
            result["dose_warning"] = daily_warning(answer.dose_mg / kg, answer.dose_mg / kg, settings) if kg else ""
    if daily_mg:
        reached = dosing.date_for_dose(view.facts, view.as_of, Decimal(daily_mg), target, method)
        result["date"] = reached
        kg = view.summary.current_kg
        if kg:
            per_kg = Decimal(daily_mg) / kg
            result["date_per_kg"] = dosing.two_decimals(per_kg)
            result["date_refused"] = per_kg > settings.max_mg_per_kg_day
            result["date_warning"] = daily_warning(per_kg, per_kg, settings)
    result["ended"] = view.course.state in ENDED_STATES
    return result
