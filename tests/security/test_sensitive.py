"""Sensitive pages (exports, audit history) ask for the password again unless it was confirmed
in the last 15 minutes; ``accounts.access.sensitive`` is the decorator other apps use for
their exports, and a page whose name says export, download or history must use it."""

import re

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.http import require_http_methods

from accounts.access import sensitive
from config.urls import urlpatterns as app_urlpatterns

from .conftest import REAUTHENTICATE_PATH, app_routes, route_id

SENSITIVE_NAMES = re.compile(r"export|download|csv|history|audit", re.IGNORECASE)


@sensitive("patients.view_patient_history")
@require_http_methods(["GET"])
def _export(request):
    return HttpResponse("mrn,name\n", content_type="text/csv")


urlpatterns = [path("test-export/", _export, name="test_export"), *app_urlpatterns]


@pytest.mark.parametrize(
    ("route", "name", "view"), [pytest.param(*case, id=route_id(*case[:2])) for case in app_routes()]
)
def test_pages_named_like_exports_or_audit_history_are_declared_sensitive(route, name, view):
    if SENSITIVE_NAMES.search(f"{route} {name or ''}"):
        assert getattr(view, "requires_reauthentication", False), (
            f"{route_id(route, name)!r} looks like an export or an audit page: decorate its view with "
            "accounts.access.sensitive('<app>.<perm>') so it asks for the password again."
        )


@pytest.mark.urls(__name__)
def test_the_sensitive_decorator_refuses_other_roles_at_once_and_asks_the_allowed_one_for_the_password(
    front_desk, admin_user, reauthenticate
):
    outsider = Client()
    outsider.force_login(front_desk)
    assert outsider.get("/test-export/").status_code == 403  # no password prompt for a role that may not

    admin = Client()
    admin.force_login(admin_user)
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False) as clock:
        response = admin.get("/test-export/")
        assert response.status_code == 302
        assert response["Location"] == f"{REAUTHENTICATE_PATH}?next=%2Ftest-export%2F"
        reauthenticate(admin)
        assert admin.get("/test-export/").status_code == 200
        clock.shift(14 * 60)
        assert admin.get("/test-export/").status_code == 200
        clock.shift(2 * 60)  # the password was confirmed 16 minutes ago
        assert admin.get("/test-export/")["Location"].startswith(REAUTHENTICATE_PATH)


def test_the_audit_history_asks_again_after_15_minutes(admin_user, patient, reauthenticate):
    admin = Client()
    admin.force_login(admin_user)
    history = f"/patients/{patient.pk}/history/"
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False) as clock:
        reauthenticate(admin)
        assert admin.get(history).status_code == 200
        clock.shift(10 * 60)
        assert admin.get(history).status_code == 200
        clock.shift(6 * 60)
        assert admin.get(history)["Location"].startswith(REAUTHENTICATE_PATH)
