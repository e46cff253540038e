"""Benchmark: scheduling reminders in bulk, as the reminder sweep of issue 6 will for every
open course, and the dispatcher taking them when they fall due.

Works in a throwaway database (created from the migrations like the test database, dropped at
the end), where each batch commits as it would in production. Seeds N synthetic patients
(default 20,000: one per open course), then times
  1. schedule_reminders() for 3 reminders per patient (visit 2 days before, the day before,
     monthly test), all new;
  2. the same call again (the sweep's next run: every reminder exists, nothing is inserted);
  3. take_due_batch() until every message due is taken (what beat's dispatch does per minute).

Run on the dev data (embedded servers):
  .venv/bin/python -m config.embedded --data-dir .data/dev -- .venv/bin/python benchmarks/reminders_schedule.py
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

from patients.demo import build_patients  # noqa: E402
from patients.models import Patient  # noqa: E402
from patients.outbox.models import MessageKind, OutboxMessage  # noqa: E402
from patients.outbox.sender import take_due_batch  # noqa: E402
from patients.reminders import Reminder, schedule_reminders  # noqa: E402


def dispatch_all() -> int:
    taken = 0
    while batch := take_due_batch(limit=500):
        taken += len(batch)
    return taken


def run(courses: int) -> list[tuple[str, int, float]]:
    results = []
    today = timezone.localdate()
    patients = timed(
        "seed patients (setup)",
        courses,
        lambda: Patient.objects.bulk_create(build_patients(courses, random.Random(1)), batch_size=2000),
        results,
    )
    # All sent today from midnight on, so that step 3 finds every one of them due.
    visit_time, midnight = {"time": "10:30"}, time_of_day(0)
    reminders = [
        Reminder(patient.pk, kind, today + timedelta(days=1 + patient.pk % 20), today, context, midnight)
        for patient in patients
        for kind, context in (
            (MessageKind.VISIT_2_DAYS, visit_time),
            (MessageKind.VISIT_1_DAY, visit_time),
            (MessageKind.PREGNANCY_TEST_DUE, {}),
        )
    ]
    created = timed("schedule_reminders, all new", len(reminders), lambda: schedule_reminders(reminders), results)
    assert created == len(reminders), created
    again = timed(
        "schedule_reminders again (idempotent)", len(reminders), lambda: schedule_reminders(reminders), results
    )
    assert again == 0, again
    taken = timed("take_due_batch x500 until none due", len(reminders), dispatch_all, results)
    assert taken == OutboxMessage.objects.count() == len(reminders), taken
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=20_000)
    args = parser.parse_args()
    run_and_print(
        run,
        args.courses,
        f"Reminder scheduling benchmark: {args.courses:,} open courses, 3 reminders each (throwaway database)",
        "rows",
    )


if __name__ == "__main__":
    main()
