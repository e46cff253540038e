"""``manage.py seed_demo``: demo staff and synthetic patients with course histories.

Lives in the highest app because it seeds every app's data. Each app's ``demo`` module does
its own part; this command only orders them.
"""

import random
import time

import pghistory
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, ensure_demo_users, ensure_scale_prescribers
from accounts.models import Role
from courses.demo import seed_courses
from courses.visits.demo import seed_visits
from ipledge.demo import seed_ipledge
from labs.demo import seed_labs
from patients.demo import seed_patients, seed_reminders
from patients.models import Patient

BATCH = 2000


class Command(BaseCommand):
    help = "Create demo staff accounts and synthetic demo patients."

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=60, help="How many patients to add (default 60).")
        parser.add_argument("--if-empty", action="store_true", help="Add patients only when there are none.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")

    def handle(self, *args, patients: int, if_empty: bool, seed: int, **options):
        users = ensure_demo_users()
        created = [user for user, was_created in users if was_created]
        if created:
            self._print_credentials(created)
        if if_empty and Patient.objects.exists():
            self.stdout.write("Demo patients already present; nothing added.")
            return
        started = time.monotonic()
        rng = random.Random(seed)
        prescribers = [user for user, _ in users if user.role == Role.PRESCRIBER]
        prescribers += ensure_scale_prescribers(Patient.objects.count() + patients)
        nurse = next(user for user, _ in users if user.role == Role.CLINICAL_STAFF)
        lab_counts = {"results": 0, "pregnancy_tests": 0}
        # Batches of BATCH patients, one transaction each, under a named audit context: in one
        # long transaction the audit triggers slow every insert down as the transaction grows
        # (20,000 patients with courses: 2 minutes instead of 20 s).
        for first in range(0, patients, BATCH):
            with transaction.atomic(), pghistory.context(source="seed_demo"), connection.cursor() as cursor:
                # Check foreign keys row by row: deferred to commit, every audit trigger of a
                # bulk insert walks a growing queue of pending checks (quadratic slow-down).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                added = seed_patients(count=min(BATCH, patients - first), rng=rng, prescriber=prescribers[0])
                seed_courses(patients=added, rng=rng, prescribers=prescribers)
                seed_visits(patients=added, rng=rng)
                counts = seed_labs(patients=added, rng=rng, staff=nurse, prescriber=prescribers[0])
                seed_reminders(patients=added, rng=rng)
                seed_ipledge(patients=added, rng=rng, staff=nurse)
            for key in lab_counts:
                lab_counts[key] += counts[key]
        self.stdout.write(f"Added {patients} synthetic patients in {time.monotonic() - started:.1f} s.")
        self.stdout.write("Added {results} lab results and {pregnancy_tests} pregnancy tests.".format(**lab_counts))

    def _print_credentials(self, users):
        self.stdout.write(self.style.SUCCESS("\nDemo logins (shown once; also in the README):"))
        for user in users:
            self.stdout.write(f"  {user.role_label:<15} {user.email:<34} password: {DEMO_PASSWORD}")
        if any(user.role == Role.ADMIN for user in users):
            self.stdout.write(
                f"  The demo Admin's TOTP secret is {DEMO_TOTP_SECRET} (or run `make totp` for the current code).\n"
            )
