"""The ORM adapter of the rules: builds ``rule_facts.CourseFacts`` for many courses at once.

``course_bundles(course_ids, on)`` costs a FIXED number of queries whatever the number of
courses (one per kind of fact, see ``BUNDLE_QUERIES``), reading plain values only, so the
hourly sweep can feed thousands of courses to ``rules.checklist`` in batches. What comes from
other apps is read through their selectors and models (never written): dose data and the
projected end from ``courses.selectors.dose_inputs`` and ``courses.dosing``; pregnancy tests,
abnormal lab results awaiting review and the monitoring schedule from ``labs``; the risk
category history and the iPLEDGE patient ID from ``patients``.

Which records belong to a course: its own (enrollment, confirmations, prescriptions,
authorizations); the patient's contraception, abstinence and medications (they span courses);
the patient's pregnancy tests collected from ``TEST_LOOKBACK`` before the course's planned
start (the screening test is done when the decision to treat is made, up to a few months
earlier; an older positive belongs to an earlier course); the full risk-category history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from courses import dosing
from courses.models import Course, DosingSettings
from courses.selectors import dose_inputs
from labs.models import LabResult
from labs.monitoring import DueKind, lab_schedule
from labs.pregnancy import PregnancyTestFact, Result, Setting
from labs.selectors import monitoring_plan, monitoring_results, pregnancy_tests
from patients.models import RiskCategoryChange

from . import rule_facts as rf
from .models import (
    AbstinenceCommitment,
    Authorization,
    ConcomitantMedication,
    ContraceptionUse,
    Enrollment,
    IpledgeSettings,
    MonthlyConfirmation,
    Prescription,
)

TEST_LOOKBACK = timedelta(days=120)
# Reviews done this long before the check are not read (a check never looks further back).
REVIEW_LOOKBACK = timedelta(days=400)
# settings, courses, dose inputs (3), dosing settings, enrollment, risk history, tests,
# contraception, abstinence, medications, confirmations, prescriptions, authorizations,
# abnormal results, monitoring results, monitoring plan (2).
BUNDLE_QUERIES = 19


def rule_settings() -> rf.RuleSettings:
    """The clinic's rule settings (one query)."""
    return IpledgeSettings.current().rules()


@dataclass(frozen=True, slots=True)
class CourseBundle:
    """One course's facts for the rules, with what the status row shows beside the checklist."""

    course_id: int
    patient_id: int
    prescriber_id: int
    course_state: str
    facts: rf.CourseFacts
    mg_per_kg: Decimal | None
    projected_end: date | None

    def labs_awaiting_review(self, on: date) -> int:
        return sum(1 for r in self.facts.lab_reviews if r.resulted_on <= on and not _done_by(r.reviewed_on, on))


def _done_by(day: date | None, on: date) -> bool:
    return day is not None and day <= on


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _grouped(rows: Iterable[tuple]) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for key, *rest in rows:
        grouped[key].append(tuple(rest))
    return grouped


def course_facts(course_id: int, on: date, settings: rf.RuleSettings | None = None) -> rf.CourseFacts:
    """The facts of one course (``course_bundles`` for one id)."""
    return course_bundles([course_id], on, settings)[course_id].facts


def course_bundles(
    course_ids: Iterable[int], on: date, settings: rf.RuleSettings | None = None
) -> dict[int, CourseBundle]:
    """``CourseBundle`` for each existing course of ``course_ids``, in ``BUNDLE_QUERIES``
    queries (one fewer when ``settings`` is given)."""
    ids = list(dict.fromkeys(course_ids))
    if settings is None:
        settings = rule_settings()
    courses = list(
        Course.objects.filter(pk__in=ids).values_list(
            "id",
            "patient_id",
            "prescriber_id",
            "state",
            "planned_start",
            "start_date",
            "end_date",
            "patient__ipledge_patient_id",
        )
    )
    doses = dose_inputs(ids)
    weight_method = dosing.WeightMethod(DosingSettings.current().weight_method)
    patient_ids = sorted({row[1] for row in courses})
    earliest = min((row[4] for row in courses), default=on) - TEST_LOOKBACK

    enrollments = {
        row[0]: row[1:]
        for row in Enrollment.objects.filter(course_id__in=ids).values_list(
            "course_id",
            "enrolled_on",
            "consent_signed_on",
            "birth_defects_consent_signed_on",
            "counseled_on",
            "prescriber_certified",
        )
    }
    risks = _grouped(
        RiskCategoryChange.objects.filter(patient_id__in=patient_ids)
        .order_by("effective_on", "id")
        .values_list("patient_id", "category", "effective_on")
    )
    tests = pregnancy_tests(patient_ids, since=earliest)
    methods = _grouped(
        ContraceptionUse.objects.filter(patient_id__in=patient_ids)
        .order_by("started_on", "id")
        .values_list(
            "patient_id",
            "method__code",
            "method__label",
            "method__kind",
            "method__is_hormonal",
            "started_on",
            "ended_on",
        )
    )
    abstinence = _grouped(
        AbstinenceCommitment.objects.filter(patient_id__in=patient_ids)
        .order_by("committed_on", "id")
        .values_list("patient_id", "committed_on", "ended_on")
    )
    medications = _grouped(
        ConcomitantMedication.objects.filter(patient_id__in=patient_ids)
        .order_by("started_on", "id")
        .values_list("patient_id", "medication__name", "medication__interaction", "started_on", "stopped_on")
    )
    confirmations = _grouped(
        MonthlyConfirmation.objects.filter(course_id__in=ids)
        .order_by("id")
        .values_list("course_id", "counseling_on", "comprehension_on", "office_methods", "patient_methods", "visit_on")
    )
    prescriptions = _grouped(
        Prescription.objects.filter(course_id__in=ids)
        .order_by("written_on", "id")
        .values_list("course_id", "written_on", "days_supply", "refills", "id")
    )
    authorizations = _grouped(
        Authorization.objects.filter(course_id__in=ids)
        .order_by("obtained_on", "id")
        .values_list(
            "course_id",
            "rma_number",
            "obtained_on",
            "do_not_dispense_after",
            "days_supply",
            "dispensed_on",
            "reversed_on",
            "reversal_reason",
            "replaces__rma_number",
        )
    )
    reviewed_since = timezone.make_aware(datetime.combine(on - REVIEW_LOOKBACK, time.min))
    reviews = _grouped(
        LabResult.objects.filter(patient_id__in=patient_ids, abnormal=True)
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=reviewed_since))
        .order_by("specimen__collected_on", "id")
        .values_list("patient_id", "specimen__collected_on", "reviewed_at", "analyte__name")
    )
    results = monitoring_results(patient_ids)
    plan = monitoring_plan()

    bundles = {}
    for course_id, patient_id, prescriber_id, state, planned_start, start_date, end_date, ipledge_id in courses:
        dose = doses.get(course_id)
        summary = None
        if dose is not None and dose.periods:
            summary = dosing.summarize(dose, min(on, end_date) if end_date else on, weight_method)
        first_day = start_date or planned_start
        tests_since = planned_start - TEST_LOOKBACK
        facts = rf.CourseFacts(
            course_id=course_id,
            course=rf.CourseDates(
                planned_start_on=planned_start,
                first_dose_on=start_date,
                last_dose_on=end_date if start_date else None,
                projected_last_dose_on=summary.high_reached_on if summary else None,
            ),
            risk_categories=tuple(
                rf.RiskAssignment(rf.RiskCategory(category), effective_on)
                for category, effective_on in risks[patient_id]
            ),
            enrollment=_enrollment(enrollments.get(course_id), bool(ipledge_id)),
            pregnancy_tests=tuple(
                _pregnancy_test(test)
                for test in tests.get(patient_id, ())
                if test.collected_on >= tests_since and test.result != Result.INVALID
            ),
            contraception=tuple(
                rf.ContraceptionMethod(code, label, rf.MethodKind(kind), hormonal, started_on, ended_on)
                for code, label, kind, hormonal, started_on, ended_on in methods[patient_id]
            ),
            abstinence=tuple(rf.AbstinenceCommitment(start, end) for start, end in abstinence[patient_id]),
            medications=tuple(
                rf.ConcomitantMedication(name, rf.Interaction(interaction), started_on, stopped_on)
                for name, interaction, started_on, stopped_on in medications[patient_id]
            ),
            confirmations=tuple(
                rf.MonthlyConfirmation(counseling_on, comprehension_on, tuple(office), tuple(patient), visit_on)
                for counseling_on, comprehension_on, office, patient, visit_on in confirmations[course_id]
            ),
            prescriptions=tuple(
                rf.Prescription(written_on, days_supply, refills, pk)
                for written_on, days_supply, refills, pk in prescriptions[course_id]
            ),
            authorizations=tuple(rf.Authorization(*row) for row in authorizations[course_id]),
            lab_reviews=tuple(
                rf.LabResultReview(collected_on, _local_day(reviewed_at), True, name)
                for collected_on, reviewed_at, name in reviews[patient_id]
            ),
            labs_due=_labs_due(plan, results.get(patient_id, []), on, first_day, start_date, end_date, dose),
        )
        bundles[course_id] = CourseBundle(
            course_id=course_id,
            patient_id=patient_id,
            prescriber_id=prescriber_id,
            course_state=state,
            facts=facts,
            mg_per_kg=dosing.one_decimal(summary.mg_per_kg) if summary else None,
            projected_end=summary.high_reached_on if summary else None,
        )
    return bundles


def _enrollment(row: tuple | None, patient_id_recorded: bool) -> rf.Enrollment:
    if row is None:
        return rf.Enrollment(patient_id_recorded=patient_id_recorded)
    enrolled_on, consent, birth_defects, counseled_on, certified = row
    return rf.Enrollment(
        enrolled_on=enrolled_on,
        patient_id_recorded=patient_id_recorded,
        consent_signed_on=consent,
        birth_defects_consent_signed_on=birth_defects,
        counseled_on=counseled_on,
        prescriber_certified=certified,
    )


def _pregnancy_test(test: PregnancyTestFact) -> rf.PregnancyTest:
    """The rules' view of a lab's pregnancy test. A verified home negative is known from the
    day staff verified it."""
    negative = test.result == Result.NEGATIVE
    resulted_on = _local_day(test.verified_at) if negative and test.setting == Setting.HOME else None
    return rf.PregnancyTest(
        collected_on=test.collected_on,
        result=rf.TestResult(test.result),
        setting=rf.TestSetting(test.setting),
        counts_as_valid=test.counts_as_negative if negative else True,
        purpose=rf.TestPurpose(test.purpose),
        resulted_on=resulted_on,
        test_id=test.id,
    )


def _peak_dose_on(dose: dosing.CourseFacts | None) -> date | None:
    if dose is None or not dose.periods:
        return None
    highest = max(p.average_daily_mg for p in dose.periods)
    return min(p.start for p in dose.periods if p.average_daily_mg == highest)


def _labs_due(plan, results, on: date, first_day: date, start_date, end_date, dose) -> tuple[rf.LabDue, ...]:
    """The monitoring schedule of the course as the rules' ``LabDue`` (baseline tests block the
    first prescription only: once treatment runs, a missed lab is shown, never a gate)."""
    items = lab_schedule(
        plan, results, on, start_on=first_day, peak_dose_on=_peak_dose_on(dose), end_on=end_date if start_date else None
    )
    return tuple(
        rf.LabDue(
            name=item.label,
            due_on=item.due_on,
            done_on=item.done_on,
            blocks_prescribing=item.kind is DueKind.BASELINE and start_date is None,
        )
        for item in items
    )
