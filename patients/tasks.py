"""Celery tasks of the outbox (arguments are ids only). Beat entries: config/celery.py."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import reminders
from .outbox import sender

logger = logging.getLogger(__name__)

# One dispatch run enqueues at most this many batches; the next run, a minute later, goes on.
MAX_BATCHES_PER_DISPATCH = 20


@shared_task
def dispatch_due_messages() -> int:
    """Enqueue one ``send_message`` task per due message (beat, every minute)."""
    total = 0
    for _ in range(MAX_BATCHES_PER_DISPATCH):
        ids = sender.take_due_batch(limit=settings.REMINDER_DISPATCH_BATCH)
        for message_id in ids:
            send_message.delay(message_id)
        total += len(ids)
        if len(ids) < settings.REMINDER_DISPATCH_BATCH:
            break
    if total:
        logger.info("enqueued %s outbox messages", total)
    return total


# The hard limit stays well inside the lease, so a send stuck on the network is killed before
# another worker may reclaim its message.
@shared_task(time_limit=max(1, settings.REMINDER_LEASE_SECONDS // 2))
def send_message(message_id: int) -> str:
    outcome = sender.send_message(message_id)
    logger.info("outbox message %s: %s", message_id, outcome)
    return outcome


@shared_task
def schedule_staff_digests() -> int:
    """Schedule today's (clinic-local) staff digests (beat, hourly; idempotent)."""
    return reminders.schedule_staff_digests(day=timezone.localdate())
