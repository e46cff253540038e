"""Synthetic lab results and pregnancy tests for the demo patients (no real person's data).

Built for scale (issue 7 seeds 20,000 patients): patients are processed in chunks, each chunk
written with a few bulk inserts, so memory and the number of queries grow with the number of
chunks, not of rows. Flags come from the same ``ranges.evaluate`` the services use.
"""

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from patients.models import Patient, RiskCategory

from . import ranges
from .models import Analyte, LabResult, LabSpecimen, PregnancyTest, VerificationMethod
from .pregnancy import Purpose, Result, Setting, TestType
from .selectors import threshold_rules

LABS = [
    ("Quest Diagnostics", "05D0642827"),
    ("Labcorp", "34D0655059"),
    ("BioReference Laboratories", "31D0696246"),
    ("Clinic laboratory", "22D2061513"),
]
# code: (typical value, spread as a fraction, reference low, reference high) in canonical units,
# the way common US labs print them (e.g. triglycerides "< 150", HDL "> 39").
TYPICAL = {
    "tg": (Decimal(100), 0.3, None, Decimal(149)),
    "chol": (Decimal(165), 0.12, None, Decimal(199)),
    "ldl": (Decimal(90), 0.2, None, Decimal(129)),
    "hdl": (Decimal(55), 0.2, Decimal(39), None),
    "alt": (Decimal(20), 0.35, Decimal(0), Decimal(44)),
    "ast": (Decimal(21), 0.3, Decimal(0), Decimal(40)),
}
REVIEW_COMMENTS = ["Reviewed, continue current dose.", "Reviewed; repeat at peak dose.", "Acceptable."]


def _value(rng: random.Random, code: str) -> Decimal:
    typical, spread, _, _ = TYPICAL[code]
    value = float(typical) * rng.lognormvariate(0, spread)
    roll = rng.random()
    if code == "tg" and roll < 0.04:
        value = rng.uniform(500, 950)  # reaches the clinic's action thresholds
    elif code == "tg" and roll < 0.12:
        value = rng.uniform(200, 499)
    elif code in ("alt", "ast") and roll < 0.03:
        value = rng.uniform(90, 160)  # more than 3x the upper limit of normal
    return Decimal(f"{value:.0f}")


def _results_for(rng: random.Random, analytes: dict, thresholds, patient_id: int, in_mmol: bool) -> list[LabResult]:
    results = []
    for code, analyte in analytes.items():
        value = _value(rng, code)
        _, _, low, high = TYPICAL[code]
        unit = analyte.canonical_unit
        if in_mmol and analyte.mmol_factor:
            unit = ranges.MMOL_L
            value, low, high = (
                None if v is None else ranges.rounded(ranges.convert(v, ranges.MG_DL, unit, analyte.rule), 2)
                for v in (value, low, high)
            )
        evaluation = ranges.evaluate(analyte.rule, thresholds, value=value, unit=unit, low=low, high=high)
        worst = evaluation.worst
        results.append(
            LabResult(
                patient_id=patient_id,
                analyte=analyte,
                value=value,
                unit=unit,
                reference_low=low,
                reference_high=high,
                flag=evaluation.flag,
                action=worst.action if worst else "",
                action_severity=worst.severity if worst else "",
                abnormal=evaluation.abnormal,
            )
        )
    return results


def _draw_dates(rng: random.Random, today: date) -> list[date]:
    """A baseline draw before the (synthetic) start and, for courses past month 2, the repeat."""
    start = today - timedelta(days=rng.randrange(0, 160))
    dates = [start - timedelta(days=rng.randrange(3, 28))]
    repeat = start + timedelta(days=rng.randrange(52, 70))
    if repeat <= today:
        dates.append(repeat)
    return dates


def _pregnancy_tests(rng: random.Random, patient_id: int, first_draw: date, today: date, staff, prescriber):
    tests = []
    screening = first_draw - timedelta(days=rng.randrange(25, 40))
    lab_name, clia = rng.choice(LABS)
    common = {"patient_id": patient_id, "result": Result.NEGATIVE, "sensitivity_miu_ml": 25, "recorded_by": staff}
    tests.append(
        PregnancyTest(
            collected_on=screening,
            test_type=TestType.URINE,
            setting=Setting.OFFICE,
            purpose=Purpose.SCREENING,
            **common,
        )
    )
    confirmation = screening + timedelta(days=30)
    tests.append(
        PregnancyTest(
            collected_on=confirmation,
            test_type=TestType.SERUM,
            setting=Setting.CLIA_LAB,
            lab_name=lab_name,
            clia_number=clia,
            purpose=Purpose.CONFIRMATION,
            **common,
        )
    )
    monthly = confirmation + timedelta(days=30)
    while monthly <= today:
        if rng.random() < 0.35:
            # A home test reported by the patient; most verified by a second staff member.
            verified = monthly < today - timedelta(days=3) or rng.random() < 0.5
            verification = (
                {
                    "verified_by": prescriber,
                    "verified_at": timezone.now() - timedelta(days=(today - monthly).days),
                    "verification_method": VerificationMethod.VIDEO,
                }
                if verified
                else {}
            )
            tests.append(
                PregnancyTest(
                    collected_on=monthly,
                    test_type=TestType.URINE,
                    setting=Setting.HOME,
                    purpose=Purpose.MONTHLY,
                    **common,
                    **verification,
                )
            )
        else:
            tests.append(
                PregnancyTest(
                    collected_on=monthly,
                    test_type=TestType.URINE,
                    setting=Setting.OFFICE,
                    purpose=Purpose.MONTHLY,
                    **common,
                )
            )
        monthly += timedelta(days=rng.randrange(28, 33))
    return tests


def seed_labs(
    *, patients: Sequence[Patient], rng: random.Random, staff, prescriber, chunk_size: int = 1000
) -> dict[str, int]:
    """Lab draws (a baseline and, past month 2, a repeat) for every patient and pregnancy tests
    for those who can get pregnant. ``staff`` records; ``prescriber`` reviews and verifies (a
    second person, as the clinic setting requires). Returns the number of rows added per kind."""
    # Foreign keys are checked at each insert instead of at commit: with checks deferred, every
    # later statement's row triggers (the audit history) walk the growing queue of pending
    # checks, and seeding slows down quadratically (20 s instead of 3 s for 2,000 patients).
    # This applies to the rest of the caller's transaction, which is what a bulk seed wants.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    analytes = {a.code: a for a in Analyte.objects.filter(code__in=TYPICAL, active=True)}
    thresholds = threshold_rules()
    today = timezone.localdate()
    now = timezone.now()
    counts = {"specimens": 0, "results": 0, "pregnancy_tests": 0}
    for start in range(0, len(patients), chunk_size):
        chunk = patients[start : start + chunk_size]
        specimens, results_by_specimen, tests = [], [], []
        for patient in chunk:
            draws = _draw_dates(rng, today)
            lab_name, _ = rng.choice(LABS)
            in_mmol = rng.random() < 0.1
            for index, collected_on in enumerate(draws):
                specimens.append(
                    LabSpecimen(
                        patient_id=patient.pk,
                        collected_on=collected_on,
                        fasting=rng.random() < 0.85,
                        performing_lab=lab_name,
                        recorded_by=staff,
                    )
                )
                results = _results_for(rng, analytes, thresholds, patient.pk, in_mmol)
                # Earlier draws were reviewed; the latest one is still open for some patients.
                if index < len(draws) - 1 or rng.random() < 0.7:
                    for result in results:
                        result.reviewed_by, result.reviewed_at = prescriber, now
                        result.review_comment = rng.choice(REVIEW_COMMENTS) if result.abnormal else ""
                results_by_specimen.append(results)
            if patient.risk_category == RiskCategory.CAN_GET_PREGNANT:
                tests.extend(_pregnancy_tests(rng, patient.pk, draws[0], today, staff, prescriber))
        LabSpecimen.objects.bulk_create(specimens, batch_size=chunk_size)
        rows = []
        for specimen, results in zip(specimens, results_by_specimen, strict=True):
            for result in results:
                result.specimen = specimen
                rows.append(result)
        LabResult.objects.bulk_create(rows, batch_size=chunk_size)
        PregnancyTest.objects.bulk_create(tests, batch_size=chunk_size)
        counts["specimens"] += len(specimens)
        counts["results"] += len(rows)
        counts["pregnancy_tests"] += len(tests)
    return counts
