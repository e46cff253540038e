"""A form only changes what it shows: posting extra fields (a clinical field the role may not
set, another patient's id, someone else as the recorder) changes nothing beyond what the same
form changes without them.

Generic and differential: for every form of every page, and every role that may use it, the
form's own values are submitted once as they are and once with an extra value for every field
name of every model of the project; both submissions run in savepoints that are rolled back,
and the database must end up the same (apart from new ids and timestamps)."""

from datetime import date, datetime

import pytest
import time_machine
from django.db import models, transaction
from django.utils import timezone

from patients.models import Patient, RiskCategory, RiskCategoryChange
from tests.factories import PatientFactory
from tests.urls import UnregisteredKeyword, unregistered_message

from .conftest import ROLES, app_routes, route_id
from .probes import app_forms, is_html_page, plausible_data, project_models

CASES = [pytest.param(route, name, view, id=route_id(route, name)) for route, name, view in app_routes()]


def injected_value(field: models.Field, others: dict) -> str | None:
    """A value for ``field`` that differs from anything the world holds."""
    if field.choices:
        return str(list(field.flatchoices)[-1][0])
    if field.is_relation:
        other = others.get(field.related_model)
        return str(other.pk) if other is not None else None
    if isinstance(field, models.BooleanField):
        return "on"
    if isinstance(field, models.DateTimeField):
        return datetime(2001, 2, 3, 4, 5).isoformat()
    if isinstance(field, models.DateField):
        return date(2001, 2, 3).isoformat()
    if isinstance(field, models.DecimalField | models.FloatField):
        return "123.45"
    if isinstance(field, models.IntegerField):
        return "7777"
    if isinstance(field, models.CharField | models.TextField):
        return "INJECTED"[: field.max_length or None]
    return None


def extra_fields(form_fields, others: dict) -> dict:
    """A value for every field name of every project model that the form does not have."""
    extras = {}
    for model in project_models():
        for field in model._meta.concrete_fields:
            for name in {field.name, field.attname}:
                if name in form_fields or name in extras:
                    continue
                value = injected_value(field, others)
                if value is not None:
                    extras[name] = value
    return extras


def snapshot(existing: dict) -> dict:
    """Every row of the project's models, without the values that differ between two equal
    submissions: generated ids, automatic timestamps, and references to rows created since."""
    state = {}
    for model in project_models():
        rows = []
        for row in model._default_manager.all():
            values = []
            for field in model._meta.concrete_fields:
                if field.primary_key or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    continue
                value = getattr(row, field.attname)
                if field.is_relation and value is not None and value not in existing.get(field.related_model, ()):
                    value = "<new row>"
                values.append((field.name, repr(value)))
            rows.append(tuple(values))
        state[model._meta.label] = sorted(rows)
    return state


def submitted(client, path: str, data: dict, existing: dict, at: datetime):
    """Post ``data``, note the answer and the database, then undo. The clock stands still at
    ``at`` so that times the services stamp (verified at, reviewed at) are equal each time."""
    with time_machine.travel(at, tick=False), transaction.atomic():
        response = client.post(path, data)
        state = snapshot(existing)
        transaction.set_rollback(True)
    return response.status_code, state


@pytest.mark.parametrize(("route", "name", "view"), CASES)
def test_extra_posted_fields_change_nothing_beyond_what_the_form_changes(
    route, name, view, world, personas, logged_in, admin_user
):
    try:
        path = world.path(route)
    except UnregisteredKeyword as error:
        pytest.fail(unregistered_message(error.args[0], route, name))
    others = {Patient: PatientFactory(), type(admin_user): admin_user}  # records a form must not reach
    sensitive = getattr(view, "requires_reauthentication", False)
    problems = []
    for role in ROLES:
        if not personas[role].has_perm(view.required_permission):
            continue
        client = logged_in(personas[role], recently_reauthenticated=sensitive)
        page = client.get(path)
        if not is_html_page(page):
            continue
        for form in app_forms(page.content.decode(), path):
            if form.method != "post":
                continue
            data = plausible_data(form)
            existing = {m: set(m._default_manager.values_list("pk", flat=True)) for m in project_models()}
            at = timezone.now()
            plain = submitted(client, form.action, data, existing, at)
            extended = submitted(client, form.action, {**data, **extra_fields(form.fields, others)}, existing, at)
            if plain != extended:
                changed = sorted(label for label in plain[1] if plain[1][label] != extended[1].get(label))
                problems.append(f"{role} POST {form.action}: extra fields changed {changed or 'the answer'}")
    assert not problems, "\n".join(problems)


def test_front_desk_cannot_set_the_risk_category_through_the_demographics_form(front_desk, client_for, patient):
    client = client_for(front_desk)
    path = f"/patients/{patient.pk}/edit/"
    form = next(f for f in app_forms(client.get(path).content.decode(), path) if f.method == "post")
    data = {**plausible_data(form), "first_name": "Renamed"}
    data.update(risk_category=RiskCategory.CANNOT_GET_PREGNANT, category=RiskCategory.CANNOT_GET_PREGNANT)

    assert client.post(path, data).status_code == 302

    patient.refresh_from_db()
    assert patient.first_name == "Renamed"  # the form did its job...
    assert patient.risk_category == RiskCategory.CAN_GET_PREGNANT  # ...and ignored the clinical field
    assert not RiskCategoryChange.objects.filter(patient=patient).exists()
