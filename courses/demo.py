"""Synthetic courses for the demo patients: every stage of a course (planned, month 1,
mid-course after dose changes, paused, completed, discontinued, a second course after a gap),
and for large seeds about 10 % of patients with an open course and years of history.

Everything is built in memory and written with one ``bulk_create`` per table, so 20,000 patients
take seconds, not minutes. The data respects every rule the services enforce (periods
contiguous and within the course, holds and missed days inside dosing, one open course, the
gap between courses or a recorded override)."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from patients.models import Patient, WeightMeasurement, WeightUnit

from . import regimens
from .models import DEFAULT_STRENGTHS, Course, CourseState, DoseHold, DosePeriod, EndReason, Formulation, MissedDose

STRENGTHS = {f.value: DEFAULT_STRENGTHS[f"{f.value}_strengths"] for f in Formulation}

# The first patients get one course history each of these, so a small demo shows every stage.
SHOWCASE = ["month1", "mid", "paused", "planned", "completed", "discontinued", "second", "mid_alternating"]
# Then, at random: about 10 % with an open course, 30 % with only past courses.
MIX = [
    ("none", 58),
    ("completed", 22),
    ("discontinued", 6),
    ("second", 4),
    ("planned", 1),
    ("month1", 3),
    ("mid", 3),
    ("mid_alternating", 1),
    ("paused", 2),
]
HOLD_REASONS = ["Triglycerides 620 mg/dL", "ALT 3.5 x ULN; recheck in 2 weeks", "Severe dryness and nosebleeds"]


@dataclass
class _Course:
    patient_id: int
    state: str
    start: date
    end: date | None = None
    end_reason: str = ""
    formulation: str = Formulation.CONVENTIONAL
    target_high: Decimal = Decimal(150)
    periods: list = field(default_factory=list)  # (start, end, formulation, regimen, note)
    missed: list = field(default_factory=list)
    holds: list = field(default_factory=list)  # (start, end, reason)
    override: str = ""


def _regimen(kg: Decimal, per_kg: float, formulation: str, alternate: bool = False) -> list:
    strengths = STRENGTHS[formulation]
    doses = regimens.makeable_doses(strengths)
    if formulation == Formulation.ABSORICA_LD:
        per_kg *= 0.8  # about 20 % lower for similar exposure
    wanted = float(kg) * per_kg
    dose = min(doses, key=lambda d: (abs(d - wanted), d))
    days = [regimens.compose(dose, strengths)]
    if alternate:  # e.g. 40 / 60 mg: the day below the dose, then the dose
        lower = max((d for d in doses if d < dose), default=dose)
        days = [regimens.compose(lower, strengths), days[0]]
    return regimens.to_json(tuple(days))


def _daily(regimen: list) -> float:
    totals = regimens.cycle_mg(regimen)
    return sum(totals) / len(totals)


def _full_course(c: _Course, kg: Decimal, rng: random.Random, target: float) -> None:
    """Month 1 at ~0.5 mg/kg/day, then ~1 mg/kg/day until ``target`` mg/kg; sets the end date."""
    first = _regimen(kg, 0.5, c.formulation)
    second = _regimen(kg, rng.choice([0.8, 0.9, 1.0]), c.formulation)
    month1_end = c.start + timedelta(days=29)
    remaining = target * float(kg) - 30 * _daily(first)
    days = max(int(remaining / _daily(second)) + 1, 1)
    c.end = month1_end + timedelta(days=days)
    c.periods = [
        (c.start, month1_end, c.formulation, first, "Starting dose"),
        (month1_end + timedelta(days=1), c.end, c.formulation, second, "Increased as tolerated"),
    ]


def _shift(c: _Course, by: timedelta) -> None:
    """Move a whole course in time (e.g. so that it ends on a chosen day)."""
    c.start += by
    c.end = c.end + by if c.end else None
    c.periods = [(s + by, e + by if e else None, *rest) for s, e, *rest in c.periods]
    c.missed = [day + by for day in c.missed]
    c.holds = [(s + by, e + by if e else None, reason) for s, e, reason in c.holds]


def _missed(c: _Course, rng: random.Random, last: date, count: int) -> None:
    span = (last - c.start).days
    if span < 5:
        return
    held = [(s, e or last) for s, e, _ in c.holds]
    for day in {c.start + timedelta(days=rng.randrange(1, span)) for _ in range(count)}:
        if not any(s <= day <= e for s, e in held):
            c.missed.append(day)


def _scenario(kind: str, patient_id: int, kg: Decimal, rng: random.Random, today: date) -> list[_Course]:
    formulation = rng.choices(list(Formulation), weights=[70, 20, 10])[0]
    if kind == "planned":
        c = _Course(
            patient_id, CourseState.PLANNED, today + timedelta(days=rng.randrange(3, 21)), formulation=formulation
        )
        c.periods = [(c.start, None, formulation, _regimen(kg, 0.5, formulation), "Starting dose")]
        return [c]
    if kind == "month1":
        c = _Course(
            patient_id, CourseState.ACTIVE, today - timedelta(days=rng.randrange(5, 28)), formulation=formulation
        )
        c.periods = [(c.start, None, formulation, _regimen(kg, 0.5, formulation), "Starting dose")]
        _missed(c, rng, today, rng.randrange(0, 2))
        return [c]
    if kind in ("mid", "mid_alternating", "paused"):
        c = _Course(
            patient_id, CourseState.ACTIVE, today - timedelta(days=rng.randrange(65, 130)), formulation=formulation
        )
        month1_end = c.start + timedelta(days=29)
        month2_end = month1_end + timedelta(days=30)
        c.periods = [
            (c.start, month1_end, formulation, _regimen(kg, 0.5, formulation), "Starting dose"),
            (month1_end + timedelta(days=1), month2_end, formulation, _regimen(kg, 0.75, formulation), "Increased"),
            (
                month2_end + timedelta(days=1),
                None,
                formulation,
                _regimen(kg, 1.0, formulation, alternate=kind == "mid_alternating"),
                "Increased as tolerated",
            ),
        ]
        if kind == "paused":
            c.state = CourseState.PAUSED
            c.holds = [(today - timedelta(days=rng.randrange(3, 15)), None, rng.choice(HOLD_REASONS))]
        elif rng.random() < 0.3:
            hold_start = month1_end + timedelta(days=rng.randrange(5, 20))
            c.holds = [(hold_start, hold_start + timedelta(days=rng.randrange(3, 10)), rng.choice(HOLD_REASONS))]
        _missed(c, rng, today, rng.randrange(1, 5))
        return [c]
    if kind == "completed":
        c = _Course(patient_id, CourseState.COMPLETED, today - timedelta(days=rng.randrange(200, 1800)))
        c.formulation = formulation
        _full_course(c, kg, rng, rng.choice([130, 140, 150, 150, 160]))
        c.end_reason = EndReason.TARGET_REACHED
        _missed(c, rng, c.end, rng.randrange(0, 6))
        return [c]
    if kind == "discontinued":
        c = _Course(patient_id, CourseState.DISCONTINUED, today - timedelta(days=rng.randrange(150, 1500)))
        c.formulation = formulation
        c.end = c.start + timedelta(days=rng.randrange(35, 100))
        c.periods = [
            (c.start, c.start + timedelta(days=29), formulation, _regimen(kg, 0.5, formulation), "Starting dose"),
            (c.start + timedelta(days=30), c.end, formulation, _regimen(kg, 0.8, formulation), "Increased"),
        ]
        c.end_reason = rng.choice(
            [EndReason.SIDE_EFFECTS, EndReason.PATIENT_CHOICE, EndReason.LOST_TO_FOLLOW_UP, EndReason.LAB_ABNORMALITY]
        )
        _missed(c, rng, c.end, rng.randrange(0, 4))
        return [c]
    if kind == "second":
        # A recent second course (aiming higher after a relapse), after a completed first one.
        second = _Course(patient_id, CourseState.ACTIVE, today - timedelta(days=rng.randrange(10, 90)))
        second.formulation, second.target_high = formulation, Decimal(220)
        second.periods = [(second.start, None, formulation, _regimen(kg, 0.5, formulation), "Starting dose")]
        gap = rng.choice([70, 120, 300, 40])  # 40 days: sooner than 8 weeks, with an override
        if gap < 56:
            second.override = "Early relapse with new nodules; benefits outweigh a shorter break."
        first = _scenario("completed", patient_id, kg, rng, today)[0]
        _shift(first, (second.start - timedelta(days=gap)) - first.end)
        return [first, second]
    return []


def seed_courses(*, patients: list[Patient], rng: random.Random, prescribers: list, batch_size: int = 2000) -> int:
    """Give ``patients`` synthetic course histories; returns the number of courses created."""
    today = timezone.localdate()
    if not patients:
        return 0
    # A range, not "IN (20,000 ids)": right after a bulk insert in the same transaction the
    # planner has no statistics and would compare every row with every id (minutes, not ms).
    ids = {p.pk for p in patients}
    latest_kg = {}
    rows = WeightMeasurement.objects.filter(patient_id__gte=min(ids), patient_id__lte=max(ids)).order_by(
        "measured_on", "id"
    )
    for patient_id, kg in rows.values_list("patient_id", "weight_kg"):
        if patient_id in ids:
            latest_kg[patient_id] = kg  # ordered by date: the latest weight wins
    plans: list[_Course] = []
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    for index, patient in enumerate(patients):
        kind = SHOWCASE[index] if index < len(SHOWCASE) else rng.choices(kinds, weights=weights)[0]
        kg = latest_kg.get(patient.pk, Decimal(65))
        plans.extend(_scenario(kind, patient.pk, kg, rng, today))

    courses = Course.objects.bulk_create(
        [
            Course(
                patient_id=c.patient_id,
                prescriber=(prescriber := rng.choice(prescribers)),
                indication=rng.choice(["severe_nodular", "severe_nodular", "resistant", "scarring", "distress"]),
                formulation=c.formulation,
                target_high_mg_per_kg=c.target_high,
                planned_start=c.start,
                start_date=None if c.state == CourseState.PLANNED else c.start,
                end_date=c.end if c.state in (CourseState.COMPLETED, CourseState.DISCONTINUED) else None,
                state=c.state,
                end_reason=c.end_reason,
                gap_override_reason=c.override,
                gap_override_by=prescriber if c.override else None,
                gap_override_at=timezone.now() if c.override else None,
                created_by=prescriber,
            )
            for c in plans
        ],
        batch_size=batch_size,
    )
    periods, missed, holds, weights_at_start = [], [], [], []
    for course, c in zip(courses, plans, strict=True):
        common = {"course": course, "patient_id": c.patient_id, "recorded_by": course.prescriber}
        periods += [
            DosePeriod(start=s, end=e, formulation=f, regimen=r, note=n, **common) for s, e, f, r, n in c.periods
        ]
        missed += [MissedDose(day=day, **common) for day in c.missed]
        holds += [DoseHold(start=s, end=e, reason=r, **common) for s, e, r in c.holds]
        if c.start < today - timedelta(days=60):  # the baseline weight of a past course
            kg = latest_kg.get(c.patient_id, Decimal(65)) + Decimal(rng.randrange(-30, 10)) / 10
            weights_at_start.append(
                WeightMeasurement(
                    patient_id=c.patient_id,
                    measured_on=c.start,
                    weight_kg=kg,
                    entered_value=kg,
                    entered_unit=WeightUnit.KG,
                    recorded_by=course.prescriber,
                )
            )
    DosePeriod.objects.bulk_create(periods, batch_size=batch_size)
    MissedDose.objects.bulk_create(missed, batch_size=batch_size)
    DoseHold.objects.bulk_create(holds, batch_size=batch_size)
    WeightMeasurement.objects.bulk_create(weights_at_start, batch_size=batch_size)
    return len(courses)
