"""Benchmark: the hourly visit-reminder sweep (courses.tasks.schedule_visit_reminders) over N
open courses, each with a scheduled visit in the next 3 days (issue 6, acceptance 7).

Works in a throwaway database (created from the migrations like the test database, dropped at
the end), where each batch commits as it would in production. Seeds (bulk) N patients, one
active course each and one scheduled visit each the day after tomorrow (50 per clinician, back
to back), then times
  1. the sweep, all reminders new (2 per visit);
  2. the sweep again (its next hourly run: every reminder exists, nothing is inserted).

Run on the dev data (embedded servers):
  .venv/bin/python -m config.embedded --data-dir .data/dev -- \
    .venv/bin/python benchmarks/visit_reminder_sweep.py --courses 20000
"""

import argparse
import os
import random
import sys
from datetime import time as time_of_day
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.utils import timezone  # noqa: E402
from throwaway import run_and_print, timed  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from courses.models import Course  # noqa: E402
from courses.visits import reminders  # noqa: E402
from courses.visits.models import Visit  # noqa: E402
from patients.demo import build_patients  # noqa: E402
from patients.models import Patient  # noqa: E402
from patients.outbox.clock import clinic_instant  # noqa: E402
from patients.outbox.models import OutboxMessage  # noqa: E402

VISITS_PER_CLINICIAN = 50


def seed(courses: int) -> int:
    count = max(1, -(-courses // VISITS_PER_CLINICIAN))
    clinicians = User.objects.bulk_create(
        User(email=f"bench{n}@clinic.test", full_name=f"Bench {n}", role=Role.PRESCRIBER, ipledge_prescriber_id="P1")
        for n in range(count)
    )
    patients = Patient.objects.bulk_create(build_patients(courses, random.Random(1)), batch_size=2000)
    today = timezone.localdate()
    rows = Course.objects.bulk_create(
        (
            Course(
                patient=patient,
                prescriber=clinicians[n % count],
                created_by=clinicians[0],
                indication="severe_nodular",
                formulation="conventional",
                planned_start=today - timedelta(days=30),
                start_date=today - timedelta(days=30),
                state="active",
            )
            for n, patient in enumerate(patients)
        ),
        batch_size=2000,
    )
    # The day after tomorrow from 08:00 clinic time, 10-minute visits back to back, 50 per
    # clinician (08:00 to 16:20): inside the sweep's next 3 days whatever the time it runs, and
    # far enough ahead for both reminders ("in 2 days" is sent today, "tomorrow" tomorrow).
    first = clinic_instant(today + timedelta(days=2), time_of_day(8), timezone.get_current_timezone())
    Visit.objects.bulk_create(
        (
            Visit(
                course=course,
                patient_id=course.patient_id,
                clinician=course.prescriber,
                booked_by=course.prescriber,
                starts_at=first + timedelta(minutes=10 * (n // count)),
                duration_minutes=10,
            )
            for n, course in enumerate(rows)
        ),
        batch_size=2000,
    )
    return len(rows)


def run(courses: int) -> list[tuple[str, int, float]]:
    results = []
    timed("seed courses and visits (setup)", courses, lambda: seed(courses), results)
    created = timed("sweep, all new", courses, reminders.sweep, results)
    assert created == OutboxMessage.objects.count() == 2 * courses, created
    again = timed("sweep again (idempotent)", courses, reminders.sweep, results)
    assert again == 0, again
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=20_000)
    args = parser.parse_args()
    run_and_print(
        run,
        args.courses,
        f"Visit reminder sweep benchmark: {args.courses:,} open courses, one visit each in the next 3 days",
        "visits",
    )


if __name__ == "__main__":
    main()
