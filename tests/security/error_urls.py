"""A test-only URL configuration: the app's URLs plus views that fail, to see the 500 and 503
pages the way a visitor would (tests/security/test_headers.py)."""

from django.db import OperationalError
from django.urls import path
from redis.exceptions import ConnectionError as RedisConnectionError

from config.urls import handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns

SECRET_DETAIL = "internal-detail-MRN0042-should-never-be-shown"


def crash(request):
    raise RuntimeError(SECRET_DETAIL)


def database_down(request):
    raise OperationalError(f"could not connect to server: {SECRET_DETAIL}")


def redis_down(request):
    raise RedisConnectionError(f"Error 111 connecting to 127.0.0.1:6379. {SECRET_DETAIL}")


urlpatterns = [
    path("test-errors/crash/", crash),
    path("test-errors/database-down/", database_down),
    path("test-errors/redis-down/", redis_down),
    *app_urlpatterns,
]
