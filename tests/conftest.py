"""Fixtures shared by every test: the personas of the permission matrix and logged-in clients.

Personas: a prescriber, clinical staff, front desk, an admin, a deactivated user and an
anonymous visitor. ``client_for(user)`` gives a Django test client logged in as ``user``.
"""

import uuid

import pgtrigger
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.db.backends.base.creation import BaseDatabaseCreation
from django.test import Client

from accounts.models import Role

from .factories import PASSWORD, TOTP_SECRET, PatientFactory, UserFactory

pytest_plugins = ["tests.workers", "tests.browser"]


def pytest_collection_modifyitems(items):
    """Transactional tests (live server, real worker) empty every table when they end, which
    would also remove what migrations created: role groups and their permissions, catalogs.
    Serialized rollback restores that data before each such test. Tests under tests/e2e/ are
    marked ``e2e``."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
        names = item.fixturenames
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and marker.kwargs.get("transaction", False)
        uses_live_database = transactional or "transactional_db" in names or "live_server" in names
        if uses_live_database and "django_db_serialized_rollback" not in names:
            names.append("django_db_serialized_rollback")


@pytest.fixture(scope="session", autouse=True)
def _restore_migration_data_without_triggers():
    """Transactional tests restore the database the migrations left, audit history included.
    Re-inserting a seeded row would make its audit trigger write a history row that the
    restore then writes again (the history is append-only and refuses it), so the restore runs
    with triggers off: it copies rows back, it is not a change to audit."""
    original = BaseDatabaseCreation.deserialize_db_from_string

    def restore(self, data):
        with pgtrigger.ignore():
            return original(self, data)

    BaseDatabaseCreation.deserialize_db_from_string = restore
    yield
    BaseDatabaseCreation.deserialize_db_from_string = original


@pytest.fixture(autouse=True)
def isolated_cache(settings, request):
    """A cache namespace of its own for every test: allauth's failed-login counters and used
    TOTP codes live in the cache, and one test's must not refuse another's login. (Clearing
    the cache instead would flush a Redis that may be shared.)"""
    base = settings.CACHES["default"]["KEY_PREFIX"]
    caches = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"{base}-{uuid.uuid4().hex[:12]}"},
    }
    settings.CACHES = caches


def _with_totp(user):
    """Prescribers and Admins must use two-factor authentication (MFA_REQUIRED_ROLES); their
    personas have set it up, as real ones would have before reaching any page."""
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def prescriber(db):
    return _with_totp(UserFactory(role=Role.PRESCRIBER, email="prescriber@clinic.test", full_name="Dr. Pat Prescriber"))


@pytest.fixture
def clinical_staff(db):
    return UserFactory(role=Role.CLINICAL_STAFF, email="nurse@clinic.test", full_name="Nora Nurse")


@pytest.fixture
def front_desk(db):
    return UserFactory(role=Role.FRONT_DESK, email="desk@clinic.test", full_name="Fran Frontdesk")


@pytest.fixture
def admin_user(db):
    return _with_totp(UserFactory(role=Role.ADMIN, email="admin@clinic.test", full_name="Ada Admin"))


@pytest.fixture
def deactivated_user(db):
    return UserFactory(role=Role.CLINICAL_STAFF, email="gone@clinic.test", is_active=False)


@pytest.fixture
def personas(prescriber, clinical_staff, front_desk, admin_user):
    return {
        Role.PRESCRIBER: prescriber,
        Role.CLINICAL_STAFF: clinical_staff,
        Role.FRONT_DESK: front_desk,
        Role.ADMIN: admin_user,
    }


@pytest.fixture
def client_for(db):
    """Factory: a test client logged in as the given user (no two-factor step: tests that need
    it exercise the login flow itself)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def patient(db):
    return PatientFactory()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def reauthenticate():
    """Confirm the password through the real re-authentication form, as sensitive pages
    (audit history, exports, role changes) require within the last 15 minutes."""

    def confirm(client: Client) -> None:
        response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        assert response.status_code == 302, response.content.decode()[:500]

    return confirm
