"""Production settings refuse to start without their secrets and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789abcdefghijklmnop",
    "DATABASE_URL": "postgres://isotrack@127.0.0.1:5432/isotrack",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "isotrack.example.org",
}


def run_manage(args: list[str], env_overrides: dict, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and not k.endswith("_FILE") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(env_overrides)
    for name in drop:
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_fails_naming_the_variable():
    result = run_manage(["check"], PRODUCTION_ENV, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "DATABASE_URL" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_production_lists_every_missing_variable_at_once():
    result = run_manage(["check"], {}, drop=tuple(PRODUCTION_ENV))
    message = result.stderr.strip().splitlines()[-1]
    for name in PRODUCTION_ENV:
        assert name in message


def test_secrets_can_be_read_from_files(tmp_path):
    secret_file = tmp_path / "secret_key"
    secret_file.write_text(PRODUCTION_ENV["SECRET_KEY"])
    env = {**PRODUCTION_ENV, "SECRET_KEY_FILE": str(secret_file)}
    del env["SECRET_KEY"]
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr
