"""Production settings: refuses to start without its secrets and servers.

Required: SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS (each also as NAME_FILE).
"""

import environ
from django.core.exceptions import ImproperlyConfigured

_REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS")
_missing = [name for name in _REQUIRED if not environ.FileAwareEnv().str(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables (or NAME_FILE): " + ", ".join(_missing)
    )

from .base import *  # noqa: E402,F403
from .base import STORAGES, env, required  # noqa: E402

SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in required("ALLOWED_HOSTS").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[f"https://{h}" for h in ALLOWED_HOSTS])
DEBUG = False

# TLS terminates at the proxy in front of gunicorn, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Keeps base's "default" and "private" (evidence uploads) storages.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
