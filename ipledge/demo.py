"""Synthetic iPLEDGE facts for the demo courses (no real person's data), then their statuses.

Aligned with what the other apps seeded: each tracked course (open, or ended in the last four
months) gets its registration, and a patient who can get pregnant gets two methods (or
abstinence) from before the course and, for each of the labs demo's monthly pregnancy tests
during the course, the month's confirmations, a prescription and the pharmacy's authorization
(a few reversed and re-issued). The latest month is left in every stage, so the worklist shows
a mix: ready (a test in the last 7 days, confirmations done), action needed (no confirmation
yet, a window that closed, labs to review, a registration incomplete), blocked (a tetracycline,
methods that do not match), not started (a planned course not yet registered).

Bulk inserts only (a few per batch of patients), then ``status.recompute`` in batches.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from courses.models import OPEN_STATES, Course
from labs.models import PregnancyTest
from labs.pregnancy import Result
from patients.models import Patient, RiskCategory

from . import status
from .models import (
    AbstinenceCommitment,
    Authorization,
    AuthorizationStatus,
    ConcomitantMedication,
    ContraceptionMethod,
    ContraceptionUse,
    Enrollment,
    InteractingMedication,
    MonthlyConfirmation,
    Prescription,
)
from .rule_facts import ABSTINENCE

PHARMACIES = ["CVS Pharmacy #4411", "Walgreens #10293", "Rite Aid #5520", "Clinic outpatient pharmacy"]
PRIMARY = ["combined_pill", "iud_copper", "iud_hormonal", "implant", "vaginal_ring", "injection"]
SECONDARY = ["male_condom", "diaphragm_spermicide", "vaginal_sponge"]


def _day(value: date, today: date) -> date:
    return min(value, today)


def seed_ipledge(*, patients: Sequence[Patient], rng: random.Random, staff) -> dict[str, int]:
    """iPLEDGE facts for the tracked courses of ``patients``, then their stored statuses.
    Returns the number of rows added per kind."""
    today = timezone.localdate()
    counts = defaultdict(int)
    if not patients:
        return counts
    ids = [p.pk for p in patients]
    category = {p.pk: p.risk_category for p in patients}
    # A range, not "IN (2,000 ids)": right after a bulk insert the planner has no statistics.
    in_range = Q(patient_id__gte=min(ids), patient_id__lte=max(ids))
    tracked = Q(state__in=OPEN_STATES) | Q(
        start_date__isnull=False, end_date__gte=today - timedelta(days=status.AFTER_TREATMENT_DAYS)
    )
    courses = [c for c in Course.objects.filter(in_range).filter(tracked).order_by("id") if c.patient_id in category]
    if not courses:
        return counts
    tests = defaultdict(list)
    for patient_id, collected_on in (
        PregnancyTest.objects.filter(in_range, result=Result.NEGATIVE)
        .order_by("collected_on")
        .values_list("patient_id", "collected_on")
    ):
        tests[patient_id].append(collected_on)
    methods = {m.code: m for m in ContraceptionMethod.objects.filter(active=True)}
    medications = {m.name: m for m in InteractingMedication.objects.all()}

    rows = defaultdict(list)
    reversals = []  # (reversed authorization, its replacement)
    for course in courses:
        _seed_course(
            course,
            category[course.patient_id],
            tests[course.patient_id],
            today,
            rng,
            staff,
            methods,
            medications,
            rows,
            reversals,
        )

    for model in (Enrollment, ContraceptionUse, AbstinenceCommitment, ConcomitantMedication, MonthlyConfirmation):
        model.objects.bulk_create(rows[model], batch_size=2000)
        counts[model.__name__] += len(rows[model])
    Prescription.objects.bulk_create(rows[Prescription], batch_size=2000)
    counts["Prescription"] += len(rows[Prescription])
    for authorization in rows[Authorization]:
        authorization.prescription_id = authorization.prescription.pk if authorization.prescription else None
    Authorization.objects.bulk_create(rows[Authorization], batch_size=2000)
    replacements = []
    for reversed_one, replacement in reversals:
        replacement.replaces_id = reversed_one.pk
        replacement.prescription_id = replacement.prescription.pk if replacement.prescription else None
        replacements.append(replacement)
    Authorization.objects.bulk_create(replacements, batch_size=2000)
    counts["Authorization"] += len(rows[Authorization]) + len(replacements)

    course_ids = [c.pk for c in courses]
    settings = status.rule_settings()
    for first in range(0, len(course_ids), status.SWEEP_BATCH):
        counts["CourseStatus"] += status.recompute(course_ids[first : first + status.SWEEP_BATCH], today, settings)
    return counts


def _seed_course(course, risk, negatives, today, rng, staff, methods, medications, rows, reversals) -> None:
    can_get_pregnant = risk == RiskCategory.CAN_GET_PREGNANT
    roll = rng.random()
    if course.start_date is None and roll < 0.3:
        return  # a planned course not registered yet: "not started"
    common = {"patient_id": course.patient_id, "recorded_by": staff}
    first_day = course.start_date or course.planned_start
    registered = _day(first_day - timedelta(days=rng.randrange(35, 60)), today)
    rows[Enrollment].append(
        Enrollment(
            course=course,
            enrolled_on=registered,
            consent_signed_on=registered,
            birth_defects_consent_signed_on=registered if can_get_pregnant else None,
            counseled_on=registered,
            prescriber_certified=roll >= 0.04,  # a few prescribers still to certify
            **common,
        )
    )
    office = patient = None
    if can_get_pregnant:
        since = _day(first_day - timedelta(days=rng.randrange(70, 120)), today)
        if rng.random() < 0.1:
            rows[AbstinenceCommitment].append(AbstinenceCommitment(committed_on=since, **common))
            office = (ABSTINENCE,)
        else:
            primary, secondary = methods[rng.choice(PRIMARY)], methods[rng.choice(SECONDARY)]
            rows[ContraceptionUse] += [
                ContraceptionUse(method=primary, started_on=since, **common),
                ContraceptionUse(method=secondary, started_on=since, **common),
            ]
            office = (primary.code, secondary.code)
        patient = office
        if rng.random() < 0.04 and office != (ABSTINENCE,):
            patient = (office[0], "male_condom" if office[1] != "male_condom" else "vaginal_sponge")  # a mismatch
    if course.start_date and rng.random() < 0.04:
        name = rng.choice(["Doxycycline", "Minocycline"])
        rows[ConcomitantMedication].append(
            ConcomitantMedication(medication=medications[name], started_on=today - timedelta(days=10), **common)
        )
    elif rng.random() < 0.05:
        rows[ConcomitantMedication].append(
            ConcomitantMedication(
                medication=medications["Vitamin A supplement"],
                started_on=first_day - timedelta(days=200),
                **common,
            )
        )

    end = course.end_date or today
    if can_get_pregnant:
        # Each negative test during the course opened a month: counseling, comprehension, a
        # prescription and the pharmacy's authorization inside its 7-day window.
        month_starts = [t for t in negatives if first_day - timedelta(days=7) <= t <= end]
    elif course.start_date:
        month_starts = []
        day = course.start_date - timedelta(days=1)
        while day <= end:
            month_starts.append(day)
            day += timedelta(days=30)
    else:
        month_starts = []
    for index, opened in enumerate(month_starts):
        latest = index == len(month_starts) - 1
        window_open = opened + timedelta(days=6) >= today
        if latest and window_open and rng.random() < 0.25:
            continue  # this month's confirmations are still to do: action needed
        counseling = _day(opened + timedelta(days=rng.randrange(0, 2)), today)
        comprehension = _day(counseling + timedelta(days=rng.randrange(0, 2)), today)
        rows[MonthlyConfirmation].append(
            MonthlyConfirmation(
                course=course,
                counseling_on=counseling,
                comprehension_on=comprehension,
                office_methods=list(office or ()),
                patient_methods=list(patient or ()),
                visit_on=opened if not can_get_pregnant else None,
                **common,
            )
        )
        if course.start_date is None or (latest and window_open and rng.random() < 0.6):
            continue  # ready: the prescription is still to be written
        written = comprehension
        if written < course.start_date - timedelta(days=7) or written > end:
            continue
        strength, capsules = rng.choice([(30, 1), (20, 2), (30, 2), (40, 1), (40, 2)])
        days_supply = 30
        prescription = Prescription(
            course=course,
            patient_id=course.patient_id,
            prescriber_id=course.prescriber_id,
            recorded_by_id=course.prescriber_id,
            written_on=written,
            strength_mg=strength,
            capsules_per_day=capsules,
            quantity=capsules * days_supply,
            days_supply=days_supply,
        )
        rows[Prescription].append(prescription)
        obtained = _day(written + timedelta(days=1), today)
        last_day = opened + timedelta(days=6) if can_get_pregnant else opened + timedelta(days=29)
        last_day = max(last_day, obtained)
        dispensed = obtained if obtained < today or rng.random() < 0.5 else None
        rma = f"RMA{course.pk:07d}{index:02d}"
        authorization = Authorization(
            course=course,
            prescription=prescription,
            rma_number=rma,
            obtained_on=obtained,
            do_not_dispense_after=last_day,
            days_supply=days_supply,
            quantity=capsules * days_supply,
            pharmacy=rng.choice(PHARMACIES),
            status=AuthorizationStatus.DISPENSED if dispensed else AuthorizationStatus.AUTHORIZED,
            dispensed_on=dispensed,
            **common,
        )
        if dispensed and rng.random() < 0.04:
            # The pharmacy keyed the wrong days supply: reversed, and a new RMA the same day.
            authorization.status = AuthorizationStatus.REVERSED
            authorization.dispensed_on = None
            authorization.reversed_on = obtained
            authorization.reversal_reason = "Wrong days supply entered by the pharmacy"
            authorization.days_supply = 28
            replacement = Authorization(
                course=course,
                prescription=prescription,
                rma_number=rma + "R",
                obtained_on=obtained,
                do_not_dispense_after=last_day,
                days_supply=days_supply,
                quantity=capsules * days_supply,
                pharmacy=authorization.pharmacy,
                status=AuthorizationStatus.DISPENSED,
                dispensed_on=dispensed,
                **common,
            )
            reversals.append((authorization, replacement))
        rows[Authorization].append(authorization)
