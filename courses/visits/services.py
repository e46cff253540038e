"""Booking, moving, cancelling and attending visits. Views call these; each validates, locks the
course row, writes, and schedules or cancels the visit's reminders in the same transaction (a
booking that rolls back leaves no reminder behind). Every refusal is a ValidationError whose keys
are the form fields (or none, for the form as a whole).

Double booking: two front desk staff booking one clinician's slot at the same moment both pass
every check made before writing (neither sees the other's uncommitted row), so only the
database can settle it: the exclusion constraint ``visit_clinician_not_double_booked`` makes the
second insert wait for the first transaction and then fail; ``_save`` turns that IntegrityError
into "<clinician> is already booked at that time".
"""

import calendar
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.audit import acting
from accounts.models import Role, User
from patients.facts import facts_changed
from patients.models import WeightUnit
from patients.services import weight_record

from ..models import OPEN_STATES, Course
from . import hours, reminders
from .models import SideEffect, Visit, VisitStatus, VisitType
from .windows import visit_windows

CLINICIAN_ROLES = (Role.PRESCRIBER, Role.CLINICAL_STAFF)
CONSTRAINT = "visit_clinician_not_double_booked"
DEADLOCK_DETECTED = "40P01"


def double_booked_message(clinician: User) -> str:
    return f"{clinician} is already booked at that time."


def _clinician(clinician_id: int) -> User:
    clinician = User.objects.filter(pk=clinician_id, role__in=CLINICIAN_ROLES, is_active=True).first()
    if clinician is None:
        raise ValidationError({"clinician": "Choose an active prescriber or clinical staff member."})
    return clinician


def _locked_course(course_id: int) -> Course:
    # Locks the course row: a booking cannot race with the course being ended (and two
    # bookings for one course are made one after the other).
    course = Course.objects.select_for_update().filter(pk=course_id).first()
    if course is None or course.state not in OPEN_STATES:
        raise ValidationError("Visits can be booked only for an open course.")
    return course


def _locked_visit(visit_id: int, *, statuses=(VisitStatus.SCHEDULED,)) -> Visit:
    visit = Visit.objects.select_related("clinician").filter(pk=visit_id).first()
    if visit is None:
        raise ValidationError("This visit no longer exists.")
    # Lock the course first, then the visit (the order booking uses), so that a status change
    # cannot race with a reschedule of the same visit.
    Course.objects.select_for_update().filter(pk=visit.course_id).first()
    visit = Visit.objects.select_for_update().select_related("clinician").get(pk=visit_id)
    if visit.status not in statuses:
        raise ValidationError(f"This visit is {visit.get_status_display().lower()}; it can no longer be changed.")
    return visit


def _check_location(location: str) -> str:
    locations = settings.CLINIC_LOCATIONS
    if len(locations) <= 1:
        return location or (locations[0] if locations else "")
    if location not in locations:
        raise ValidationError({"location": "Choose one of the clinic's locations."})
    return location


def outside_window(course_id: int, day: date) -> tuple[date, date] | None:
    """The course's window when ``day`` falls outside it, else None."""
    window = visit_windows([course_id]).get(course_id)
    if window and not window[0] <= day <= window[1]:
        return window
    return None


def _check_window(visit: Visit, outside_window_ok: bool) -> None:
    if visit.type != VisitType.MONTHLY or outside_window_ok:
        return
    window = outside_window(visit.course_id, timezone.localtime(visit.starts_at).date())
    if window:
        raise ValidationError(
            {
                "outside_window_ok": f"This date is outside the window for the next monthly visit "
                f"({window[0]:%Y-%m-%d} to {window[1]:%Y-%m-%d}). Tick “book outside the window anyway” to book it."
            }
        )


def _check_hours(visit: Visit, outside_hours_ok: bool) -> None:
    """A time outside opening hours is most often a slip (02:30 for 14:30): ask first."""
    if outside_hours_ok or hours.within_opening_hours(visit.starts_at, visit.duration_minutes):
        return
    days = ", ".join(calendar.day_abbr[d] for d in sorted(settings.CLINIC_DAYS))
    raise ValidationError(
        {
            "outside_hours_ok": f"This visit is outside opening hours ({days}, {settings.CLINIC_OPENS} to "
            f"{settings.CLINIC_CLOSES}). Tick “book outside opening hours anyway” to book it."
        }
    )


def _is_deadlock(error: OperationalError) -> bool:
    cause = error.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) == DEADLOCK_DETECTED


def _save(visit: Visit) -> None:
    """Save in a savepoint; a double booking (the constraint, see the module docstring) becomes
    a form error.

    Two transactions inserting conflicting rows at the same moment each find the other's
    uncommitted row in the constraint's index and wait for the other: PostgreSQL breaks the
    deadlock by failing one of them ("deadlock detected") instead of reporting the conflict.
    The loser rolls back its savepoint (which lets the winner commit) and inserts again, and
    then meets the winner's row: the constraint's error, as without the race."""
    visit.full_clean(validate_constraints=False)
    for attempt in range(3):
        try:
            with transaction.atomic():
                visit.save()
            return
        except IntegrityError as error:
            if CONSTRAINT in str(error):
                raise ValidationError({"starts_at": double_booked_message(visit.clinician)}) from error
            raise
        except OperationalError as error:
            if not _is_deadlock(error) or attempt == 2:
                raise


def visit_book(
    *,
    actor: User,
    course_id: int,
    clinician_id: int,
    starts_at: datetime,
    duration_minutes: int = 30,
    type: str = VisitType.MONTHLY,
    location: str = "",
    outside_window_ok: bool = False,
    outside_hours_ok: bool = False,
) -> Visit:
    """Steps: check the clinician and location; lock the course; check the window (monthly
    visits) and the opening hours (each may be confirmed); insert (the constraint refuses a
    double booking); schedule the reminders."""
    clinician = _clinician(clinician_id)
    location = _check_location(location)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": "Choose a time in the future."})
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id)
        visit = Visit(
            patient_id=course.patient_id,
            course=course,
            clinician=clinician,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            type=type,
            location=location,
            booked_by=actor,
        )
        _check_window(visit, outside_window_ok)
        _check_hours(visit, outside_hours_ok)
        _save(visit)
        reminders.schedule_for(visit, actor=actor)
    return visit


def visit_reschedule(
    *,
    actor: User,
    visit_id: int,
    clinician_id: int,
    starts_at: datetime,
    duration_minutes: int,
    location: str = "",
    outside_window_ok: bool = False,
    outside_hours_ok: bool = False,
) -> Visit:
    """Move a scheduled visit (another time, clinician, length or room); the old day's
    reminders are cancelled (unless another visit of the patient keeps them), the new day's
    scheduled."""
    clinician = _clinician(clinician_id)
    location = _check_location(location)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": "Choose a time in the future."})
    with acting(actor), transaction.atomic():
        visit = _locked_visit(visit_id)
        old_start = visit.starts_at
        visit.clinician, visit.starts_at, visit.duration_minutes = clinician, starts_at, duration_minutes
        visit.location = location
        _check_window(visit, outside_window_ok)
        _check_hours(visit, outside_hours_ok)
        _save(visit)
        if old_start != starts_at:
            reminders.cancel_for(
                patient_id=visit.patient_id, starts_at=old_start, except_visit_id=visit.pk, actor=actor
            )
            reminders.schedule_for(visit, actor=actor)
    return visit


def _close(visit: Visit, status: str, actor: User, reason: str = "") -> Visit:
    visit.status, visit.cancel_reason = status, reason
    visit.full_clean(validate_constraints=False)
    visit.save(update_fields=["status", "cancel_reason", "updated_at"])
    reminders.cancel_for(patient_id=visit.patient_id, starts_at=visit.starts_at, except_visit_id=visit.pk, actor=actor)
    return visit


def visit_cancel(*, actor: User, visit_id: int, reason: str) -> Visit:
    """Cancel a scheduled visit (a reason is required); frees the clinician's time and cancels
    the visit's reminders."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the visit is cancelled."})
    with acting(actor), transaction.atomic():
        return _close(_locked_visit(visit_id), VisitStatus.CANCELLED, actor, reason)


def visit_mark_no_show(*, actor: User, visit_id: int) -> Visit:
    with acting(actor), transaction.atomic():
        visit = _locked_visit(visit_id)
        if visit.starts_at > timezone.now():
            raise ValidationError("A visit can be marked as a no-show only once its time has come.")
        return _close(visit, VisitStatus.NO_SHOW, actor)


def visit_check_in(*, actor: User, visit_id: int) -> Visit:
    with acting(actor), transaction.atomic():
        visit = _locked_visit(visit_id)
        if timezone.localtime(visit.starts_at).date() != timezone.localdate():
            raise ValidationError("A patient can be checked in only on the day of the visit.")
        visit.status = VisitStatus.CHECKED_IN
        visit.save(update_fields=["status", "updated_at"])
    return visit


def visit_record_clinical(
    *,
    actor: User,
    visit_id: int,
    weight_kg: Decimal | None,
    side_effects: list[str],
    side_effect_notes: str = "",
    phq2_score: int | None = None,
    phq9_score: int | None = None,
) -> Visit:
    """Record the findings of a checked-in (or completed) visit and complete it. A new weight
    also becomes one of the patient's weights (``patients.services.weight_record``), dated the
    visit's day, so the dose maths use it."""
    unknown = set(side_effects) - set(SideEffect.values)
    if unknown:
        raise ValidationError({"side_effects": "Choose side effects from the list."})
    with acting(actor), transaction.atomic():
        visit = _locked_visit(visit_id, statuses=(VisitStatus.SCHEDULED, VisitStatus.CHECKED_IN, VisitStatus.COMPLETED))
        day = timezone.localtime(visit.starts_at).date()
        if day > timezone.localdate():
            raise ValidationError("Findings can be recorded on the day of the visit or later.")
        new_weight = weight_kg is not None and weight_kg != visit.weight_kg
        visit.weight_kg, visit.side_effects, visit.side_effect_notes = weight_kg, list(side_effects), side_effect_notes
        visit.phq2_score, visit.phq9_score = phq2_score, phq9_score
        visit.status = VisitStatus.COMPLETED
        visit.full_clean(validate_constraints=False)
        visit.save()
        if new_weight:
            weight_record(
                actor=actor, patient_id=visit.patient_id, measured_on=day, value=weight_kg, unit=WeightUnit.KG
            )
        facts_changed(visit.patient_id)
    return visit
