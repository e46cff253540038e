"""Writing iPLEDGE facts. Views call these; each checks the actor's permission (front desk
records nothing here), locks the course row, validates (``full_clean``), writes inside
``acting(actor)`` so the audit history names who did it, and reports the change with
``patients.facts.facts_changed``, which recomputes the course's status after the commit, in
the same request. Every refusal is a ValidationError whose keys are form fields (or none).

Why the course row lock: two writes on one course at the same time (two staff members, or a
double-submitted form) must not both pass a check made on what they read, e.g. two
prescriptions both judged "ready", a replacement authorization recorded twice for one
reversal, or an authorization dispensed and reversed at once.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import acting
from accounts.models import Role
from courses.models import Course
from patients.facts import facts_changed
from patients.models import Patient

from .facts import course_facts, rule_settings
from .models import (
    AbstinenceCommitment,
    Authorization,
    AuthorizationStatus,
    ConcomitantMedication,
    ContraceptionMethod,
    ContraceptionUse,
    Enrollment,
    EntryTick,
    InteractingMedication,
    MonthlyConfirmation,
    Prescription,
)
from .rule_facts import ABSTINENCE, MAX_DAYS_SUPPLY
from .rules import checklist

OVERRIDE_PERMISSION = "ipledge.override_prescription"


class NotReady(ValidationError):
    """A prescription refused because the course is not ready; ``reasons`` lists why."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(["This course is not ready for a prescription:", *reasons], code="not_ready")


# --- Shared checks ----------------------------------------------------------------------------


def _require(actor, permission: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied


def _locked_course(course_id: int) -> Course:
    return Course.objects.select_for_update().get(pk=course_id)


def _not_future(value: date | None, field: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError({field: "This date is in the future."})


def _not_before(value: date | None, earliest: date | None, field: str, words: str) -> None:
    if value is not None and earliest is not None and value < earliest:
        raise ValidationError({field: f"{words} ({earliest:%Y-%m-%d})."})


def _saved(row):
    row.full_clean()
    row.save()
    return row


# --- Enrollment -------------------------------------------------------------------------------


def enrollment_record(
    *,
    actor,
    course_id: int,
    ipledge_patient_id: str,
    enrolled_on: date | None,
    consent_signed_on: date | None,
    birth_defects_consent_signed_on: date | None = None,
    counseled_on: date | None = None,
    prescriber_certified: bool = False,
) -> Enrollment:
    """Record (or correct) the course's iPLEDGE registration, and the patient's iPLEDGE ID.

    Steps: lock the course; check the dates; write the ID on the patient (unique among
    patients); create or update the enrollment; report the change."""
    _require(actor, "ipledge.add_enrollment")
    for name, value in (
        ("enrolled_on", enrolled_on),
        ("consent_signed_on", consent_signed_on),
        ("birth_defects_consent_signed_on", birth_defects_consent_signed_on),
        ("counseled_on", counseled_on),
    ):
        _not_future(value, name)
    ipledge_patient_id = (ipledge_patient_id or "").strip()
    if enrolled_on and not ipledge_patient_id:
        raise ValidationError({"ipledge_patient_id": "Give the iPLEDGE patient ID the registration returned."})
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        # The patient row is locked too: the ID is unique and the patient edit form writes it.
        patient = Patient.objects.select_for_update().get(pk=course.patient_id)
        if patient.ipledge_patient_id != ipledge_patient_id:
            patient.ipledge_patient_id = ipledge_patient_id
            patient.clean_fields(exclude=[f.name for f in Patient._meta.fields if f.name != "ipledge_patient_id"])
            patient.validate_constraints()
            patient.version += 1
            patient.save(update_fields=["ipledge_patient_id", "version", "updated_at"])
        enrollment = Enrollment.objects.filter(course=course).first() or Enrollment(
            course=course, patient_id=course.patient_id, recorded_by=actor
        )
        enrollment.enrolled_on = enrolled_on
        enrollment.consent_signed_on = consent_signed_on
        enrollment.birth_defects_consent_signed_on = birth_defects_consent_signed_on
        enrollment.counseled_on = counseled_on
        enrollment.prescriber_certified = prescriber_certified
        _saved(enrollment)
        facts_changed(course.patient_id)
    return enrollment


# --- Contraception, abstinence, medications (facts of the patient, recorded from a course) ---


def contraception_method_add(
    *, actor, course_id: int, method_id: int, started_on: date, note: str = ""
) -> ContraceptionUse:
    _require(actor, "ipledge.add_contraceptionuse")
    _not_future(started_on, "started_on")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        method = ContraceptionMethod.objects.filter(pk=method_id, active=True).first()
        if method is None:
            raise ValidationError({"method": "Choose a method from the list."})
        ongoing = ContraceptionUse.objects.filter(patient_id=course.patient_id, method=method, ended_on__isnull=True)
        if ongoing.exists():
            raise ValidationError({"method": f"{method.label} is already recorded as in use: end it first."})
        use = ContraceptionUse(
            patient_id=course.patient_id, method=method, started_on=started_on, note=note.strip(), recorded_by=actor
        )
        _saved(use)
        facts_changed(course.patient_id)
    return use


def contraception_method_end(*, actor, course_id: int, use_id: int, ended_on: date) -> ContraceptionUse:
    _require(actor, "ipledge.change_contraceptionuse")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        use = ContraceptionUse.objects.select_for_update().get(pk=use_id, patient_id=course.patient_id)
        if use.ended_on is not None:
            raise ValidationError({"ended_on": f"This method already ended on {use.ended_on:%Y-%m-%d}."})
        _not_before(ended_on, use.started_on, "ended_on", "A method cannot end before it started")
        use.ended_on = ended_on
        _saved(use)
        facts_changed(course.patient_id)
    return use


def abstinence_record(
    *, actor, course_id: int, committed_on: date, ended_on: date | None = None, note: str = ""
) -> AbstinenceCommitment:
    _require(actor, "ipledge.add_abstinencecommitment")
    _not_future(committed_on, "committed_on")
    _not_before(ended_on, committed_on, "ended_on", "A commitment cannot end before it began")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        if AbstinenceCommitment.objects.filter(patient_id=course.patient_id, ended_on__isnull=True).exists():
            raise ValidationError({"committed_on": "A commitment to abstinence is already in force: end it first."})
        commitment = AbstinenceCommitment(
            patient_id=course.patient_id,
            committed_on=committed_on,
            ended_on=ended_on,
            note=note.strip(),
            recorded_by=actor,
        )
        _saved(commitment)
        facts_changed(course.patient_id)
    return commitment


def abstinence_end(*, actor, course_id: int, commitment_id: int, ended_on: date) -> AbstinenceCommitment:
    _require(actor, "ipledge.change_abstinencecommitment")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        commitment = AbstinenceCommitment.objects.select_for_update().get(
            pk=commitment_id, patient_id=course.patient_id
        )
        if commitment.ended_on is not None:
            raise ValidationError({"ended_on": f"This commitment already ended on {commitment.ended_on:%Y-%m-%d}."})
        _not_before(ended_on, commitment.committed_on, "ended_on", "A commitment cannot end before it began")
        commitment.ended_on = ended_on
        _saved(commitment)
        facts_changed(course.patient_id)
    return commitment


def medication_add(
    *, actor, course_id: int, medication_id: int, started_on: date, note: str = ""
) -> ConcomitantMedication:
    _require(actor, "ipledge.add_concomitantmedication")
    _not_future(started_on, "started_on")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        medication = InteractingMedication.objects.filter(pk=medication_id, active=True).first()
        if medication is None:
            raise ValidationError({"medication": "Choose a medication from the list."})
        taking = ConcomitantMedication.objects.filter(
            patient_id=course.patient_id, medication=medication, stopped_on__isnull=True
        )
        if taking.exists():
            raise ValidationError({"medication": f"{medication.name} is already recorded: stop it first."})
        row = ConcomitantMedication(
            patient_id=course.patient_id,
            medication=medication,
            started_on=started_on,
            note=note.strip(),
            recorded_by=actor,
        )
        _saved(row)
        facts_changed(course.patient_id)
    return row


def medication_stop(*, actor, course_id: int, medication_use_id: int, stopped_on: date) -> ConcomitantMedication:
    _require(actor, "ipledge.change_concomitantmedication")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        row = ConcomitantMedication.objects.select_for_update().get(pk=medication_use_id, patient_id=course.patient_id)
        if row.stopped_on is not None:
            raise ValidationError({"stopped_on": f"Already stopped on {row.stopped_on:%Y-%m-%d}."})
        _not_before(stopped_on, row.started_on, "stopped_on", "It cannot stop before it started")
        row.stopped_on = stopped_on
        _saved(row)
        facts_changed(course.patient_id)
    return row


# --- Monthly confirmations --------------------------------------------------------------------


def _method_codes(codes, field: str) -> list[str]:
    codes = [c for c in (codes or []) if c]
    if not codes:
        return []
    known = set(ContraceptionMethod.objects.filter(code__in=codes).values_list("code", flat=True)) | {ABSTINENCE}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError({field: f"Unknown method: {', '.join(unknown)}."})
    if len(set(codes)) != len(codes):
        raise ValidationError({field: "The same method is listed twice."})
    if len(codes) > 2:
        raise ValidationError({field: "iPLEDGE takes two methods (or abstinence)."})
    return codes


def confirmation_record(
    *,
    actor,
    course_id: int,
    counseling_on: date | None = None,
    comprehension_on: date | None = None,
    office_methods: list[str] | None = None,
    patient_methods: list[str] | None = None,
    visit_on: date | None = None,
) -> MonthlyConfirmation:
    """Record what was done on iPLEDGE this month: the counseling confirmation with the methods
    the office entered, and/or the patient's comprehension answers with the methods they confirmed."""
    _require(actor, "ipledge.add_monthlyconfirmation")
    for name, value in (
        ("counseling_on", counseling_on),
        ("comprehension_on", comprehension_on),
        ("visit_on", visit_on),
    ):
        _not_future(value, name)
    if counseling_on is None and comprehension_on is None:
        raise ValidationError("Give the counseling date, the comprehension date, or both.")
    office = _method_codes(office_methods, "office_methods")
    patient = _method_codes(patient_methods, "patient_methods")
    if office and counseling_on is None:
        raise ValidationError({"counseling_on": "The office enters the methods with the counseling confirmation."})
    if patient and comprehension_on is None:
        raise ValidationError(
            {"comprehension_on": "The patient confirms the methods with the comprehension questions."}
        )
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        row = MonthlyConfirmation(
            course=course,
            patient_id=course.patient_id,
            counseling_on=counseling_on,
            comprehension_on=comprehension_on,
            office_methods=office,
            patient_methods=patient,
            visit_on=visit_on,
            recorded_by=actor,
        )
        _saved(row)
        facts_changed(course.patient_id)
    return row


# --- Prescriptions ----------------------------------------------------------------------------


def blocking_reasons(course_id: int, on: date) -> list[str]:
    """Why the course is not ready to prescribe on ``on`` (empty: ready)."""
    result = checklist(course_facts(course_id, on), on, rule_settings())
    reasons = [f"{item.title}: {item.reason}" for item in result.blocking_items]
    if not reasons and not result.ready_to_prescribe:
        reasons.append("Treatment has ended or no risk category is recorded.")
    return reasons


def prescription_record(
    *,
    actor,
    course_id: int,
    written_on: date,
    strength_mg: int,
    capsules_per_day: int,
    quantity: int,
    days_supply: int,
    refills: int = 0,
    override_reason: str = "",
) -> Prescription:
    """Record a prescription written by ``actor`` (a prescriber).

    Steps: lock the course; check the limits (30-day supply, no refills); refuse the same
    prescription recorded twice on one day; compute the checklist on the day written; refuse
    with every blocking reason unless the prescriber overrides with a reason (kept on the
    prescription with the reasons overridden, audited); write; report the change."""
    _require(actor, "ipledge.add_prescription")
    override_reason = override_reason.strip()
    _not_future(written_on, "written_on")
    if refills:
        raise ValidationError({"refills": "iPLEDGE allows no refills."})
    if days_supply > MAX_DAYS_SUPPLY:
        raise ValidationError({"days_supply": "A prescription covers at most a 30-day supply."})
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        if not course.is_open:
            raise ValidationError("This course is closed: no prescription can be recorded.")
        # Under the course lock, so a double-submitted form (or two tabs) records it once.
        if Prescription.objects.filter(
            course=course,
            written_on=written_on,
            strength_mg=strength_mg,
            capsules_per_day=capsules_per_day,
            quantity=quantity,
            days_supply=days_supply,
        ).exists():
            raise ValidationError(f"This prescription of {written_on:%Y-%m-%d} is already recorded.")
        reasons = blocking_reasons(course.pk, written_on)
        if reasons and not override_reason:
            raise NotReady(reasons)
        if reasons and not (actor.has_perm(OVERRIDE_PERMISSION) and actor.role == Role.PRESCRIBER):
            raise PermissionDenied
        prescription = Prescription(
            course=course,
            patient_id=course.patient_id,
            prescriber=actor,
            written_on=written_on,
            strength_mg=strength_mg,
            capsules_per_day=capsules_per_day,
            quantity=quantity,
            days_supply=days_supply,
            refills=refills,
            overridden=bool(reasons),
            override_reason=override_reason if reasons else "",
            overridden_reasons=reasons,
            recorded_by=actor,
        )
        _saved(prescription)
        facts_changed(course.patient_id)
    return prescription


# --- Pharmacy authorizations ------------------------------------------------------------------


def authorization_record(
    *,
    actor,
    course_id: int,
    rma_number: str,
    obtained_on: date,
    do_not_dispense_after: date,
    days_supply: int,
    quantity: int,
    pharmacy: str,
    prescription_id: int | None = None,
    replaces_id: int | None = None,
) -> Authorization:
    """Record an RMA the pharmacy obtained; ``replaces_id`` names the reversed authorization it
    was obtained in place of (both are kept)."""
    _require(actor, "ipledge.add_authorization")
    _not_future(obtained_on, "obtained_on")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        replaces = None
        if replaces_id is not None:
            replaces = Authorization.objects.filter(pk=replaces_id, course=course).first()
            if replaces is None or replaces.status != AuthorizationStatus.REVERSED:
                raise ValidationError({"replaces": "Only a reversed authorization of this course can be replaced."})
            if Authorization.objects.filter(replaces=replaces).exists():
                raise ValidationError({"replaces": f"RMA {replaces.rma_number} was already replaced."})
        if prescription_id is not None and not Prescription.objects.filter(pk=prescription_id, course=course).exists():
            raise ValidationError({"prescription": "Choose a prescription of this course."})
        row = Authorization(
            course=course,
            patient_id=course.patient_id,
            prescription_id=prescription_id,
            rma_number=rma_number.strip(),
            obtained_on=obtained_on,
            do_not_dispense_after=do_not_dispense_after,
            days_supply=days_supply,
            quantity=quantity,
            pharmacy=pharmacy.strip(),
            replaces=replaces,
            recorded_by=actor,
        )
        _saved(row)
        facts_changed(course.patient_id)
    return row


def _locked_authorization(course: Course, authorization_id: int) -> Authorization:
    return Authorization.objects.select_for_update().get(pk=authorization_id, course=course)


def authorization_dispense(*, actor, course_id: int, authorization_id: int, dispensed_on: date) -> Authorization:
    """Record the pharmacy's dispensing; refused after the do-not-dispense-after date."""
    _require(actor, "ipledge.change_authorization")
    _not_future(dispensed_on, "dispensed_on")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        row = _locked_authorization(course, authorization_id)
        if row.status != AuthorizationStatus.AUTHORIZED:
            raise ValidationError(
                f"RMA {row.rma_number} is {row.get_status_display().lower()}: it cannot be dispensed."
            )
        _not_before(dispensed_on, row.obtained_on, "dispensed_on", "Dispensing cannot precede the authorization")
        if dispensed_on > row.do_not_dispense_after:
            raise ValidationError(
                {
                    "dispensed_on": f"RMA {row.rma_number} may not be dispensed after "
                    f"{row.do_not_dispense_after:%Y-%m-%d}: the pharmacy must obtain a new authorization."
                }
            )
        row.status = AuthorizationStatus.DISPENSED
        row.dispensed_on = dispensed_on
        _saved(row)
        facts_changed(course.patient_id)
    return row


def authorization_reverse(
    *, actor, course_id: int, authorization_id: int, reversed_on: date, reason: str
) -> Authorization:
    """Record the reversal of an authorization (wrong days supply or quantity, not picked up);
    the row is kept, with the date and the reason."""
    _require(actor, "ipledge.change_authorization")
    _not_future(reversed_on, "reversed_on")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the authorization was reversed (e.g. wrong days supply)."})
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        row = _locked_authorization(course, authorization_id)
        if row.status == AuthorizationStatus.REVERSED:
            raise ValidationError(f"RMA {row.rma_number} was already reversed.")
        _not_before(reversed_on, row.dispensed_on or row.obtained_on, "reversed_on", "A reversal cannot precede")
        row.status = AuthorizationStatus.REVERSED
        row.reversed_on = reversed_on
        row.reversal_reason = reason
        _saved(row)
        facts_changed(course.patient_id)
    return row


# --- "What to enter on iPLEDGE" ticks ---------------------------------------------------------


def entry_tick(*, actor, course_id: int, cycle_start: date, code: str, entered_on: date | None = None) -> EntryTick:
    """Mark an entry as typed into the iPLEDGE website (by ``actor``, on ``entered_on``)."""
    _require(actor, "ipledge.add_entrytick")
    entered_on = entered_on or timezone.localdate()
    _not_future(entered_on, "entered_on")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        existing = EntryTick.objects.filter(course=course, cycle_start=cycle_start, code=code).first()
        if existing is not None:
            return existing  # ticking twice (two tabs, a double click) is the same tick
        tick = EntryTick(
            course=course,
            patient_id=course.patient_id,
            cycle_start=cycle_start,
            code=code,
            entered_on=entered_on,
            entered_by=actor,
            recorded_by=actor,
        )
        _saved(tick)
        facts_changed(course.patient_id)
    return tick


def entry_untick(*, actor, course_id: int, cycle_start: date, code: str) -> bool:
    """Remove a tick set by mistake (the deletion stays in the audit history)."""
    _require(actor, "ipledge.delete_entrytick")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        deleted, _ = EntryTick.objects.filter(course=course, cycle_start=cycle_start, code=code).delete()
        if deleted:
            facts_changed(course.patient_id)
    return bool(deleted)
