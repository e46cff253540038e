"""Hostile input to every form of the app: very long strings, Unicode (right-to-left marks,
NUL, emoji), HTML and SQL fragments, huge, negative and non-finite numbers, impossible dates.

The forms are found, not listed: every page the permission matrix walks is opened by a role
that may use it, and each form on it (POST and GET, except the log-out button) is filled by
hypothesis, field by field, according to the input's type. For every submission:
- the answer is a form error (200, with the error shown) or a success redirect, never a 500;
- after an error nothing was written; after a success every row written passes its model's
  validation (nothing invalid is stored);
- nothing typed comes back unescaped, on the answer or on the page the redirect leads to.

Each example runs in a savepoint that is rolled back, so every example starts from the same
world. ``HOSTILE_EXAMPLES`` (environment) sets the examples per form (default 40).
"""

import os
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import resolve
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.urls import UnregisteredKeyword, unregistered_message

from .conftest import ROLES, app_routes, route_id
from .probes import (
    Field,
    Form,
    app_forms,
    changed_tables,
    database_fingerprint,
    is_html_page,
    plausible_value,
    project_models_of_tables,
)

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "40"))
_ATTACKED: set[tuple] = set()
MARKERS = ("<isotrack-xss", "<script>alert(", "<img src=x onerror")
FRAGMENTS = [
    "<isotrack-xss>",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE patients_patient; --",
    "' OR '1'='1",
    "\u202eevil\u202c",  # right-to-left override
    "שלום עליכם",
    "\x00",
    "NUL\x00inside",
    "🙂👩🏽‍⚕️",
    "Ω≈ç√∫",
    "\ufeffbom",
    "{{ 7*7 }}{% debug %}",
    "../../etc/passwd",
    "\r\nSet-Cookie: stolen=1",
    "   ",
]
NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "-1", "-0", "0", "9" * 40, "0x1F", "1,5", "1_000"]
DATES = ["2026-02-30", "2026-13-01", "0000-00-00", "9999-12-31", "0001-01-01", "1900-02-29", "31/12/2026", "20260101"]
TIMES = ["00:00", "23:59", "24:00", "25:61", "-01:00", "12:00:60"]

hostile_text = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=40),
    st.builds(lambda text, times: text * times, st.sampled_from([*FRAGMENTS[:3], "A", "é"]), st.integers(100, 4000)),
    st.builds(lambda a, b: a + b, st.sampled_from(FRAGMENTS), st.text(max_size=12)),
)
hostile_number = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
hostile_date = st.one_of(st.sampled_from(DATES), st.dates(min_value=date(1, 1, 1)).map(date.isoformat))


def hostile_value(field: Field):
    """Something hostile of the field's type, or anything at all; ``None`` leaves the field out
    of the submission."""
    typed = {
        "number": hostile_number,
        "date": hostile_date,
        "datetime-local": hostile_date,
        "time": st.sampled_from(TIMES),
        "select": st.sampled_from(field.options or [""]),
        "radio": st.sampled_from(field.options or [""]),
        "checkbox": st.sampled_from(["on", field.value]),
        "hidden": hostile_number,
    }.get(field.kind, hostile_text)
    return st.one_of(typed, hostile_text, st.none())


def _unescaped(html: str) -> list[str]:
    return [marker for marker in MARKERS if marker in html]


def _pages_with_forms():
    for route, name, view in app_routes():
        yield pytest.param(route, name, view, id=route_id(route, name))


def _open_as_allowed_user(route, name, view, world, personas, logged_in):
    try:
        path = world.path(route)
    except UnregisteredKeyword as error:
        pytest.fail(unregistered_message(error.args[0], route, name))
    user = next((personas[r] for r in ROLES if personas[r].has_perm(view.required_permission)), None)
    if user is None:
        return None  # the permission matrix reports a page nobody may use
    sensitive = getattr(view, "requires_reauthentication", False)
    client = logged_in(user, recently_reauthenticated=sensitive)
    response = client.get(path)
    if not is_html_page(response):
        return None  # a POST-only action (its form is on another page, attacked there) or a file
    return client, path, response.content.decode()


def _check_submission(client, form: Form, data: dict) -> None:
    before = database_fingerprint()
    send = client.post if form.method == "post" else client.get
    response = send(form.action, data)
    body = response.content.decode()
    event(f"answered {response.status_code}")  # pytest --hypothesis-show-statistics shows the mix
    assert response.status_code in (200, 302), f"{form.method.upper()} {form.action} answered {response.status_code}"
    assert not _unescaped(body), f"unescaped {_unescaped(body)} in the answer to {form.action}"
    written = changed_tables(before, database_fingerprint())
    if form.method == "get":
        assert not written, f"a GET form wrote to {written}"
        return
    if response.status_code == 200:
        assert not written, f"a refused submission to {form.action} wrote to {written}"
        assert 'aria-invalid="true"' in body or 'class="form-errors"' in body, "refused without saying why"
        return
    for model in project_models_of_tables(written):
        for row in model._default_manager.all():
            try:
                row.full_clean()
            except ValidationError as error:
                raise AssertionError(f"{form.action} stored an invalid {model._meta.label} {row.pk}: {error}") from None
    target = client.get(response["Location"])
    assert target.status_code in (200, 302), f"the page after {form.action} answered {target.status_code}"
    assert not _unescaped(target.content.decode()), f"unescaped input on {response['Location']}"


def _attack(client, form: Form):
    """A hypothesis test that submits hostile values to ``form``."""
    token = {f.name: f.value for f in form.fields.values() if f.name == "csrfmiddlewaretoken"}
    fields = {f.name: f for f in form.fields.values() if f.name not in token}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.data())
    def submit(data):
        # Mostly one field at a time gets a hostile value and the rest what a careful user types,
        # so that hostile text also gets stored and shown; sometimes several, or all at once.
        names = sorted(fields)
        one, few = st.sets(st.sampled_from(names), max_size=1), st.sets(st.sampled_from(names), max_size=3)
        chosen = data.draw(st.one_of(one, one, few, st.just(set(names))), label="hostile fields")
        values = {
            name: data.draw(hostile_value(field), label=name) if name in chosen else plausible_value(field)
            for name, field in fields.items()
        }
        data = {**token, **{name: value for name, value in values.items() if value is not None}}
        with transaction.atomic():
            _check_submission(client, form, data)
            transaction.set_rollback(True)

    return submit


@pytest.mark.parametrize(("route", "name", "view"), list(_pages_with_forms()))
def test_hostile_input_to_every_form_is_refused_or_stored_safely_never_a_500(
    route, name, view, world, personas, logged_in
):
    """Pages without a form (or reached only by POST) have nothing to attack here."""
    opened = _open_as_allowed_user(route, name, view, world, personas, logged_in)
    if opened is None:
        return
    client, path, html = opened
    for form in app_forms(html, path):
        # A form shown on several pages (a course's actions on its detail page and their own)
        # is attacked once per run.
        signature = (form.method, resolve(form.action).route, tuple(sorted(form.fields)))
        if any(f.kind != "hidden" for f in form.fields.values()) and signature not in _ATTACKED:
            _ATTACKED.add(signature)
            _attack(client, form)()
