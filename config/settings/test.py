"""Settings for the test suite: the same engines as production (PostgreSQL, Redis)."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, STORAGES, env

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Each test run has its own cache namespace and Celery queue, so rate-limit counters or queued
# tasks from an earlier run (or from `make run` on a shared Redis) never leak into a test. A
# worker process started by a test receives the same run id (tests/workers.py).
TEST_RUN_ID = env.str("ISOTRACK_TEST_RUN_ID", default=f"run{os.getpid()}")
# tests/conftest.py gives every test its own prefix on top (rate-limit counters, used TOTP codes).
CACHES["default"]["KEY_PREFIX"] = env.str("ISOTRACK_CACHE_PREFIX", default=f"isotrack-test-{TEST_RUN_ID}")
CELERY_TASK_DEFAULT_QUEUE = f"isotrack-test-{TEST_RUN_ID}"
# Mail stays in memory (whatever EMAIL_URL the shell has), except in a worker started by a test
# that runs its own local SMTP server and names it in ISOTRACK_TEST_EMAIL_URL.
if env.str("ISOTRACK_TEST_EMAIL_URL", default=""):
    vars().update(env.email_url("ISOTRACK_TEST_EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_MEDIA_ROOT = BASE_DIR / ".data" / "test" / "private"
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT
# Static files come straight from the source folders (no collectstatic outside production).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
