"""Celery tasks of the compliance app (arguments are ids only). Beat entry: config/celery.py."""

from celery import shared_task

from . import status


@shared_task
def sweep_course_statuses() -> int:
    """Recompute every tracked course's status for today (beat, hourly at minute 9): windows
    open and close with the calendar, not only when facts change. Idempotent: a second run
    writes nothing."""
    return status.sweep()


@shared_task
def recompute_patient_statuses(patient_id: int) -> int:
    return status.recompute_patient(patient_id)
