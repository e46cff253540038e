"""The Celery application: worker and beat share Django's settings (CELERY_ namespace).

Beat runs a few fixed sweeps, in UTC, defined here in code rather than in the database, so
that what runs is reviewed like any other change. Apps add their sweeps to BEAT_SCHEDULE.
"""

from celery import Celery
from celery.schedules import crontab

# DJANGO_SETTINGS_MODULE is set by whoever starts the worker or beat (config/run.py,
# docker-compose.yml, the test fixtures); it is not defaulted here because importing the
# ``config`` package must not choose settings for other commands (e.g. config.embedded).
app = Celery("isotrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["config"])

app.conf.beat_schedule = {
    "worker-heartbeat": {"task": "config.tasks.heartbeat", "schedule": 60.0},
    # Keep the session table small: expired rows are deleted once a day.
    "clear-expired-sessions": {"task": "config.tasks.clear_expired_sessions", "schedule": crontab(hour=7, minute=5)},
    # Tamper-evident audit: seal new audit rows every hour, check every seal once a day.
    "audit-seal": {"task": "accounts.tasks.audit_seal", "schedule": crontab(minute=17)},
    "audit-verify": {"task": "accounts.tasks.audit_verify", "schedule": crontab(hour=8, minute=40)},
    # Reminders (patients/outbox): enqueue what is due every minute (a run not started within
    # the minute is dropped, the next one does its work); schedule today's staff digests hourly.
    "outbox-dispatch": {
        "task": "patients.tasks.dispatch_due_messages",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "staff-digests": {"task": "patients.tasks.schedule_staff_digests", "schedule": crontab(minute=2)},
    # Visit reminders (courses/visits): every scheduled visit of the next 3 days, hourly.
    "visit-reminders": {"task": "courses.tasks.schedule_visit_reminders", "schedule": crontab(minute=12)},
    # Compliance: windows open and close with the calendar, so every tracked course's status is
    # recomputed hourly (only changed rows are written); the same task then schedules the patient
    # reminders of labs, pregnancy tests, closing pickup windows and the post-treatment test.
    "course-status-sweep": {"task": "ipledge.tasks.sweep_course_statuses", "schedule": crontab(minute=9)},
}
