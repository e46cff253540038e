"""The world the security tests walk: the personas and one real record per URL keyword."""

import pytest
from django.test import Client

from accounts.models import Role
from tests.urls import World, all_url_patterns, is_exempt

LOGIN_PATH = "/accounts/login/"
REAUTHENTICATE_PATH = "/accounts/reauthenticate/"
ROLES = [Role.PRESCRIBER, Role.CLINICAL_STAFF, Role.FRONT_DESK, Role.ADMIN]


def app_routes() -> list:
    """(route, name, view) of every page the permission matrix walks: all but allauth's, the
    Django admin's and the few listed in tests/urls.py NOT_PERMISSION_CHECKED."""
    return [
        (route, name, pattern.callback)
        for route, name, pattern in all_url_patterns()
        if not is_exempt(route, name, pattern.callback)
    ]


def route_id(route: str, name: str | None) -> str:
    return name or route


@pytest.fixture
def world(db, tmp_path):
    """The records the URL keywords name; uploaded files (evidence photos) go to a folder of
    this test's own."""
    from django.core.files.storage import storages

    storage = storages["private"]
    previous = storage.location
    storage.base_location = storage.location = str(tmp_path)
    yield World()
    storage.base_location = storage.location = previous


@pytest.fixture
def logged_in(client_for, reauthenticate):
    """Factory: a client logged in as ``user``; ``recently_reauthenticated`` also confirms the
    password, as sensitive pages require."""

    def make(user, *, recently_reauthenticated: bool = False, enforce_csrf_checks: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        client.force_login(user)
        if recently_reauthenticated:
            reauthenticate(client)
        return client

    return make
