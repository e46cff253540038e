"""``/healthz``: is the app able to reach its database and Redis? No patient data, no login."""

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .tasks import HEARTBEAT_KEY


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure to reach the server means "down"
        connection.close()  # drop the broken connection so the next request reconnects
        return False


def _redis_state() -> tuple[bool, str | None]:
    try:
        return True, cache.get(HEARTBEAT_KEY)
    except Exception:
        return False, None


@login_not_required
@never_cache
@require_GET
def healthz(request):
    database = _database_ok()
    redis, heartbeat = _redis_state()
    healthy = database and redis
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": "ok" if database else "unreachable",
        "redis": "ok" if redis else "unreachable",
        "worker_heartbeat": heartbeat,
    }
    return JsonResponse(body, status=200 if healthy else 503)
