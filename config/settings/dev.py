"""Settings for ``make run`` on a developer machine (embedded servers, console email)."""

import os

# The demo runs without secrets; an unset key gets a fixed development-only value.
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# In the demo only the Django admin asks for a TOTP code, so a demo prescriber can log in with
# a password alone; set MFA_REQUIRED_ROLES=admin,prescriber to try the production behaviour.
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=[])
# Static files come straight from the source folders (no collectstatic outside production).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
