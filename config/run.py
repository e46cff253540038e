"""``make run``: the whole application on one machine, for a demo or for development.

Steps: start embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set; migrate;
create the demo users and synthetic patients (first run only); then start the web app on
http://127.0.0.1:8000, a Celery worker and Celery beat. Ctrl-C (or any of the three stopping)
stops the others and then the embedded servers; the data stays under .data/ for next time.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .embedded import BASE_DIR, services

PY = sys.executable


def _start(name: str, command: list[str], env: dict) -> tuple[str, subprocess.Popen]:
    # Each child leads its own process group, so stopping it also stops what it spawned
    # (runserver's reloader, Celery's pool) and the terminal's Ctrl-C reaches only us.
    return name, subprocess.Popen(command, env=env, cwd=BASE_DIR, start_new_session=True)


def _stop(processes: list[tuple[str, subprocess.Popen]]) -> None:
    for _, process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for _, process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Isotrack with its worker and beat.")
    parser.add_argument("--data-dir", default=str(BASE_DIR / ".data" / "dev"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)

    stop_requested = False

    def request_stop(signum, frame):
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    with services(data_dir) as env:
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
        env["PYTHONUNBUFFERED"] = "1"
        manage = [PY, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput"], env=env, cwd=BASE_DIR, check=True)
        subprocess.run([*manage, "seed_demo", "--if-empty"], env=env, cwd=BASE_DIR, check=True)
        processes = [
            _start("web", [*manage, "runserver", f"127.0.0.1:{args.port}"], env),
            _start("worker", [PY, "-m", "celery", "-A", "config", "worker", "-l", "INFO", "-c", "2"], env),
            _start(
                "beat",
                [PY, "-m", "celery", "-A", "config", "beat", "-l", "INFO", "-s", str(data_dir / "celerybeat-schedule")],
                env,
            ),
        ]
        print(
            f"\nIsotrack: http://127.0.0.1:{args.port}  (web, worker and beat running; Ctrl-C stops all)\n", flush=True
        )
        exit_code = 0
        try:
            while not stop_requested:
                exited = [(name, p.returncode) for name, p in processes if p.poll() is not None]
                if exited:
                    print(f"{exited[0][0]} stopped (exit code {exited[0][1]}); stopping the rest.", flush=True)
                    exit_code = 1
                    break
                time.sleep(0.5)
        finally:
            _stop(processes)
            print("Stopped web, worker and beat; stopping the embedded servers.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
