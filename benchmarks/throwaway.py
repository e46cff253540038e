"""Shared by the benchmarks that time one piece of work in a throwaway database (created from
the migrations like the test database, dropped at the end): run, time each step, print a table.

Import after ``django.setup()``.
"""

import time
from collections.abc import Callable

from django.test.utils import setup_databases, teardown_databases


def timed(label: str, rows: int, function: Callable[[], object], results: list) -> object:
    """Run ``function``, append (label, rows, seconds) to ``results``, return its value."""
    started = time.perf_counter()
    value = function()
    results.append((label, rows, time.perf_counter() - started))
    return value


def run_and_print(run: Callable[[int], list], size: int, title: str, unit: str) -> None:
    """``run(size)`` in a throwaway database, then its steps as a Markdown table."""
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        results = run(size)
    finally:
        teardown_databases(databases, verbosity=0)
    print(f"\n{title}\n")
    print(f"| {'step':<40} | {unit:>7} | {'seconds':>7} | {unit + '/s':>9} |")
    print(f"|{'-' * 42}|{'-' * 9}|{'-' * 9}|{'-' * 11}|")
    for label, rows, seconds in results:
        print(f"| {label:<40} | {rows:>7,} | {seconds:>7.2f} | {rows / seconds:>9,.0f} |")
