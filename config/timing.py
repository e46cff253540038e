"""Per-request server timing for the benchmarks (off unless ``SERVER_TIMING`` is on).

With it on, every response carries a ``Server-Timing`` header with the time Django spent on
the request (``app``), the part of it spent executing SQL (``db``, the floor the page cannot
beat) and the number of SQL statements (``queries``). The benchmarks read these instead of
client-side latency, so loopback and the client's own work do not blur the figures. Off in
production by default: timings are not for the public.
"""

from time import perf_counter

from django.conf import settings
from django.db import connection


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.SERVER_TIMING:
            return self.get_response(request)
        sql = {"count": 0, "seconds": 0.0}

        def timed(execute, statement, params, many, context):
            started = perf_counter()
            try:
                return execute(statement, params, many, context)
            finally:
                sql["count"] += 1
                sql["seconds"] += perf_counter() - started

        started = perf_counter()
        with connection.execute_wrapper(timed):
            response = self.get_response(request)
        total = perf_counter() - started
        response["Server-Timing"] = (
            f"app;dur={total * 1000:.2f}, db;dur={sql['seconds'] * 1000:.2f}, queries;dur={sql['count']}"
        )
        return response
