"""Page and sweep figures at clinic scale (issue 7): one command, one table.

    .venv/bin/python benchmarks/pages.py                       # 2,000 and 20,000 patients
    .venv/bin/python benchmarks/pages.py --sizes 2000 --requests 50   # a quick look

For each size: a fresh embedded PostgreSQL and Redis under .data/bench-<size> (or the servers of
DATABASE_URL / REDIS_URL, which must then be scratch servers: the run writes), migrate, seed
(`seed_demo --patients N`, timed), the sweeps over all open courses (each timed in a fresh
process), VACUUM ANALYZE (the state autovacuum reaches a few minutes after a bulk load), then the
app under gunicorn with production settings and SERVER_TIMING on. Each page is requested
``--requests`` times (after a warm-up) by a logged-in user of the role that uses it, on records
picked at random; the figures are the server's own (the Server-Timing header of
config/timing.py): median and 95th percentile of the time Django spent, of the part spent in
SQL (the floor the page cannot beat), and the SQL statements per request (min-max: a fixed
count shows as one number). Last, the patient chart under concurrent clients on loopback.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from config.embedded import services  # noqa: E402
from tests.security.servers import Browser, Gunicorn  # noqa: E402

PASSWORD = "isotrack-demo-2026"  # noqa: S105 - the public demo password (accounts/demo.py)
NURSE, DESK = "nurse@demo.isotrack.test", "frontdesk@demo.isotrack.test"
SEARCHES = ["Smi", "Joh", "Gar", "Lee", "Ng", "Pat", "Kim", "Bro", "Dav", "Mar", "D1000", "Emma"]


@dataclass(frozen=True)
class Page:
    label: str
    user: str
    path: str  # may contain {patient_id}, {course_id}, {query}, {day}


PAGES = [
    Page("Patient search", NURSE, "/patients/?q={query}"),
    Page("Patient chart", NURSE, "/patients/{patient_id}/"),
    Page("Course page", NURSE, "/courses/patients/{patient_id}/{course_id}/"),
    Page("Day schedule", DESK, "/visits/day/?date={day}"),
    Page("Due for a visit", DESK, "/visits/due/"),
    Page("Worklist", NURSE, "/ipledge/worklist/"),
]


# The periodic sweeps over all open courses: (label, "module:function"), timed in a fresh
# process by the function's own clock (imports and Django start-up excluded).
SWEEPS = [
    ("Visit reminder sweep", "courses.tasks:schedule_visit_reminders"),
    # The hourly compliance task runs these two in turn: statuses, then the reminders they call for.
    ("Status sweep", "ipledge.status:sweep"),
    ("Compliance reminder sweep", "ipledge.reminder_sweep:sweep"),
]


@dataclass
class Sample:
    app_ms: float
    db_ms: float
    queries: int


def server_timing(headers: dict) -> Sample:
    values = dict(re.findall(r"(\w+);dur=([\d.]+)", headers.get("Server-Timing", "")))
    return Sample(float(values["app"]), float(values["db"]), int(float(values["queries"])))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def sql_rows(database_url: str, statement: str) -> list[tuple]:
    import psycopg2

    with contextlib.closing(psycopg2.connect(database_url)) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def settle(database_url: str) -> None:
    """VACUUM (ANALYZE) after the bulk seed and the sweeps: the steady state autovacuum reaches
    a few minutes after a load (pages measured while autovacuum still works through a fresh
    load are measured against stale statistics and a busy disk)."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(database_url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


class Workload:
    """The records the pages are requested on: patients with an open course and their courses."""

    def __init__(self, database_url: str, rng: random.Random):
        rows = sql_rows(
            database_url,
            "SELECT patient_id, id FROM courses_course WHERE state IN ('planned', 'active', 'paused')",
        )
        self.open = rows
        self.rng = rng

    def path(self, template: str) -> str:
        patient_id, course_id = self.rng.choice(self.open)
        return template.format(
            patient_id=patient_id, course_id=course_id, query=self.rng.choice(SEARCHES), day=time.strftime("%Y-%m-%d")
        )


def measure_page(page: Page, browsers: dict[str, Browser], workload: Workload, requests: int) -> list[Sample]:
    browser = browsers[page.user]
    for _ in range(5):  # warm-up: worker import, connection, caches
        browser.get(workload.path(page.path))
    samples = []
    for _ in range(requests):
        status, headers, _ = browser.get(workload.path(page.path))
        if status != 200:
            raise RuntimeError(f"{page.label}: HTTP {status}")
        samples.append(server_timing(headers))
    return samples


def throughput(port: int, cookies: dict, workload: Workload, clients: int, seconds: float) -> dict:
    """The chart under ``clients`` concurrent logged-in clients for ``seconds``."""
    done, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        browser = Browser(port, timeout=30)
        browser.cookies = dict(cookies)
        rng = random.Random(number)
        while time.monotonic() < deadline:
            patient_id, _ = rng.choice(workload.open)
            started = time.perf_counter()
            try:
                status, _, _ = browser.get(f"/patients/{patient_id}/")
            except OSError:
                status = 0
            with lock:
                (done if status == 200 else errors).append(time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"rps": len(done) / elapsed, "errors": len(errors), "p95_ms": percentile(done, 95) * 1000 if done else 0}


def timed_manage(env: dict, *command: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True, capture_output=True)
    return time.monotonic() - started


def timed_sweep(env: dict, target: str) -> tuple[float, str]:
    """Seconds the sweep took, and what it reports (its return value)."""
    module, function = target.split(":")
    code = (
        f"import time; from {module} import {function}; started = time.perf_counter(); "
        f"result = {function}(); print(round(time.perf_counter() - started, 3), result)"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, _, report = done.stdout.strip().splitlines()[-1].partition(" ")
    return float(seconds), report


def run_size(size: int, args) -> dict:
    data_dir = BASE_DIR / ".data" / f"bench-{size}"
    if not os.environ.get("DATABASE_URL"):
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    with services(data_dir) as env:
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            STATIC_ROOT=str(data_dir / "static"),
            LOG_LEVEL="WARNING",
            SERVER_TIMING="true",
        )
        timed_manage(env, "migrate", "--noinput")
        timed_manage(env, "collectstatic", "--noinput")
        result = {"size": size, "seed_s": timed_manage(env, "seed_demo", "--patients", str(size))}
        workload = Workload(env["DATABASE_URL"], random.Random(size))
        result["open_courses"] = len(workload.open)
        result["sweeps"] = {label: timed_sweep(env, target) for label, target in SWEEPS}
        settle(env["DATABASE_URL"])
        server = Gunicorn(env, data_dir / "gunicorn.log", workers=args.workers)
        try:
            browsers = {}
            for email in {page.user for page in PAGES}:
                browsers[email] = Browser(server.port, timeout=60)
                if browsers[email].log_in(email, PASSWORD) != 302:
                    raise RuntimeError(f"could not log in as {email}")
            result["pages"] = {page.label: measure_page(page, browsers, workload, args.requests) for page in PAGES}
            result["throughput"] = throughput(
                server.port, browsers[NURSE].cookies, workload, args.clients, args.duration
            )
        finally:
            server.stop()
    return result


def summary(samples: list[Sample]) -> dict:
    app = [s.app_ms for s in samples]
    db = [s.db_ms for s in samples]
    queries = sorted({s.queries for s in samples})
    return {
        "median": statistics.median(app),
        "p95": percentile(app, 95),
        "sql_median": statistics.median(db),
        "queries": str(queries[0]) if len(queries) == 1 else f"{queries[0]}-{queries[-1]}",
    }


def print_table(results: list[dict], args) -> None:
    print(f"\nServer time per page, {args.requests} requests each (ms; SQL = time in SQL alone)\n")
    header = "| Page | " + " | ".join(f"{r['size']:,} patients: median / p95 / SQL median / queries" for r in results)
    print(header + " |")
    print("|---" * (1 + len(results)) + "|")
    for page in PAGES:
        cells = []
        for r in results:
            s = summary(r["pages"][page.label])
            cells.append(f"{s['median']:.1f} / {s['p95']:.1f} / {s['sql_median']:.1f} / {s['queries']}")
        print(f"| {page.label} | " + " | ".join(cells) + " |")
    print()
    print(
        "| Sweep over all open courses | "
        + " | ".join(f"{r['size']:,} patients ({r['open_courses']:,} open)" for r in results)
        + " |"
    )
    print("|---" * (1 + len(results)) + "|")
    for label, _ in SWEEPS:
        cells = [f"{r['sweeps'][label][0]:.1f} s ({r['sweeps'][label][1]})" for r in results]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    for r in results:
        t = r["throughput"]
        print(
            f"- {r['size']:,} patients ({r['open_courses']:,} open courses): seeded in {r['seed_s']:.0f} s; "
            f"chart under {args.clients} clients for {args.duration:.0f} s: {t['rps']:.0f} requests/s, "
            f"p95 {t['p95_ms']:.0f} ms, {t['errors']} errors"
        )


# Issue 7's budgets at 20,000 patients on the 2-core machine.
MEDIAN_MS, P95_MS, MAX_QUERIES, GROWTH, SWEEP_S, MIN_RPS = 100, 250, 15, 1.5, 60, 100


def budget_verdicts(results: list[dict], args) -> list[str]:
    """One line per budget missed (empty: every budget met). Growth compares the largest size
    with the smallest."""
    missed = []
    small, large = results[0], results[-1]
    for page in PAGES:
        s = summary(large["pages"][page.label])
        # A page may take a different path for an empty result (no page to fetch), but its
        # counts must not grow with the data.
        counts = [sorted({x.queries for x in r["pages"][page.label]}) for r in results]
        if s["median"] > MEDIAN_MS or s["p95"] > P95_MS:
            missed.append(f"{page.label}: median {s['median']:.0f} ms / p95 {s['p95']:.0f} ms")
        if max(max(c) for c in counts) > MAX_QUERIES or max(counts[-1]) > max(counts[0]):
            missed.append(f"{page.label}: queries per request {counts} (at most {MAX_QUERIES}, not growing)")
        if len(results) > 1:
            growth = s["median"] / summary(small["pages"][page.label])["median"]
            if growth > GROWTH:
                missed.append(f"{page.label}: {growth:.2f}x slower at {large['size']:,} than at {small['size']:,}")
    for label, _ in SWEEPS:
        if large["sweeps"][label][0] > SWEEP_S:
            missed.append(f"{label}: {large['sweeps'][label][0]:.0f} s")
    t = large["throughput"]
    if t["rps"] < MIN_RPS or t["errors"]:
        missed.append(f"Chart throughput: {t['rps']:.0f} requests/s, {t['errors']} errors")
    return missed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30)
    args = parser.parse_args(argv)
    results = [run_size(size, args) for size in args.sizes]
    print_table(results, args)
    missed = budget_verdicts(results, args)
    print("\nBudgets: " + ("all met." if not missed else "missed:\n" + "\n".join(f"- {m}" for m in missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
