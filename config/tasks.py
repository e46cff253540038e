"""Small operational tasks (a worker heartbeat, a ping that proves the queue works) and the one
way to queue a task from code that writes to the database: ``enqueue_on_commit``."""

import logging

from celery import shared_task
from django.core import management
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

HEARTBEAT_KEY = "worker-heartbeat"
logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue ``task`` with ``args`` once the current transaction commits, never before.

    A task queued inside a transaction that then rolls back would run on data that does not
    exist (or run twice after a retry); a task queued before the commit may start before its
    rows are visible to the worker. Outside a transaction the task is queued at once.

    Arguments are ids only (they are stored in Redis). If the broker is unreachable at commit
    time the failure is logged, not raised: the data is already committed, and whatever the task
    would do must also be found by a periodic sweep (the outbox pattern), so it is only late.
    """

    def send():
        try:
            task.delay(*args, **kwargs)
        except Exception:
            logger.exception("could not queue task %s; a periodic sweep will pick the work up", task.name)

    transaction.on_commit(send)


def ping_key(ping_id: str) -> str:
    return f"worker-ping:{ping_id}"


@shared_task
def heartbeat() -> None:
    """Record that a worker ran a beat-scheduled task (shown on /healthz and the system page)."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)


@shared_task
def ping(ping_id: str) -> None:
    """Answer a ping sent from the web process (the system page's "test the worker" button)."""
    cache.set(ping_key(ping_id), timezone.now().isoformat(), timeout=3600)


@shared_task
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")
