"""Security headers on every kind of response, error pages without internals, and the
production-only protections (HSTS, Secure cookies) checked in a real production process.

The permission matrix checks the headers of every page it opens; this file adds the responses
the matrix never produces (500, 503, CSRF failure, login, static-less error paths)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory
from tests.workers import worker_environment

from .error_urls import SECRET_DETAIL
from .probes import header_problems

BASE_DIR = Path(__file__).resolve().parents[2]
ONE_YEAR = 365 * 24 * 3600


@pytest.fixture
def staff_client(clinical_staff):
    client = Client(raise_request_exception=False)
    client.force_login(clinical_staff)
    return client


@pytest.mark.urls("tests.security.error_urls")
@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/test-errors/crash/", 500, "Something went wrong"),
        ("/test-errors/database-down/", 503, "temporarily unavailable"),
        ("/test-errors/redis-down/", 503, "temporarily unavailable"),
    ],
)
def test_failures_show_a_plain_page_with_the_security_headers_and_no_internals(staff_client, path, status, heading):
    response = staff_client.get(path)
    body = response.content.decode()
    assert response.status_code == status
    assert heading in body
    assert SECRET_DETAIL not in body
    assert "Traceback" not in body and "File &quot;" not in body
    assert not header_problems(response)
    if status == 503:
        assert response["Retry-After"] == "30"


@pytest.mark.parametrize(
    ("who", "method", "path", "status", "text"),
    [
        ("anonymous", "get", "/accounts/login/", 200, "Log in"),
        ("anonymous", "get", "/patients/", 302, ""),
        ("anonymous", "get", "/healthz", 200, "ok"),
        ("staff", "get", "/patients/", 200, "Patients"),
        ("staff", "get", "/system/", 403, "You do not have access to this page"),
        ("staff", "get", "/patients/2147483000/", 404, "Page not found"),
        ("staff", "get", "/no-such-page/", 404, "Page not found"),
        ("admin", "get", "/system/ping/", 405, ""),
        ("csrf-less", "post", "/patients/new/", 403, "This form has expired"),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(
    clinical_staff, admin_user, who, method, path, status, text
):
    client = Client(enforce_csrf_checks=who == "csrf-less")
    if who != "anonymous":
        client.force_login(admin_user if who == "admin" else clinical_staff)
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert text in response.content.decode()
    assert not header_problems(response), header_problems(response)


def test_a_403_or_404_shows_no_internals(clinical_staff):
    client = Client()
    client.force_login(clinical_staff)
    for path in ("/system/", "/patients/2147483000/"):
        body = client.get(path).content.decode()
        assert "Traceback" not in body
        assert "PermissionDenied" not in body and "DoesNotExist" not in body and "Http404" not in body


def test_the_content_security_policy_forbids_inline_scripts_and_framing(settings):
    policy = settings.CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "testserver",
}


@pytest.fixture(scope="session")
def production_static(tmp_path_factory):
    """Production serves hashed static file names from a manifest, as after `collectstatic`."""
    root = tmp_path_factory.mktemp("static")
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(root), "DATABASE_URL": "postgres://unused@localhost/unused"}
    env["REDIS_URL"] = "redis://localhost:1/0"
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def production(transactional_db, production_static):
    """Run tests/security/production_probe.py with the production settings, against the test
    database and Redis, as a user committed for it to log in with."""
    user = UserFactory(email="probe@clinic.test")
    env = worker_environment()
    env.update(PRODUCTION_ENV, STATIC_ROOT=str(production_static))
    result = subprocess.run(
        [sys.executable, "-m", "tests.security.production_probe", user.email, PASSWORD],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_for_a_year_with_subdomains_and_redirects_http(production):
    hsts = dict(
        part.strip().partition("=")[::2] for part in production["hsts"].split(";") if part.strip()
    )  # "max-age=31536000; includeSubDomains; preload"
    assert int(hsts["max-age"]) >= ONE_YEAR
    assert "includeSubDomains" in hsts
    assert production["http_redirect"].startswith("https://")


def test_production_session_and_csrf_cookies_are_secure_and_http_only(production):
    assert production["logged_in_status"] == 302
    for name in ("sessionid", "csrftoken"):
        assert production["cookies"][name] == {"secure": True, "httponly": True}, name


def test_production_keeps_the_promised_limits(production):
    assert production["debug"] is False
    assert production["session_idle_timeout"] == 15 * 60
    assert production["session_absolute_timeout"] == 12 * 3600
    assert production["reauthentication_timeout"] == 15 * 60
    assert sorted(production["mfa_required_roles"]) == ["admin", "prescriber"]
    assert production["password_hasher"].endswith("Argon2PasswordHasher")
