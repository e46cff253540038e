"""Writing labs and pregnancy tests. Views call these; each validates, locks what it reads,
writes inside ``acting(actor)`` (audit) and tells higher apps through ``facts_changed``.

A positive pregnancy test is recorded here and shown on the chart at once (``labs.panels``);
blocking the open course and emailing its prescriber belong to the compliance app, which
``facts_changed`` wakes up after the commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.access import require_permission
from accounts.audit import acting
from patients.facts import facts_changed
from patients.models import Patient, RiskCategory

from . import ranges
from .models import Analyte, LabResult, LabSettings, LabSpecimen, PregnancyTest, VerificationMethod
from .pregnancy import Setting
from .selectors import threshold_rules

CANNOT_GET_PREGNANT_NOTE = (
    "This patient is in the “cannot get pregnant” category. Say why the test was done "
    "(e.g. the category is being reassessed); the test is then recorded."
)


@dataclass(frozen=True)
class ResultEntry:
    analyte_id: int
    value: Decimal
    unit: str
    reference_low: Decimal | None = None
    reference_high: Decimal | None = None


def result_field(analyte_code: str, name: str) -> str:
    """The form field that shows an error about one analyte's ``name`` (value, unit, reference_low,
    reference_high): the panel form names its fields this way."""
    return f"{analyte_code}_{name}"


def lab_panel_record(
    *,
    actor,
    patient_id: int,
    collected_on: date,
    fasting: bool | None,
    performing_lab: str,
    results: Sequence[ResultEntry],
    note: str = "",
) -> LabSpecimen:
    """Record the results of one specimen (e.g. a lipid panel and liver tests drawn together).

    Steps: validate the specimen; check every result against its analyte (possible values, unit,
    the lab's range) and collect all messages, each keyed by its form field; evaluate each result
    (flag against the lab's range, worst action threshold reached); write the specimen and its
    results in one transaction; report the changed facts.
    """
    specimen = LabSpecimen(
        patient_id=patient_id,
        collected_on=collected_on,
        fasting=fasting,
        performing_lab=performing_lab.strip(),
        note=note.strip(),
        recorded_by=actor,
    )
    errors: dict[str, list[str]] = {}
    try:
        specimen.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if not results:
        errors.setdefault("__all__", []).append("Enter at least one result.")
    analytes = Analyte.objects.in_bulk([entry.analyte_id for entry in results])
    thresholds = threshold_rules()
    rows = []
    for entry in results:
        analyte = analytes.get(entry.analyte_id)
        if analyte is None or not analyte.active:
            errors.setdefault("__all__", []).append("One of the tests is no longer offered; reload the form.")
            continue
        problems = ranges.entry_errors(
            analyte.rule,
            thresholds,
            value=entry.value,
            unit=entry.unit,
            low=entry.reference_low,
            high=entry.reference_high,
        )
        for name, message in problems.items():
            errors.setdefault(result_field(analyte.code, name), []).append(message)
        if problems:
            continue
        evaluation = ranges.evaluate(
            analyte.rule,
            thresholds,
            value=entry.value,
            unit=entry.unit,
            low=entry.reference_low,
            high=entry.reference_high,
        )
        worst = evaluation.worst
        rows.append(
            LabResult(
                patient_id=patient_id,
                analyte=analyte,
                value=entry.value,
                unit=entry.unit,
                reference_low=entry.reference_low,
                reference_high=entry.reference_high,
                flag=evaluation.flag,
                action=worst.action if worst else "",
                action_severity=worst.severity if worst else "",
                abnormal=evaluation.abnormal,
            )
        )
    if errors:
        raise ValidationError(errors)
    with acting(actor), transaction.atomic():
        specimen.save()
        for row in rows:
            row.specimen = specimen
        LabResult.objects.bulk_create(rows)
        facts_changed(patient_id)
    return specimen


def lab_specimen_review(*, actor, specimen_id: int, comment: str) -> list[LabResult]:
    """A prescriber marks the specimen's results reviewed.

    Steps: lock the results not yet reviewed; refuse when none are left (another prescriber was
    first) or when a threshold was reached and the comment does not say what was decided; stamp
    who, when and the comment; report the changed facts (reviews open the monthly gate).
    """
    require_permission(actor, "labs.review_labresult")
    comment = comment.strip()
    with acting(actor), transaction.atomic():
        specimen = LabSpecimen.objects.get(pk=specimen_id)
        # Row locks on the pending results: when two prescribers review at once, the second
        # waits, then finds nothing pending instead of overwriting the first one's comment.
        pending = list(LabResult.objects.select_for_update().filter(specimen=specimen, reviewed_at__isnull=True))
        if not pending:
            raise ValidationError("These results were already reviewed; reload the page to see by whom.")
        if not comment and any(result.action for result in pending):
            raise ValidationError(
                {"comment": "A result reached an action threshold: say what you decided (e.g. dose reduced, recheck)."}
            )
        now = timezone.now()
        for result in pending:
            result.reviewed_by, result.reviewed_at, result.review_comment = actor, now, comment
        LabResult.objects.bulk_update(pending, ["reviewed_by", "reviewed_at", "review_comment"])
        facts_changed(specimen.patient_id)
    return pending


def pregnancy_test_record(
    *,
    actor,
    patient_id: int,
    collected_on: date,
    test_type: str,
    setting: str,
    result: str,
    sensitivity_miu_ml: int,
    purpose: str,
    lab_name: str = "",
    clia_number: str = "",
    note: str = "",
    photo: File | None = None,
) -> PregnancyTest:
    """Record a pregnancy test as reported (home tests start unverified).

    Steps: build and validate the test (CLIA number for a CLIA lab, a note when the patient is in
    the "cannot get pregnant" category, the photo's type and size); save; report the changed
    facts, so that a positive result reaches the compliance app at once.
    """
    patient = Patient.objects.get(pk=patient_id)
    test = PregnancyTest(
        patient=patient,
        collected_on=collected_on,
        test_type=test_type,
        setting=setting,
        result=result,
        sensitivity_miu_ml=sensitivity_miu_ml,
        purpose=purpose,
        lab_name=lab_name.strip(),
        clia_number=clia_number.strip().upper(),
        note=note.strip(),
        recorded_by=actor,
    )
    if photo:
        test.photo = photo
    errors: dict[str, list[str]] = {}
    try:
        test.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if patient.risk_category == RiskCategory.CANNOT_GET_PREGNANT and not test.note:
        errors.setdefault("note", []).append(CANNOT_GET_PREGNANT_NOTE)
    if errors:
        raise ValidationError(errors)
    with acting(actor), transaction.atomic():
        test.save()
        facts_changed(patient_id)
    return test


_VERIFY_FORM_FIELDS = {"verification_method": "method", "verification_note": "note"}


def pregnancy_test_verify(
    *, actor, test_id: int, method: str, note: str = "", photo: File | None = None
) -> PregnancyTest:
    """A staff member verifies a home test (after which a negative one counts).

    Steps: lock the test; refuse if it is not a home test or is already verified, if the clinic
    requires a second person and the verifier recorded it, if "other" is not described, or if a
    dated photo was reviewed but none is on file or uploaded; stamp who, when and how; save;
    report the changed facts.
    """
    require_permission(actor, "labs.verify_pregnancytest")
    note = note.strip()
    with acting(actor), transaction.atomic():
        # Locked so two staff verifying at once cannot both stamp it (the second is told).
        test = PregnancyTest.objects.select_for_update().get(pk=test_id)
        if test.setting != Setting.HOME:
            raise ValidationError("Only home tests need verification.")
        if test.verified_at is not None:
            raise ValidationError("This test was already verified; reload the page to see by whom.")
        if LabSettings.load().home_test_second_person and test.recorded_by_id == actor.pk:
            raise ValidationError(
                "You recorded this test. The clinic requires a second staff member to verify home tests."
            )
        errors: dict[str, list[str]] = {}
        if method == VerificationMethod.OTHER and not note:
            errors["note"] = ["Describe how the result was verified."]
        if photo:
            test.photo = photo
        if method == VerificationMethod.DATED_PHOTO and not test.photo:
            errors["photo"] = ["Upload the dated photo you reviewed."]
        test.verified_by, test.verified_at = actor, timezone.now()
        test.verification_method, test.verification_note = method, note
        try:
            test.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(_VERIFY_FORM_FIELDS.get(field, field), []).extend(messages)
        if errors:
            raise ValidationError(errors)
        test.save()
        facts_changed(test.patient_id)
    return test
