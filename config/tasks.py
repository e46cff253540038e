"""Small operational tasks: a worker heartbeat and a ping that proves the queue works."""

from celery import shared_task
from django.core import management
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "worker-heartbeat"


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
