"""The Admin's system page: is the Celery worker alive, and does a task sent from here run?"""

import uuid

from django.core.cache import cache
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import permission_required

from .tasks import HEARTBEAT_KEY, enqueue_on_commit, ping, ping_key


@permission_required("accounts.view_user")
@require_http_methods(["GET"])
def system_status(request):
    ping_id = request.GET.get("ping", "")
    context = {
        "heartbeat": cache.get(HEARTBEAT_KEY),
        "ping_id": ping_id,
        "ping_answered_at": cache.get(ping_key(ping_id)) if ping_id else None,
    }
    return render(request, "system/status.html", context)


@permission_required("accounts.view_user")
@require_POST
def system_ping(request):
    ping_id = uuid.uuid4().hex
    enqueue_on_commit(ping, ping_id)
    return redirect(f"/system/?ping={ping_id}")
