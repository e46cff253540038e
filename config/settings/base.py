"""Settings shared by every environment.

Everything that differs between machines comes from the environment (django-environ). The
``*_FILE`` form of any variable (e.g. ``SECRET_KEY_FILE=/run/secrets/key``) is read too, for
container secrets. ``dev``, ``test`` and ``production`` modules add what is specific to each.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.FileAwareEnv()


def required(name: str, hint: str = "") -> str:
    """Read a variable that has no safe default, failing with a message that names it."""
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set. {hint}".strip())
    return value


# --- The clinic -----------------------------------------------------------------------------
CLINIC_NAME = env.str("CLINIC_NAME", default="Isotrack Dermatology Clinic")
# Dates shown to staff and patients ("clinic-local dates") use this zone; stored times are UTC.
TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="America/New_York")
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False

# --- Core -----------------------------------------------------------------------------------
DEBUG = False
ALLOWED_HOSTS: list[str] = []
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Operations commands (backup, restore); no models.
    "config",
    # Our apps, in dependency order: a lower app never imports a higher one.
    "accounts",
    "patients",
    "labs",
    "courses",
    "ipledge",
]

MIDDLEWARE = [
    "config.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "patients.middleware.DeniedAccessAuditMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

FORM_RENDERER = "config.forms.FormRenderer"

# --- Database and Redis ---------------------------------------------------------------------
_NO_SERVER_HINT = "Start the app with `make run` (embedded servers) or point it at your server."
DATABASES = {"default": env.db_url_config(required("DATABASE_URL", _NO_SERVER_HINT))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A statement that runs longer than 30 s is a bug: fail it instead of letting requests pile up.
# A server that does not answer within 3 s is reported as down (see /healthz).
DATABASES["default"].setdefault("OPTIONS", {}).update({"options": "-c statement_timeout=30000", "connect_timeout": 3})
REDIS_URL = required("REDIS_URL", _NO_SERVER_HINT)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "isotrack",
        # A short timeout keeps pages answering (and /healthz reporting) when Redis is down.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# --- Celery (settings read by config/celery.py with the CELERY_ namespace) -------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it finished, so a killed worker's task is redelivered;
# every task is therefore written to be safe to run twice (claims by conditional update).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = ["accounts.backends.RoleAuthenticationBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_INPUT_RENDER_VALUE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 15 * 60
# allauth counts failures in the cache (Redis): the 6th failed login for one account within
# 5 minutes is refused; the window slides, so the account recovers without an admin.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = CLINIC_NAME
USERSESSIONS_TRACK_ACTIVITY = False

# Roles that must have TOTP set up before using the app (the Django admin always requires it).
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=["admin", "prescriber"])

# --- Sessions -------------------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=15) * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # htmx reads the token from the page, not the cookie

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'; frame-ancestors 'none'"
)

# --- Static files and private uploads -------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / ".data" / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded evidence (e.g. photos of home pregnancy tests) lives outside any public path and is
# served only through views that check the role.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / ".data" / "private")
STORAGES["private"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    # No base_url: these files are never linked directly. Owner-only permissions on disk.
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Isotrack <no-reply@isotrack.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# An SMTP server that stops answering must not hold a worker (and its claimed message) for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Reminders and the outbox of messages (patients/outbox/) ----------------------------------
# Clinic-local hours at which patient reminders and the staff digest go out by default.
REMINDER_SEND_HOUR = env.int("REMINDER_SEND_HOUR", default=9)
REMINDER_DIGEST_HOUR = env.int("REMINDER_DIGEST_HOUR", default=7)
# A failed attempt is retried after 5, 10, 20, 40 minutes...; the 5th failure is final.
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_RETRY_BASE_SECONDS = env.int("REMINDER_RETRY_BASE_SECONDS", default=300)
# A message claimed by a worker that has not reported back within the lease (it was killed)
# is sent by another; a send task is killed after half the lease, so a live one never loses it.
REMINDER_LEASE_SECONDS = env.int("REMINDER_LEASE_SECONDS", default=600)
REMINDER_DISPATCH_BATCH = env.int("REMINDER_DISPATCH_BATCH", default=500)
# (user, day) -> [(label, count)] for the daily staff digest; ipledge points it at the worklist.
STAFF_DIGEST_PROVIDER = "ipledge.worklist.digest_counts"
SMS_BACKEND = env.str("SMS_BACKEND", default="patients.outbox.channels.sms.ConsoleSmsBackend")
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)

# --- Visits and clinic hours (courses/visits/) -----------------------------------------------
# Where visits take place; the booking form asks for one only when there are several.
CLINIC_LOCATIONS = env.list("CLINIC_LOCATIONS", default=["Main clinic"])
# Opening hours, clinic-local wall-clock times; days are Monday=0 ... Sunday=6.
CLINIC_OPENS = env.str("CLINIC_OPENS", default="08:30")
CLINIC_CLOSES = env.str("CLINIC_CLOSES", default="17:00")
CLINIC_DAYS = env.list("CLINIC_DAYS", cast=int, default=[0, 1, 2, 3, 4])
VISIT_SLOT_MINUTES = env.int("VISIT_SLOT_MINUTES", default=30)
# fn(course_ids, on) -> {course_id: (first day, last day)}: when each course's next monthly
# visit should fall. The default is computed from the compliance rules (ipledge/visit_windows.py);
# "courses.visits.windows.monthly_windows" is the plain 28-35 days after the last visit.
VISIT_WINDOW_PROVIDER = env.str("VISIT_WINDOW_PROVIDER", default="ipledge.visit_windows.compliance_windows")

# --- Audit (django-pghistory) ---------------------------------------------------------------
# Every tracked model records inserts, updates and deletes through Postgres triggers, and the
# event tables reject UPDATE and DELETE (append-only), so history cannot be rewritten.
import pghistory  # noqa: E402

PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_APPEND_ONLY = True
# The request context (user, path) is attached only to requests that may write: pghistory
# prefixes every SQL statement run inside a context with two set_config() calls, which costs
# every query of every page view. GETs never write audited data (tests/security proves it).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_ADMIN_MODEL = "pghistory.Events"

# --- Pages composed across apps -------------------------------------------------------------
# The patient chart is a shell in ``patients``; higher apps contribute panels without the lower
# app importing them. Each entry is a dotted path to ``panel(request, patient) -> str | None``.
CHART_PANELS: list[str] = [
    "courses.panels.course_summary",
    "courses.visits.panels.chart_visits",
    "labs.panels.labs_summary",
    "ipledge.chart.compliance_panel",
]
# The course page is a shell in ``courses``; higher apps (ipledge: dispensed amounts; labs)
# add panels the same way. Each entry is a dotted path to ``panel(request, course) -> str | None``.
COURSE_PANELS: list[str] = ["courses.visits.panels.course_visits", "ipledge.panels.course_compliance"]
# Called with a patient id after a transaction that changed that patient's clinical facts
# commits (see patients/facts.py); e.g. the compliance status refresh.
PATIENT_FACTS_LISTENERS: list[str] = ["ipledge.status.on_facts_changed"]
# Navigation entries: (label, url name, permission or None). Entries whose URL does not exist
# yet, or whose permission the user lacks, are skipped.
NAVIGATION = [
    ("Worklist", "ipledge:worklist", "ipledge.view_coursestatus"),
    ("iPLEDGE entries", "ipledge:entries", "ipledge.view_coursestatus"),
    ("Patients", "patients:list", "patients.view_patient"),
    ("Schedule", "visits:day", "courses.view_visit"),
    ("Due for a visit", "visits:due", "courses.view_visit"),
    ("Lab review", "labs:review", "labs.review_labresult"),
    ("Admin", "admin:index", "accounts.view_user"),
]
# Where "home" sends each role; roles missing here go to the patient list.
HOME_BY_ROLE: dict[str, str] = {
    "prescriber": "ipledge:worklist",
    "clinical_staff": "ipledge:worklist",
    "front_desk": "visits:day",
}

# Benchmarks only: a Server-Timing header with each request's server time, SQL time and
# query count (config/timing.py).
SERVER_TIMING = env.bool("SERVER_TIMING", default=False)

# --- Logging --------------------------------------------------------------------------------
# Log lines carry ids, never names or clinical values. Request paths contain only ids.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
