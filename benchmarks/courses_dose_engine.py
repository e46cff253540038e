"""Time the course demo seeding and the dose engine at scale; prints a table.

    .venv/bin/python -m config.embedded --data-dir .data/bench -- \\
        .venv/bin/python benchmarks/courses_dose_engine.py --patients 20000

Runs ``seed_demo --patients N`` (skip with ``--patients 0`` to measure what is already there),
then reads the engine's inputs for every course in one
batch (``courses.selectors.dose_inputs``, as the compliance sweep will) and summarises each
course, as of today, with the dose engine.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from courses import dosing  # noqa: E402
from courses.models import Course, DosePeriod, DosingSettings  # noqa: E402
from courses.selectors import dose_inputs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=20000)
    args = parser.parse_args()
    rows = []

    if args.patients:
        started = time.perf_counter()
        call_command("seed_demo", patients=args.patients, stdout=io.StringIO())
        rows.append(
            (f"seed_demo --patients {args.patients} ({Course.objects.count()} courses)", time.perf_counter() - started)
        )

    ids = list(Course.objects.values_list("id", flat=True))
    started = time.perf_counter()
    facts = dose_inputs(ids)
    read = time.perf_counter()
    settings = DosingSettings.current()
    method = dosing.WeightMethod(settings.weight_method)
    today = timezone.localdate()
    for course_facts in facts.values():
        dosing.summarize(course_facts, today, method)
    summarised = time.perf_counter()
    rows.append((f"dose_inputs for {len(ids)} courses ({DosePeriod.objects.count()} periods)", read - started))
    rows.append((f"summarize {len(ids)} courses", summarised - read))

    width = max(len(label) for label, _ in rows)
    print(f"{'step':<{width}}  seconds")
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds:7.2f}")


if __name__ == "__main__":
    main()
