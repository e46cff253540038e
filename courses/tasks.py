"""Celery tasks of the courses app (arguments are ids only). Beat entries: config/celery.py."""

import logging

from celery import shared_task

from .visits import reminders

logger = logging.getLogger(__name__)


@shared_task
def schedule_visit_reminders() -> int:
    """(Re)schedule the reminders of every scheduled visit of the next 3 days (beat, hourly).

    Booking already schedules a visit's reminders; this sweep catches what that missed (a
    reminder cancelled for a reason that no longer holds, a visit booked while the outbox was
    unreachable, a patient who opted back in). Idempotent: the outbox's unique key makes a
    second run, or two at once, create each reminder once."""
    created = reminders.sweep()
    if created:
        logger.info("scheduled %s visit reminders", created)
    return created
