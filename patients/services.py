"""Writing patient facts. Views call these; each validates, locks what it reads, writes, and
tells higher apps (``facts.facts_changed``) when a fact that rules depend on changed."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import acting

from .facts import facts_changed
from .models import KG_PER_LB, AccessEvent, AccessKind, Patient, RiskCategoryChange, WeightMeasurement, WeightUnit

STALE_EDIT_MESSAGE = (
    "Someone else saved changes to this patient while you were editing. "
    "Your changes were not saved; reload the page to see theirs, then edit again."
)
PATIENT_EDITABLE_FIELDS = frozenset(
    {
        "mrn",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "phone",
        "email",
        "preferred_channel",
        "reminder_opt_out",
        "quiet_hours_start",
        "quiet_hours_end",
        "guardian_name",
        "guardian_relationship",
        "guardian_phone",
        "guardian_email",
        "guardian_consent_on",
        "ipledge_patient_id",
        "notes",
    }
)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - PATIENT_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not editable through patient services: {sorted(unknown)}")


def patient_create(*, actor, **fields) -> Patient:
    _check_fields(fields)
    patient = Patient(**fields)
    patient.full_clean()
    with acting(actor), transaction.atomic():
        patient.save()
    return patient


def patient_update(*, actor, patient_id: int, expected_version: int, **fields) -> Patient:
    """Save an edit made on the version ``expected_version`` of the record.

    Steps: lock the patient row; refuse if its version moved on (someone saved since the form
    was opened); apply the fields; validate; save with the version incremented.
    """
    _check_fields(fields)
    with acting(actor), transaction.atomic():
        # The row lock makes check-then-write atomic: two simultaneous saves of the same
        # version cannot both pass the check (the second one waits, then sees the new version).
        patient = Patient.objects.select_for_update().get(pk=patient_id)
        if patient.version != expected_version:
            raise ValidationError(STALE_EDIT_MESSAGE, code="stale")
        ipledge_id_before = patient.ipledge_patient_id
        for name, value in fields.items():
            setattr(patient, name, value)
        patient.version += 1
        patient.full_clean()
        patient.save()
        if patient.ipledge_patient_id != ipledge_id_before:
            facts_changed(patient.pk)  # the compliance gate checks that the iPLEDGE ID is recorded
    return patient


def risk_category_change(
    *, actor, patient_id: int, category: str, effective_on: date, reason: str
) -> RiskCategoryChange:
    """Record a risk-category assignment and keep ``Patient.risk_category`` equal to the latest one."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the category changes (e.g. menarche, hysterectomy)."})
    with acting(actor), transaction.atomic():
        patient = Patient.objects.select_for_update().get(pk=patient_id)
        change = RiskCategoryChange(
            patient=patient, category=category, effective_on=effective_on, reason=reason, changed_by=actor
        )
        change.full_clean()
        change.save()
        # A back-dated entry may not be the latest one: the current category is the newest.
        current = RiskCategoryChange.objects.filter(patient=patient).order_by("-effective_on", "-id").first()
        Patient.objects.filter(pk=patient.pk).update(risk_category=current.category)
        facts_changed(patient.pk)
    return change


def weight_to_kg(value: Decimal, unit: str) -> Decimal:
    kg = value * KG_PER_LB if unit == WeightUnit.LB else value
    return kg.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def weight_record(*, actor, patient_id: int, measured_on: date, value: Decimal, unit: str) -> WeightMeasurement:
    weight_kg = weight_to_kg(value, unit)
    if not WeightMeasurement.MIN_KG <= weight_kg <= WeightMeasurement.MAX_KG:
        raise ValidationError({"value": "Weight must be between 20 and 300 kg (44 and 661 lb)."})
    measurement = WeightMeasurement(
        patient_id=patient_id,
        measured_on=measured_on,
        weight_kg=weight_kg,
        entered_value=value,
        entered_unit=unit,
        recorded_by=actor,
    )
    measurement.full_clean()
    with acting(actor), transaction.atomic():
        measurement.save()
        facts_changed(patient_id)
    return measurement


def access_record(*, user, patient_id: int | None, kind: str, path: str, status_code: int = 200) -> None:
    AccessEvent.objects.create(
        user=user if user and user.is_authenticated else None,
        patient_id=patient_id,
        kind=kind,
        path=path[:300],
        status_code=status_code,
    )


def chart_view_record(*, user, patient_id: int, path: str) -> None:
    access_record(user=user, patient_id=patient_id, kind=AccessKind.CHART_VIEW, path=path)
