"""Error pages without tracebacks or internals, for every status the app answers with.

When PostgreSQL or Redis cannot be reached, whatever raised (a view, the session, the rate
limiter, a task being queued), the visitor gets a "temporarily unavailable" page with status
503 instead of a 500: the failure is the infrastructure's, it is temporary, and the next
request after the server is back succeeds (connections are re-opened per request).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Raised when a server is down or unreachable (database, cache, Celery broker).
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError, BrokerError)
RETRY_AFTER_SECONDS = 30


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Django calls this handler while handling the exception, so it is available here.
    # Both pages render without context processors: the failure may be in what they read.
    error = sys.exc_info()[1]
    if isinstance(error, UNAVAILABLE_ERRORS):
        response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
