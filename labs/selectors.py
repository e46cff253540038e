"""Reading labs and pregnancy tests, for pages and for the compliance app.

The functions that take ``patient_ids`` answer for many patients in a fixed number of queries
(one each, whatever the number of patients), as plain data (``monitoring.ResultFact``,
``pregnancy.PregnancyTestFact``): the compliance sweep calls them over thousands of courses.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from . import ranges
from .models import ActionThreshold, Analyte, LabResult, LabSettings, LabSpecimen, PregnancyTest
from .monitoring import MonitoringPlan, ResultFact
from .pregnancy import PregnancyTestFact, Result

_RESULT_FIELDS = (
    "id",
    "patient_id",
    "specimen_id",
    "analyte__code",
    "specimen__collected_on",
    "abnormal",
    "flag",
    "action",
    "action_severity",
    "reviewed_at",
)


def _result_fact(row: tuple) -> ResultFact:
    pk, patient_id, specimen_id, code, collected_on, abnormal, flag, action, severity, reviewed_at = row
    return ResultFact(
        analyte=code,
        collected_on=collected_on,
        abnormal=abnormal,
        id=pk,
        patient_id=patient_id,
        specimen_id=specimen_id,
        flag=flag,
        action=action,
        action_severity=severity,
        reviewed=reviewed_at is not None,
    )


def _start_of_day_after(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _by_patient(facts: Iterable) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for fact in facts:
        grouped[fact.patient_id].append(fact)
    return dict(grouped)


# --- Catalog and settings -------------------------------------------------------------------


def threshold_rules() -> list[ranges.Threshold]:
    """The active action thresholds (one query)."""
    rows = ActionThreshold.objects.filter(active=True, analyte__active=True).select_related("analyte")
    return [row.as_rule(row.analyte.code) for row in rows]


def active_analytes() -> list[Analyte]:
    return list(Analyte.objects.filter(active=True))


def monitoring_plan() -> MonitoringPlan:
    """The clinic's plan with its required analytes (two queries)."""
    required = Analyte.objects.filter(active=True, required_for_monitoring=True).values_list("code", flat=True)
    return LabSettings.load().plan(required)


# --- For the compliance app: many patients at once -----------------------------------------


def monitoring_results(patient_ids: Iterable[int], since: date | None = None) -> dict[int, list[ResultFact]]:
    """Every result of these patients (collected on or after ``since``), oldest first."""
    results = LabResult.objects.filter(patient_id__in=list(patient_ids))
    if since is not None:
        results = results.filter(specimen__collected_on__gte=since)
    rows = results.order_by("specimen__collected_on", "id").values_list(*_RESULT_FIELDS)
    return _by_patient(_result_fact(row) for row in rows)


def unreviewed_abnormal_results(patient_ids: Iterable[int], as_of: date) -> dict[int, list[ResultFact]]:
    """Abnormal results collected by ``as_of`` that no prescriber had reviewed by the end of that
    day: an open item before the next prescription."""
    rows = (
        LabResult.objects.filter(patient_id__in=list(patient_ids), abnormal=True, specimen__collected_on__lte=as_of)
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=_start_of_day_after(as_of)))
        .order_by("specimen__collected_on", "id")
        .values_list(*_RESULT_FIELDS)
    )
    # A review after as_of does not count on that day.
    return _by_patient(replace(_result_fact(row), reviewed=False) for row in rows)


def _test_facts(tests: QuerySet) -> list[PregnancyTestFact]:
    rows = tests.order_by("collected_on", "id").only(
        "id",
        "patient_id",
        "collected_on",
        "test_type",
        "setting",
        "result",
        "sensitivity_miu_ml",
        "purpose",
        "verified_at",
        "clia_number",
    )
    return [row.as_fact() for row in rows]


def pregnancy_tests(patient_ids: Iterable[int], since: date | None = None) -> dict[int, list[PregnancyTestFact]]:
    """Every pregnancy test of these patients (collected on or after ``since``), oldest first."""
    tests = PregnancyTest.objects.filter(patient_id__in=list(patient_ids))
    if since is not None:
        tests = tests.filter(collected_on__gte=since)
    return _by_patient(_test_facts(tests))


def positive_pregnancy_tests(patient_ids: Iterable[int], since: date) -> dict[int, list[PregnancyTestFact]]:
    """Positive tests collected on or after ``since``, verified or not (a positive is never
    discounted)."""
    tests = PregnancyTest.objects.filter(
        patient_id__in=list(patient_ids), result=Result.POSITIVE, collected_on__gte=since
    )
    return _by_patient(_test_facts(tests))


# --- For the pages ---------------------------------------------------------------------------


def open_review_results() -> QuerySet[LabResult]:
    return LabResult.objects.filter(abnormal=True, reviewed_at__isnull=True)


def specimens_awaiting_review() -> QuerySet[LabSpecimen]:
    """Specimens with at least one unreviewed abnormal result, oldest collection first."""
    return (
        LabSpecimen.objects.filter(Exists(open_review_results().filter(specimen=OuterRef("pk"))))
        .select_related("patient", "recorded_by")
        .order_by("collected_on", "id")
    )
