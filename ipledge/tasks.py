"""Celery tasks of the compliance app (arguments are ids only). Beat entry: config/celery.py."""

from celery import shared_task

from . import reminder_sweep, status


@shared_task
def sweep_course_statuses() -> int:
    """Recompute every tracked course's status for today (beat, hourly at minute 9): windows
    open and close with the calendar, not only when facts change. Then schedule the patient
    reminders the fresh checklists call for (and withdraw those they no longer call for).
    Idempotent: a second run writes nothing."""
    written = status.sweep()
    reminder_sweep.sweep()
    return written


@shared_task
def recompute_patient_statuses(patient_id: int) -> int:
    return status.recompute_patient(patient_id)
