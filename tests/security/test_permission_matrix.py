"""The permission matrix: every page of every app, opened by every persona, gets exactly the
answer the persona's role allows, and nothing is written unless the role may write.

The pages are enumerated from the URL configuration and each view's ``required_permission``
(accounts.access.permission_required), and their records come from the world (tests/urls.py),
so a page added later is walked without touching this file.

For each page and each persona:
- anonymous and deactivated: redirected to the login page, for GET and POST alike;
- a role with the permission: 200 or a redirect (405 for a POST-only action); 404 for a record
  that does not exist; sensitive pages ask for the password first;
- a role without it: 403, for GET and POST, whether or not the record exists (no disclosure);
  and the refusal is recorded in the access log;
- a GET never writes, a refused request never writes, and a POST without the CSRF token is 403;
- every response carries the security headers (tests/security/probes.py).
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from patients.models import AccessEvent, AccessKind, Patient
from tests.urls import UnregisteredKeyword, route_keywords, unregistered_message

from .conftest import LOGIN_PATH, REAUTHENTICATE_PATH, ROLES, app_routes, route_id
from .probes import app_forms, changed_tables, database_fingerprint, header_problems, is_html_page, plausible_data

CASES = [pytest.param(route, name, view, id=route_id(route, name)) for route, name, view in app_routes()]


class Walk:
    """Requests to one page, each checked for headers and database writes; problems are
    collected so that one run shows all of them."""

    def __init__(self, route, name, view, world):
        self.route, self.label, self.view = route, route_id(route, name), view
        self.world = world
        self.problems: list[str] = []
        try:
            self.path = world.path(route)
            self.missing = world.missing_paths(route)
        except UnregisteredKeyword as error:
            pytest.fail(unregistered_message(error.args[0], route, name))

    def expect(self, condition: bool, message: str) -> None:
        if not condition:
            self.problems.append(f"{self.label}: {message}")

    def request(self, who: str, client: Client, method: str, path: str, data: dict | None = None):
        before = database_fingerprint()
        response = getattr(client, method)(path, data or {})
        written = changed_tables(before, database_fingerprint())
        where = f"{who} {method.upper()} {path} -> {response.status_code}"
        for problem in header_problems(response):
            self.expect(False, f"{where}: {problem}")
        return response, written, where

    def patient_of_page(self) -> int | None:
        """The patient whose data the page shows, for the denied-access log."""
        for keyword in route_keywords(self.route):
            record = self.world.object(keyword)
            if isinstance(record, Patient):
                return record.pk
            if hasattr(record, "patient_id"):
                return record.patient_id
        return None


def _form_data(walk: Walk, client: Client) -> dict:
    """What an allowed user would submit on this page (empty for pages without a form)."""
    response = client.get(walk.path)
    if not is_html_page(response):
        return {}
    forms = [f for f in app_forms(response.content.decode(), walk.path) if f.method == "post" and f.action == walk.path]
    return plausible_data(forms[0]) if forms else {}


def _denial_recorded(user, path: str, status: int, patient_id: int | None) -> bool:
    events = AccessEvent.objects.filter(user=user, kind=AccessKind.DENIED, path=path, status_code=status)
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    return events.exists()


@pytest.mark.parametrize(("route", "name", "view"), CASES)
def test_every_persona_gets_exactly_the_answer_its_role_allows(
    route, name, view, world, personas, deactivated_user, logged_in, reauthenticate
):
    walk = Walk(route, name, view, world)
    permission = getattr(view, "required_permission", None)
    assert permission, f"{walk.label} declares no permission (see test_every_view_declares_its_permission)"
    sensitive = getattr(view, "requires_reauthentication", False)
    allowed_users = [personas[role] for role in ROLES if personas[role].has_perm(permission)]
    walk.expect(bool(allowed_users), f"no role has {permission}: nobody can use this page")
    form_data = {}
    if allowed_users:
        form_data = _form_data(walk, logged_in(allowed_users[0], recently_reauthenticated=sensitive))
    has_record_keyword = any(k.endswith("_id") for k in route_keywords(route))
    post_only = False

    for role in ROLES:
        user = personas[role]
        allowed = user.has_perm(permission)
        client = logged_in(user)
        if allowed and sensitive:
            response, written, where = walk.request(role, client, "get", walk.path)
            walk.expect(
                response.status_code == 302 and response["Location"].startswith(REAUTHENTICATE_PATH),
                f"{where}: a sensitive page must ask for the password again first",
            )
            reauthenticate(client)

        response, written, where = walk.request(role, client, "get", walk.path)
        walk.expect(not written, f"{where}: a GET wrote to {written}")
        if allowed:
            status = response.status_code
            walk.expect(status in (200, 302, 405), f"{where}: expected 200, a redirect or 405 for a POST-only action")
            if status == 302:
                location = response["Location"]
                walk.expect(not location.startswith(LOGIN_PATH), f"{where}: an allowed role was sent to log in")
                walk.expect(
                    not location.startswith(REAUTHENTICATE_PATH),
                    f"{where}: asks for the password but is not declared sensitive: "
                    "decorate it with accounts.access.sensitive",
                )
            if status == 405:
                post_only = True
                walk.expect("GET" not in response.get("Allow", ""), f"{where}: 405 yet allows GET")
        else:
            walk.expect(response.status_code == 403, f"{where}: expected 403 for a role without {permission}")
            response, written, where = walk.request(role, client, "post", walk.path, form_data)
            walk.expect(response.status_code == 403, f"{where}: a POST by a role without {permission} must be 403")
            walk.expect(not written, f"{where}: a refused POST wrote to {written}")
            if has_record_keyword:
                walk.expect(
                    _denial_recorded(user, walk.path, 403, walk.patient_of_page()),
                    f"{where}: the refusal was not recorded in the access log with its patient",
                )

        for keyword, missing_path in walk.missing:
            method = "post" if post_only and allowed else "get"
            response, written, where = walk.request(role, client, method, missing_path, form_data)
            expected = 404 if allowed else 403
            walk.expect(response.status_code == expected, f"{where}: expected {expected} for a missing {keyword}")
            walk.expect(not written, f"{where}: wrote to {written}")
            walk.expect(
                _denial_recorded(user, missing_path, expected, None),
                f"{where}: the refusal was not recorded in the access log",
            )

    for who, client in (("anonymous", Client()), ("deactivated", logged_in(deactivated_user))):
        for method in ("get", "post"):
            response, written, where = walk.request(who, client, method, walk.path, form_data)
            walk.expect(
                response.status_code == 302 and response["Location"].startswith(LOGIN_PATH),
                f"{where}: expected a redirect to the login page",
            )
            walk.expect(not written, f"{where}: wrote to {written}")

    # A forged cross-site POST (no CSRF token) by a user who may otherwise post here.
    forger = allowed_users[0] if allowed_users else personas[ROLES[0]]
    response, written, where = walk.request(
        "csrf-less", logged_in(forger, enforce_csrf_checks=True), "post", walk.path, form_data
    )
    walk.expect(response.status_code == 403, f"{where}: a POST without the CSRF token must be 403")
    walk.expect(not written, f"{where}: a POST without the CSRF token wrote to {written}")

    assert not walk.problems, "\n".join(walk.problems)


@pytest.mark.parametrize(("route", "name", "view"), CASES)
def test_every_view_declares_a_permission_that_exists(db, route, name, view):
    permission = getattr(view, "required_permission", None)
    assert permission, (
        f"The view of {route_id(route, name)!r} (/{route}) declares no permission. Decorate it with "
        "accounts.access.permission_required('<app>.<codename>') as the outermost decorator (or "
        "accounts.access.sensitive for exports and audit pages)."
    )
    app_label, codename = permission.split(".", 1)
    assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), (
        f"{route_id(route, name)!r} requires {permission}, which does not exist (a typo, or Meta.permissions lacks it)."
    )


def test_the_walk_covers_the_core_pages_and_leaves_out_only_framework_views():
    names = {name for _, name, _ in app_routes()}
    assert {"patients:list", "patients:chart", "patients:edit", "patients:history", "system", "system_ping"} <= names
    assert not any(name and name.startswith(("account_", "mfa_", "admin:")) for name in names)


def test_an_unregistered_url_keyword_fails_naming_the_keyword_and_what_to_add(world):
    with pytest.raises(pytest.fail.Exception, match=r"'appointment_id'.*URL_KWARGS\['appointment_id'\]"):
        Walk("courses/<int:appointment_id>/", "courses:appointment", None, world)
