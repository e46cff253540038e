"""A real Celery worker process for the tests whose behaviour depends on one.

The worker runs ``config.settings.test`` against the same test database and Redis as the test
process, with the same run id (so the same cache namespace and Celery queue). Tests that use it
must commit their data: use ``transactional_db`` (or ``live_server``).
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def worker_environment() -> dict:
    db = connection.settings_dict
    host = db["HOST"] or db["OPTIONS"].get("host", "")
    credentials = f"{db['USER']}:{quote(db['PASSWORD'] or '')}"
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://{credentials}@/{db['NAME']}?host={quote(host)}&port={db['PORT'] or 5432}",
        REDIS_URL=settings.REDIS_URL,
        ISOTRACK_TEST_RUN_ID=settings.TEST_RUN_ID,
        ISOTRACK_CACHE_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
        PYTHONUNBUFFERED="1",
    )
    return env


class WorkerProcess:
    def __init__(self, log_path: Path, concurrency: int = 1):
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-l",
                "INFO",
                "-c",
                str(concurrency),
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=worker_environment(),
            cwd=BASE_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"Celery worker did not start:\n{self.log_path.read_text()}")

    def output(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """Kill -9, as a crash or an OOM kill would: no chance to finish or acknowledge."""
        import signal

        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """Start a worker; yields a WorkerProcess. More can be started with ``start_celery_worker``."""
    worker = WorkerProcess(tmp_path / "worker.log")
    yield worker
    worker.stop()


@pytest.fixture
def start_celery_worker(transactional_db, tmp_path):
    started = []

    def start(concurrency: int = 1) -> WorkerProcess:
        worker = WorkerProcess(tmp_path / f"worker{len(started)}.log", concurrency)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_until(predicate, timeout: float = 20, interval: float = 0.1):
    """Poll ``predicate`` until it returns a truthy value (returned) or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
