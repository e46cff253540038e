"""Load test: the app under gunicorn (production settings) against PostgreSQL and Redis, with
concurrent logged-in clients on loopback mixing pages and form posts for a fixed time.

    .venv/bin/python benchmarks/load_test.py                 # 20 clients, 60 s, embedded servers
    .venv/bin/python benchmarks/load_test.py --clients 5 --duration 10

Steps: start embedded PostgreSQL and Redis under .data/bench (fresh each run) unless
DATABASE_URL / REDIS_URL are set (then they must point at scratch servers: the run writes);
migrate, collect static files, seed demo data (`seed_demo`); start gunicorn with
config/gunicorn.py; run the clients (clinical staff and front desk, each logged in through the
login form); then count rows in the database and compare them with the writes the clients saw
succeed. Prints requests/s, latency percentiles per kind of request, errors, and lost writes;
exits 1 if there was any error or lost write.
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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from config.embedded import services  # noqa: E402
from tests.security.servers import Browser, Gunicorn  # noqa: E402

NURSE, DESK = "nurse@demo.isotrack.test", "frontdesk@demo.isotrack.test"
PASSWORD = "isotrack-demo-2026"  # noqa: S105 - the public demo password (accounts/demo.py)
LAST_NAMES = ["Smi", "Joh", "Gar", "Lee", "Ng", "Pat", "Kim", "Bro", "Dav", "Mar"]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    weights_saved: int = 0
    patients_created: int = 0
    edits_saved: int = 0
    edits_refused_as_stale: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int, expected: tuple[int, ...]) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if status not in expected:
                self.errors.append(f"{kind}: HTTP {status}" if status else f"{kind}: no answer")


def _form_values(html: str) -> dict[str, str]:
    """The values of the patient edit form, as the page shows them."""
    values = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    values.update(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?([^<]*)</textarea>', html))
    for name, block in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', block)
        values[name] = selected.group(1) if selected else ""
    return values


class Client(threading.Thread):
    def __init__(self, number: int, port: int, email: str, patient_ids: list[int], deadline: float, tally: Tally):
        super().__init__(daemon=True)
        self.number, self.email, self.ids, self.deadline, self.tally = number, email, patient_ids, deadline, tally
        self.browser = Browser(port, timeout=30)
        self.rng = random.Random(number)

    def timed(self, kind: str, method: str, path: str, data: dict | None = None, expected=(200,)) -> tuple[int, str]:
        """One request, its latency recorded under ``kind``; a status outside ``expected`` (or
        no answer at all, status 0) counts as an error."""
        started = time.perf_counter()
        try:
            status, _, body = self.browser.request(method, path, data)
        except OSError:
            status, body = 0, ""
        self.tally.record(kind, time.perf_counter() - started, status, expected)
        return status, body

    def form(self, kind: str, path: str) -> dict[str, str]:
        """The values of the form on ``path`` (its CSRF token and initial values)."""
        status, html = self.timed(kind, "GET", path)
        return _form_values(html) if status == 200 else {}

    def run(self) -> None:
        credentials = {**self.form("login form", "/accounts/login/"), "login": self.email, "password": PASSWORD}
        if self.timed("login (POST)", "POST", "/accounts/login/", credentials, expected=(302,))[0] != 302:
            return
        nurse = self.email == NURSE
        actions = ["list", "list", "search", "chart", "chart", "chart", "edit_form", "edit", "create"]
        if nurse:
            actions += ["weight", "weight"]
        while time.monotonic() < self.deadline:
            getattr(self, f"do_{self.rng.choice(actions)}")()

    def do_list(self):
        self.timed("list", "GET", f"/patients/?page={self.rng.randint(1, 40)}")

    def do_search(self):
        self.timed("search", "GET", f"/patients/?q={self.rng.choice(LAST_NAMES)}")

    def do_chart(self):
        self.timed("chart", "GET", f"/patients/{self.rng.choice(self.ids)}/")

    def do_edit_form(self):
        self.timed("edit form", "GET", f"/patients/{self.rng.choice(self.ids)}/edit/")

    def do_edit(self):
        path = f"/patients/{self.rng.choice(self.ids)}/edit/"
        data = self.form("edit form", path)
        if not data:
            return
        data["notes"] = f"load test note {secrets.token_hex(4)}"
        status, body = self.timed("edit (POST)", "POST", path, data, expected=(200, 302))
        with self.tally.lock:
            if status == 302:
                self.tally.edits_saved += 1
            elif status == 200 and "Someone else saved changes" in body:
                self.tally.edits_refused_as_stale += 1  # two clients edited the same patient at once
            elif status == 200:
                self.tally.errors.append("edit (POST): refused without a concurrent edit")

    def do_create(self):
        n = secrets.token_hex(5).upper()
        data = {
            **self.form("create form", "/patients/new/"),
            "mrn": f"L{n}",
            "first_name": "Load",
            "last_name": f"Test{n}",
            "date_of_birth": "1995-06-15",
            "sex": "female",
            "email": f"load{n.lower()}@example.com",
            "preferred_channel": "email",
        }
        if self.timed("create (POST)", "POST", "/patients/new/", data, expected=(302,))[0] == 302:
            with self.tally.lock:
                self.tally.patients_created += 1

    def do_weight(self):
        path = f"/patients/{self.rng.choice(self.ids)}/weights/"
        # The form offers today's date in the clinic's time zone.
        data = {**self.form("weight form", path), "value": f"{self.rng.uniform(45, 110):.1f}", "unit": "kg"}
        if self.timed("weight (POST)", "POST", path, data, expected=(302,))[0] == 302:
            with self.tally.lock:
                self.tally.weights_saved += 1


def query(database_url: str, sql: str):
    import psycopg2

    with contextlib.closing(psycopg2.connect(database_url)) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def counts(database_url: str) -> dict[str, int]:
    row = query(
        database_url,
        "SELECT (SELECT count(*) FROM patients_patient), (SELECT count(*) FROM patients_weightmeasurement), "
        "(SELECT coalesce(sum(version), 0) FROM patients_patient)",
    )[0]
    return {"patients": row[0], "weights": row[1], "versions": int(row[2])}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(tally: Tally, duration: float, before: dict, after: dict, args) -> bool:
    all_latencies = [v for values in tally.latencies.values() for v in values]
    total = len(all_latencies)
    print(f"\nLoad test: {args.clients} clients, {duration:.0f} s, gunicorn {args.workers} workers, loopback\n")
    print(f"{'request':<15}{'count':>8}{'p50 ms':>9}{'p90 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    rows = [*sorted(tally.latencies.items()), ("all", all_latencies)]
    for kind, values in rows:
        ms = [v * 1000 for v in values]
        cells = [percentile(ms, p) for p in (50, 90, 95, 99)] + [max(ms)]
        print(f"{kind:<15}{len(values):>8}" + "".join(f"{c:>9.0f}" for c in cells))
    print(f"\nrequests/s: {total / duration:.1f}   mean latency: {statistics.mean(all_latencies) * 1000:.0f} ms")
    print(f"errors: {len(tally.errors)}" + (f" (first: {tally.errors[:5]})" if tally.errors else ""))
    created = after["patients"] - before["patients"]
    # Each saved edit adds one to its patient's version; each new patient starts at version 1.
    edits_found = after["versions"] - before["versions"] - created
    lost = {
        "weights": tally.weights_saved - (after["weights"] - before["weights"]),
        "patients": tally.patients_created - created,
        "edits": tally.edits_saved - edits_found,
    }
    print(
        f"writes confirmed to clients: {tally.weights_saved} weights, {tally.patients_created} patients, "
        f"{tally.edits_saved} edits ({tally.edits_refused_as_stale} concurrent edit(s) refused as stale)"
    )
    print(
        f"rows found after the run:    {after['weights'] - before['weights']} weights, "
        f"{created} patients, {edits_found} edits"
    )
    print(f"lost writes: {sum(abs(v) for v in lost.values())} {lost}")
    return not tally.errors and not any(lost.values())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--data-dir", default=str(BASE_DIR / ".data" / "bench"))
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)
    if not os.environ.get("DATABASE_URL"):
        shutil.rmtree(data_dir, ignore_errors=True)  # a fresh embedded database every run
    data_dir.mkdir(parents=True, exist_ok=True)

    with services(data_dir) as env:
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            STATIC_ROOT=str(data_dir / "static"),
            MFA_REQUIRED_ROLES="admin,prescriber",
            LOG_LEVEL="WARNING",
        )
        manage = [sys.executable, "manage.py"]
        seed = ["seed_demo", "--patients", str(args.patients)]
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], seed):
            subprocess.run([*manage, *command], cwd=BASE_DIR, env=env, check=True, capture_output=True)
        patient_ids = [row[0] for row in query(env["DATABASE_URL"], "SELECT id FROM patients_patient")]
        server = Gunicorn(env, data_dir / "gunicorn.log", workers=args.workers)
        try:
            warm_up = Browser(server.port, timeout=60)
            for _ in range(4 * args.workers):  # each worker loads the app on its first request
                warm_up.get("/accounts/login/")
            before = counts(env["DATABASE_URL"])
            tally = Tally()
            started = time.monotonic()
            deadline = started + args.duration
            clients = [
                Client(i, server.port, NURSE if i % 10 < 7 else DESK, patient_ids, deadline, tally)
                for i in range(args.clients)
            ]
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            duration = time.monotonic() - started
            after = counts(env["DATABASE_URL"])
        finally:
            server.stop()
    return 0 if report(tally, duration, before, after, args) else 1


if __name__ == "__main__":
    sys.exit(main())
