"""Writing courses and their dose facts. Views call these; each validates, locks the row it reads
before writing (the course, or the patient when creating a course), writes, and reports the
change with ``patients.facts.facts_changed``. Every refusal is a ValidationError whose keys are
the form fields (or none, for the form as a whole)."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import acting
from accounts.models import Role, User
from patients.facts import facts_changed
from patients.models import Patient, WeightMeasurement

from . import dosing, regimens
from .models import (
    COMPLETION_REASONS,
    DISCONTINUATION_REASONS,
    ENDED_STATES,
    OPEN_STATES,
    Course,
    CourseState,
    DoseHold,
    DosePeriod,
    DosingSettings,
    EndReason,
    Indication,
    MissedDose,
)

STALE_COURSE_MESSAGE = (
    "Someone else changed this course while you were working on it. Nothing was saved; "
    "the page now shows their change: check it, then try again."
)


# --- Checks shared by several services ------------------------------------------------------


def _weights(patient_id: int) -> list[dosing.Weight]:
    rows = WeightMeasurement.objects.filter(patient_id=patient_id).order_by("measured_on", "id")
    return [dosing.Weight(w.measured_on, w.weight_kg) for w in rows]


def _regimen(regimen, formulation: str, settings: DosingSettings) -> regimens.Regimen:
    try:
        return regimens.validate_regimen(regimen, settings.strengths(formulation))
    except regimens.RegimenError as error:
        raise ValidationError({"dose": str(error)}) from error


def check_daily_dose(regimen: regimens.Regimen, patient_id: int, on: date, settings: DosingSettings) -> None:
    """Refuse a regimen any day of which is above the clinic's maximum mg/kg/day at the weight in
    force on ``on`` (a dose can only be checked per kg, so a weight is required)."""
    kg = dosing.weight_on(_weights(patient_id), on)
    if kg is None:
        raise ValidationError({"dose": "Record the patient's weight first: every dose is checked in mg/kg/day."})
    highest = max(regimens.cycle_mg(regimen))
    per_kg = Decimal(highest) / kg
    if per_kg > settings.max_mg_per_kg_day:
        raise ValidationError(
            {
                "dose": f"{highest} mg a day is {dosing.two_decimals(per_kg)} mg/kg/day at {kg} kg, above the "
                f"maximum of {settings.max_mg_per_kg_day} mg/kg/day. Nothing was saved."
            }
        )


def _locked_course(course_id: int, expected_version: int | None) -> Course:
    # The row lock serialises everything that reads a course and then writes to it (two dose
    # changes closing the same open period, a state change racing a dose change): the second
    # waits for the first to commit, then sees its version and is refused instead of
    # overwriting it. Passing None skips the version check (additive facts: missed days, holds).
    course = Course.objects.select_for_update().get(pk=course_id)
    if expected_version is not None and course.version != expected_version:
        raise ValidationError(STALE_COURSE_MESSAGE, code="stale")
    return course


def _not_future(value: date, field: str, what: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: f"{what} cannot be in the future."})


def _gap_check(*, patient_id: int, first_day: date, override_reason: str, field: str) -> bool:
    """Whether the first day is sooner than the clinic's minimum gap after the patient's last
    course, with an override reason given (True: record the override). Without a reason such
    a day is refused, as is a first day inside an earlier course. Courses called off before
    their first dose do not count."""
    settings = DosingSettings.current()
    previous = (
        Course.objects.filter(patient_id=patient_id, state__in=ENDED_STATES, start_date__isnull=False)
        .order_by("-end_date")
        .first()
    )
    if previous is None:
        return False
    if first_day <= previous.end_date:
        raise ValidationError(
            {field: f"The previous course's last dose was on {previous.end_date:%Y-%m-%d}; start after it."}
        )
    gap = (first_day - previous.end_date).days
    if gap >= settings.min_days_between_courses:
        return False
    if not override_reason.strip():
        earliest = previous.end_date + timedelta(days=settings.min_days_between_courses)
        raise ValidationError(
            {
                "gap_override_reason": f"The previous course ended on {previous.end_date:%Y-%m-%d}, {gap} days "
                f"before; a new course needs {settings.min_days_between_courses} days off (from "
                f"{earliest:%Y-%m-%d}). To start sooner, give the reason for overriding."
            }
        )
    return True


def _record_override(course: Course, actor, reason: str) -> None:
    course.gap_override_reason = reason.strip()
    course.gap_override_by = actor
    course.gap_override_at = timezone.now()


def _validate_details(*, indication: str, indication_other: str, target_low: Decimal, target_high: Decimal) -> None:
    errors = {}
    if indication == Indication.OTHER and not indication_other.strip():
        errors["indication_other"] = "Describe the indication."
    if target_low <= 0:
        errors["target_low"] = "The target must be above 0 mg/kg."
    elif target_high < target_low:
        errors["target_high"] = "The upper end of the target cannot be below the lower end."
    elif target_high > 400:
        errors["target_high"] = "Above 400 mg/kg is not a plausible target; check the figure."
    if errors:
        raise ValidationError(errors)


def _prescriber(prescriber_id: int) -> User:
    prescriber = User.objects.filter(pk=prescriber_id, role=Role.PRESCRIBER, is_active=True).first()
    if prescriber is None:
        raise ValidationError({"prescriber": "Choose an active prescriber."})
    return prescriber


# --- Creating a course ----------------------------------------------------------------------


def _course_create(
    *,
    actor,
    patient_id: int,
    state: str,
    prescriber_id: int,
    indication: str,
    indication_other: str,
    formulation: str,
    target_low: Decimal,
    target_high: Decimal,
    first_day: date,
    regimen,
    gap_override_reason: str,
) -> Course:
    """Steps: validate the details and the regimen; lock the patient; refuse a second open
    course; apply the gap rule; check the dose per kg; create the course and its first dose
    period; report the change."""
    _validate_details(
        indication=indication, indication_other=indication_other, target_low=target_low, target_high=target_high
    )
    settings = DosingSettings.current()
    parsed = _regimen(regimen, formulation, settings)
    prescriber = _prescriber(prescriber_id)
    with acting(actor), transaction.atomic():
        # Locking the patient serialises course creation for one patient: two prescribers
        # starting a course at once cannot both pass the "no open course" check.
        Patient.objects.select_for_update().get(pk=patient_id)
        if Course.objects.filter(patient_id=patient_id, state__in=OPEN_STATES).exists():
            raise ValidationError(
                "This patient already has an open course (planned, active or paused). "
                "Complete or discontinue it before starting another."
            )
        overridden = _gap_check(
            patient_id=patient_id, first_day=first_day, override_reason=gap_override_reason, field="first_day"
        )
        check_daily_dose(parsed, patient_id, first_day, settings)
        course = Course(
            patient_id=patient_id,
            prescriber=prescriber,
            indication=indication,
            indication_other=indication_other.strip() if indication == Indication.OTHER else "",
            formulation=formulation,
            target_low_mg_per_kg=target_low,
            target_high_mg_per_kg=target_high,
            planned_start=first_day,
            start_date=first_day if state == CourseState.ACTIVE else None,
            state=state,
            created_by=actor,
        )
        if overridden:
            _record_override(course, actor, gap_override_reason)
        course.full_clean()
        course.save()
        DosePeriod.objects.create(
            course=course,
            patient_id=patient_id,
            start=first_day,
            formulation=formulation,
            regimen=regimens.to_json(parsed),
            note="Starting dose",
            recorded_by=actor,
        )
        facts_changed(patient_id)
    return course


def course_plan(
    *,
    actor,
    patient_id: int,
    prescriber_id: int,
    indication: str,
    formulation: str,
    target_low: Decimal,
    target_high: Decimal,
    planned_start: date,
    regimen,
    indication_other: str = "",
    gap_override_reason: str = "",
) -> Course:
    """Plan a course with its starting dose; it becomes active with ``course_activate``."""
    if planned_start < timezone.localdate():
        raise ValidationError({"first_day": "A planned start cannot be in the past; start the course instead."})
    return _course_create(
        actor=actor,
        patient_id=patient_id,
        state=CourseState.PLANNED,
        prescriber_id=prescriber_id,
        indication=indication,
        indication_other=indication_other,
        formulation=formulation,
        target_low=target_low,
        target_high=target_high,
        first_day=planned_start,
        regimen=regimen,
        gap_override_reason=gap_override_reason,
    )


def course_start(
    *,
    actor,
    patient_id: int,
    prescriber_id: int,
    indication: str,
    formulation: str,
    target_low: Decimal,
    target_high: Decimal,
    start_date: date,
    regimen,
    indication_other: str = "",
    gap_override_reason: str = "",
) -> Course:
    """Start a course whose first dose is taken on ``start_date`` (today or earlier)."""
    _not_future(start_date, "first_day", "The first dose")
    return _course_create(
        actor=actor,
        patient_id=patient_id,
        state=CourseState.ACTIVE,
        prescriber_id=prescriber_id,
        indication=indication,
        indication_other=indication_other,
        formulation=formulation,
        target_low=target_low,
        target_high=target_high,
        first_day=start_date,
        regimen=regimen,
        gap_override_reason=gap_override_reason,
    )


def course_update(
    *,
    actor,
    course_id: int,
    expected_version: int,
    prescriber_id: int,
    indication: str,
    target_low: Decimal,
    target_high: Decimal,
    indication_other: str = "",
) -> Course:
    """Change an open course's prescriber, indication or target band."""
    _validate_details(
        indication=indication, indication_other=indication_other, target_low=target_low, target_high=target_high
    )
    prescriber = _prescriber(prescriber_id)
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id, expected_version)
        if not course.is_open:
            raise ValidationError(f"This course is {course.get_state_display().lower()}; its details are final.")
        course.prescriber = prescriber
        course.indication = indication
        course.indication_other = indication_other.strip() if indication == Indication.OTHER else ""
        course.target_low_mg_per_kg = target_low
        course.target_high_mg_per_kg = target_high
        course.version += 1
        course.full_clean()
        course.save()
        facts_changed(course.patient_id)
    return course


# --- State transitions: planned -> active <-> paused -> completed | discontinued -------------


def _require_state(course: Course, allowed: tuple, action: str) -> None:
    if course.state not in allowed:
        names = [CourseState(s).label.lower() for s in allowed]
        labels = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        article = "an" if labels[0] in "aeiou" else "a"
        raise ValidationError(
            f"Only {article} {labels} course can be {action}; this one is {course.get_state_display().lower()}.",
            code="invalid_transition",
        )


def _save_state(course: Course, state: str) -> None:
    course.state = state
    course.version += 1
    course.full_clean()
    course.save()
    facts_changed(course.patient_id)


def course_activate(
    *, actor, course_id: int, expected_version: int, start_date: date, gap_override_reason: str = ""
) -> Course:
    """Record the first dose of a planned course.

    Steps: lock the course; check the state and the date (not in the future; the gap rule again,
    as the actual first day may come sooner than planned, unless an override is on record);
    move the plan's first dose period to the actual first day; mark the course active."""
    _not_future(start_date, "start_date", "The first dose")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id, expected_version)
        _require_state(course, (CourseState.PLANNED,), "started")
        if not course.gap_override_by_id and _gap_check(
            patient_id=course.patient_id,
            first_day=start_date,
            override_reason=gap_override_reason,
            field="start_date",
        ):
            _record_override(course, actor, gap_override_reason)
        periods = list(DosePeriod.objects.filter(course=course).order_by("start"))
        if len(periods) > 1 and start_date >= periods[1].start:
            raise ValidationError(
                {
                    "start_date": f"The plan changes the dose on {periods[1].start:%Y-%m-%d}; the first dose must "
                    "come before that date."
                }
            )
        if periods and periods[0].start != start_date:
            periods[0].start = start_date
            periods[0].save(update_fields=["start"])
        course.start_date = start_date
        _save_state(course, CourseState.ACTIVE)
    return course


def course_pause(*, actor, course_id: int, expected_version: int, on: date, reason: str) -> DoseHold:
    """Stop dosing from ``on`` until the course is resumed: an open hold, and the state paused."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why dosing is paused (e.g. triglycerides 620 mg/dL)."})
    _not_future(on, "on", "A pause")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id, expected_version)
        _require_state(course, (CourseState.ACTIVE,), "paused")
        if on < course.start_date:
            raise ValidationError({"on": f"The course started on {course.start_date:%Y-%m-%d}; pause after that."})
        later = DoseHold.objects.filter(course=course, end__gte=on).order_by("start").first()
        if later:
            raise ValidationError(
                {"on": f"A hold from {later.start:%Y-%m-%d} to {later.end:%Y-%m-%d} overlaps; pause after it ends."}
            )
        hold = DoseHold.objects.create(
            course=course, patient_id=course.patient_id, start=on, end=None, reason=reason, recorded_by=actor
        )
        _save_state(course, CourseState.PAUSED)
    return hold


def course_resume(*, actor, course_id: int, expected_version: int, on: date) -> Course:
    """Resume dosing on ``on``: the open hold ends the day before."""
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id, expected_version)
        _require_state(course, (CourseState.PAUSED,), "resumed")
        hold = DoseHold.objects.filter(course=course, end__isnull=True).first()
        if hold and on <= hold.start:
            raise ValidationError({"on": f"Dosing was paused on {hold.start:%Y-%m-%d}; resume after that day."})
        if hold:
            hold.end = on - timedelta(days=1)
            hold.save(update_fields=["end"])
        _save_state(course, CourseState.ACTIVE)
    return course


def _end(
    *, actor, course_id: int, expected_version: int, end_date: date, end_reason: str, end_reason_text: str, state: str
) -> Course:
    """Steps: check the reason; lock the course; check the state and the last day; cut the dose
    facts at the last day (periods and holds after it are removed, the audit history keeps
    them; the current period and an open hold end on it); record the end."""
    reasons = COMPLETION_REASONS if state == CourseState.COMPLETED else DISCONTINUATION_REASONS
    if end_reason not in reasons:
        raise ValidationError({"end_reason": "Choose a reason from the list."})
    if end_reason == EndReason.OTHER and not end_reason_text.strip():
        raise ValidationError({"end_reason_text": "Describe the reason."})
    _not_future(end_date, "end_date", "The last dose")
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id, expected_version)
        if state == CourseState.COMPLETED:
            _require_state(course, (CourseState.ACTIVE, CourseState.PAUSED), "completed")
        else:
            _require_state(course, OPEN_STATES, "discontinued")
        if course.start_date and end_date < course.start_date:
            raise ValidationError(
                {"end_date": f"The first dose was on {course.start_date:%Y-%m-%d}; the last cannot be earlier."}
            )
        if course.start_date is None:
            # Called off before the first dose: the planned periods were never taken.
            DosePeriod.objects.filter(course=course).delete()
        else:
            DosePeriod.objects.filter(course=course, start__gt=end_date).delete()
            DoseHold.objects.filter(course=course, start__gt=end_date).delete()
            MissedDose.objects.filter(course=course, day__gt=end_date).delete()
            for model in (DosePeriod, DoseHold):
                model.objects.filter(course=course, end__isnull=True).update(end=end_date)
                model.objects.filter(course=course, end__gt=end_date).update(end=end_date)
        course.end_date = end_date
        course.end_reason = end_reason
        course.end_reason_text = end_reason_text.strip()
        _save_state(course, state)
    return course


def course_complete(
    *, actor, course_id: int, expected_version: int, end_date: date, end_reason: str, end_reason_text: str = ""
) -> Course:
    return _end(
        actor=actor,
        course_id=course_id,
        expected_version=expected_version,
        end_date=end_date,
        end_reason=end_reason,
        end_reason_text=end_reason_text,
        state=CourseState.COMPLETED,
    )


def course_discontinue(
    *, actor, course_id: int, expected_version: int, end_date: date, end_reason: str, end_reason_text: str = ""
) -> Course:
    return _end(
        actor=actor,
        course_id=course_id,
        expected_version=expected_version,
        end_date=end_date,
        end_reason=end_reason,
        end_reason_text=end_reason_text,
        state=CourseState.DISCONTINUED,
    )


# --- Dose facts -----------------------------------------------------------------------------


def dose_period_change(
    *,
    actor,
    course_id: int,
    expected_version: int,
    start: date,
    formulation: str,
    regimen,
    note: str = "",
) -> DosePeriod:
    """A new dose from ``start``.

    Steps: validate the regimen for the formulation; lock the course and check its version;
    refuse an ended course and a date before the course's first day or before the latest
    period; check the dose per kg; close the latest period the day before ``start`` (or, when
    ``start`` is that period's own first day, correct that period in place); create the new
    period; bump the course's version; report the change."""
    settings = DosingSettings.current()
    parsed = _regimen(regimen, formulation, settings)
    with acting(actor), transaction.atomic():
        course = _locked_course(course_id, expected_version)
        if not course.is_open:
            raise ValidationError(
                f"This course is {course.get_state_display().lower()}; its doses can no longer change."
            )
        if start < course.first_day:
            raise ValidationError({"start": f"The course starts on {course.first_day:%Y-%m-%d}; choose a later date."})
        latest = DosePeriod.objects.filter(course=course).order_by("-start").first()
        if latest and start < latest.start:
            raise ValidationError(
                {
                    "start": f"A dose from {latest.start:%Y-%m-%d} is already recorded; a change must start on or "
                    "after that date."
                }
            )
        check_daily_dose(parsed, course.patient_id, start, settings)
        if latest and latest.start == start:
            period = latest  # a correction of the latest period (its previous dose stays in the history)
            period.formulation, period.regimen, period.note = formulation, regimens.to_json(parsed), note.strip()
            period.recorded_by = actor
            period.save(update_fields=["formulation", "regimen", "note", "recorded_by"])
        else:
            if latest and (latest.end is None or latest.end >= start):
                latest.end = start - timedelta(days=1)
                latest.save(update_fields=["end"])
            period = DosePeriod(
                course=course,
                patient_id=course.patient_id,
                start=start,
                formulation=formulation,
                regimen=regimens.to_json(parsed),
                note=note.strip(),
                recorded_by=actor,
            )
            period.save()
        course.version += 1
        course.save(update_fields=["version", "updated_at"])
        facts_changed(course.patient_id)
    return period


def _require_started(course: Course) -> None:
    if course.start_date is None:
        raise ValidationError("This course has not started: there is no dose to miss or hold yet.")


def missed_dose_record(*, actor, course_id: int, day: date, note: str = "") -> MissedDose:
    """Record a day the patient did not take the prescribed dose."""
    _not_future(day, "day", "A missed day")
    with acting(actor), transaction.atomic():
        # Locked so that a hold or a dose change committed meanwhile is seen by the checks.
        course = _locked_course(course_id, None)
        _require_started(course)
        if day < course.start_date or (course.end_date and day > course.end_date):
            raise ValidationError({"day": "That day is outside the course."})
        if not DosePeriod.objects.filter(course=course, start__lte=day).exclude(end__lt=day).exists():
            raise ValidationError({"day": "No dose was prescribed that day."})
        hold = DoseHold.objects.filter(course=course, start__lte=day).exclude(end__lt=day).first()
        if hold:
            raise ValidationError({"day": f"Dosing was on hold that day ({hold.reason}); it is not a missed dose."})
        if MissedDose.objects.filter(course=course, day=day).exists():
            raise ValidationError({"day": "This missed day is already recorded."})
        missed = MissedDose.objects.create(
            course=course, patient_id=course.patient_id, day=day, note=note.strip(), recorded_by=actor
        )
        facts_changed(course.patient_id)
    return missed


def dose_hold_record(*, actor, course_id: int, start: date, end: date, reason: str) -> DoseHold:
    """Record an interruption with known dates (an open-ended one is a pause: ``course_pause``)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why dosing is held (e.g. triglycerides 620 mg/dL)."})
    if end < start:
        raise ValidationError({"end": "The hold cannot end before it starts."})
    with acting(actor), transaction.atomic():
        # Locked so that two holds recorded at once cannot both pass the overlap check.
        course = _locked_course(course_id, None)
        _require_started(course)
        if start < course.start_date:
            raise ValidationError({"start": f"The course started on {course.start_date:%Y-%m-%d}."})
        if course.end_date and end > course.end_date:
            raise ValidationError({"end": f"The course ended on {course.end_date:%Y-%m-%d}."})
        overlapping = DoseHold.objects.filter(course=course, start__lte=end).exclude(end__lt=start).first()
        if overlapping:
            until = f"{overlapping.end:%Y-%m-%d}" if overlapping.end else "the course is resumed"
            raise ValidationError({"start": f"Dosing is already held from {overlapping.start:%Y-%m-%d} until {until}."})
        hold = DoseHold.objects.create(
            course=course, patient_id=course.patient_id, start=start, end=end, reason=reason, recorded_by=actor
        )
        facts_changed(course.patient_id)
    return hold
