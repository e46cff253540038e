"""The audit cannot be rewritten quietly: audit tables refuse UPDATE and DELETE, and the seal
(accounts/seal.py) names any sealed row that was altered or removed once the protection was
switched off; refused accesses to a record are logged whatever the URL keyword."""

import logging
import uuid
from datetime import date, time
from decimal import Decimal

import pghistory.models
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.utils import timezone

from accounts.access import permission_required
from accounts.models import AuditSeal, AuditSealLayout
from accounts.seal import audit_tables, seal_all, verify_all
from accounts.tasks import AuditTampered, audit_verify
from config.celery import app as celery_app
from config.urls import urlpatterns as app_urlpatterns
from patients.models import AccessEvent, AccessKind, Patient, WeightMeasurement
from tests.factories import PatientFactory, RiskCategoryChangeFactory, WeightFactory

EVENT_MODELS = sorted(
    (m for m in apps.get_models() if issubclass(m, pghistory.models.Event) and m._meta.managed and not m._meta.proxy),
    key=lambda m: m._meta.label,
)
# Append-only by design, besides the pghistory event tables.
OTHER_APPEND_ONLY = [AccessEvent, AuditSeal, AuditSealLayout]

SAMPLE_BY_TYPE = {
    "CharField": "x",
    "TextField": "x",
    "EmailField": "x@example.com",
    "SlugField": "x",
    "IntegerField": 1,
    "BigIntegerField": 1,
    "SmallIntegerField": 1,
    "PositiveIntegerField": 1,
    "PositiveBigIntegerField": 1,
    "PositiveSmallIntegerField": 1,
    "DecimalField": Decimal("1"),
    "BooleanField": False,
    "DateField": date(2026, 1, 5),
    "TimeField": time(9, 0),
    "JSONField": {},
    "FileField": "x",
    "UUIDField": uuid.uuid4,
}


def ensure_a_row(model) -> None:
    """Row-level triggers only fire on rows: give an empty audit table one (any values that fit
    its columns; audit foreign keys carry no database constraint)."""
    if model.objects.exists():
        return
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.null or field.has_default() or getattr(field, "auto_now_add", False):
            continue
        if field.is_relation:
            target = field.related_model.objects.first()
            values[field.attname] = target.pk if target else 1
        elif field.get_internal_type() == "DateTimeField":
            values[field.attname] = timezone.now()
        else:
            sample = SAMPLE_BY_TYPE[field.get_internal_type()]
            values[field.attname] = sample() if callable(sample) else sample
    model.objects.create(**values)


@pytest.fixture
def audited_data(clinical_staff, client_for):
    """A patient with a weight and a risk-category change, viewed once: rows in every kind of
    audit table."""
    patient = PatientFactory(last_name="Sealington")
    WeightFactory(patient=patient, recorded_by=clinical_staff)
    RiskCategoryChangeFactory(patient=patient)
    client_for(clinical_staff).get(f"/patients/{patient.pk}/")
    seal_all()
    return patient


def disable_protection(table: str) -> None:
    """What an attacker with the database owner's rights would do first."""
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of this test's inserts must run before a table can change.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER")


def run_sql(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_failure() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    return str(failure.value)


@pytest.mark.parametrize("model", [*EVENT_MODELS, *OTHER_APPEND_ONLY], ids=lambda m: m._meta.label)
def test_every_audit_table_refuses_update_and_delete(db, audited_data, model):
    ensure_a_row(model)
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    # Names come from the model registry, not from input.
    for statement in (f"UPDATE {table} SET {pk} = {pk}", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError, match="Cannot"), transaction.atomic():
            run_sql(statement)
    assert model.objects.exists()


def test_the_event_models_are_discovered_and_all_of_them_are_sealed():
    labels = {m._meta.label for m in EVENT_MODELS}
    assert {"patients.PatientEvent", "patients.WeightMeasurementEvent", "accounts.UserEvent"} <= labels
    sealed = {t.name for t in audit_tables()}
    assert {m._meta.db_table for m in [*EVENT_MODELS, AccessEvent]} <= sealed
    assert "pghistory_context" in sealed


def test_an_untouched_audit_passes_verification_and_sealing_is_incremental(audited_data, clinical_staff):
    call_command("audit_verify")
    assert sum(seal_all().values()) == 0  # nothing new since the fixture sealed
    WeightFactory(patient=audited_data, recorded_by=clinical_staff)
    assert seal_all()["patients_weightmeasurementevent"] == 1
    assert verify_all().problems == []


def test_an_altered_audit_row_is_named_by_table_and_row(audited_data):
    event = Patient.events.rel.related_model.objects.get(pgh_obj_id=audited_data.pk, pgh_label="insert")
    disable_protection("patients_patientevent")
    run_sql("UPDATE patients_patientevent SET last_name = 'Rewritten' WHERE pgh_id = %s", [event.pk])
    assert f"patients_patientevent: row {event.pk} was altered after it was sealed" in verify_failure()


def test_a_deleted_audit_row_is_named_by_table_and_row(audited_data):
    event = WeightMeasurement.events.rel.related_model.objects.get(patient_id=audited_data.pk)
    disable_protection("patients_weightmeasurementevent")
    run_sql("DELETE FROM patients_weightmeasurementevent WHERE pgh_id = %s", [event.pk])
    assert f"patients_weightmeasurementevent: row {event.pk} was deleted after it was sealed" in verify_failure()


def test_a_truncated_audit_table_is_detected(audited_data):
    run_sql("TRUNCATE patients_riskcategorychangeevent")  # row triggers do not see a TRUNCATE
    assert "patients_riskcategorychangeevent: row" in verify_failure()


def test_rewriting_the_access_log_or_who_acted_is_detected(audited_data):
    view = AccessEvent.objects.get(patient_id=audited_data.pk, kind=AccessKind.CHART_VIEW)
    disable_protection("patients_accessevent")
    run_sql("UPDATE patients_accessevent SET user_id = NULL WHERE id = %s", [view.pk])
    assert f"patients_accessevent: row {view.pk} was altered" in verify_failure()


def test_a_settled_context_saying_who_acted_is_sealed_and_its_rewrite_detected(audited_data, clinical_staff):
    with pghistory.context(user=clinical_staff.pk):
        WeightFactory(patient=audited_data, recorded_by=clinical_staff)
    context = pghistory.models.Context.objects.order_by("-created_at").first()
    assert seal_all()["pghistory_context"] == 0  # still open: a request may still be adding to it
    run_sql("UPDATE pghistory_context SET updated_at = NOW() - INTERVAL '2 hours' WHERE id = %s", [context.pk])
    assert seal_all()["pghistory_context"] == 1
    run_sql("UPDATE pghistory_context SET metadata = '{\"user\": 1}' WHERE id = %s", [context.pk])
    assert f"pghistory_context: row {context.pk} was altered" in verify_failure()


def test_removing_a_seal_breaks_the_chain_at_the_next_one(audited_data, clinical_staff):
    WeightFactory(patient=audited_data, recorded_by=clinical_staff)
    seal_all()
    first, second = AuditSeal.objects.filter(table_name="patients_weightmeasurementevent").order_by("id")[:2]
    disable_protection("accounts_auditseal")
    run_sql("DELETE FROM accounts_auditseal WHERE id = %s", [first.pk])
    assert f"patients_weightmeasurementevent: the seal chain is broken at seal {second.pk}" in verify_failure()


def test_a_late_commit_below_the_sealed_ids_is_sealed_on_the_next_run(audited_data):
    """A transaction that took its id before others but committed after them is not lost."""
    lowest = AccessEvent.objects.order_by("id").first().pk
    run_sql(
        "INSERT INTO patients_accessevent (id, patient_id, kind, path, status_code, at) "
        "VALUES (%s, NULL, 'denied', '/late/', 403, NOW())",
        [lowest - 1],
    )
    assert seal_all()["patients_accessevent"] == 1
    assert verify_all().problems == []


def test_a_column_added_later_keeps_old_seals_valid_and_a_dropped_one_is_reported(audited_data):
    run_sql("ALTER TABLE patients_patientevent ADD COLUMN flagged boolean NOT NULL DEFAULT false")
    assert verify_all().problems == []
    run_sql("ALTER TABLE patients_patientevent DROP COLUMN notes")
    assert "patients_patientevent: column(s) notes were dropped" in verify_failure()


def test_the_daily_task_fails_and_logs_an_error_naming_the_row(audited_data, caplog):
    event = Patient.events.rel.related_model.objects.get(pgh_obj_id=audited_data.pk, pgh_label="insert")
    assert audit_verify() > 0
    disable_protection("patients_patientevent")
    run_sql("UPDATE patients_patientevent SET mrn = 'X' WHERE pgh_id = %s", [event.pk])
    with caplog.at_level(logging.ERROR), pytest.raises(AuditTampered, match=f"row {event.pk} was altered"):
        audit_verify()
    assert f"row {event.pk} was altered" in caplog.text


def test_sealing_runs_hourly_and_verification_daily_from_beat():
    schedule = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}
    assert "accounts.tasks.audit_seal" in schedule
    assert "accounts.tasks.audit_verify" in schedule
    assert schedule["accounts.tasks.audit_seal"].minute == {17}
    assert len(schedule["accounts.tasks.audit_verify"].hour) == 1


# --- Refused access is logged whatever the record keyword --------------------------------------


@permission_required("patients.add_weightmeasurement")
def _weight_detail(request, weight_measurement_id):
    WeightMeasurement.objects.get(pk=weight_measurement_id)
    return HttpResponse("ok")


urlpatterns = [path("test-weights/<int:weight_measurement_id>/", _weight_detail), *app_urlpatterns]


@pytest.mark.urls(__name__)
def test_a_refusal_on_a_page_keyed_by_another_record_is_logged_with_that_records_patient(front_desk, clinical_staff):
    weight = WeightFactory(patient=PatientFactory(), recorded_by=clinical_staff)
    client = Client()
    client.force_login(front_desk)
    assert client.get(f"/test-weights/{weight.pk}/").status_code == 403
    denied = AccessEvent.objects.get(kind=AccessKind.DENIED, user=front_desk)
    expected = (weight.patient_id, 403, f"/test-weights/{weight.pk}/")
    assert (denied.patient_id, denied.status_code, denied.path) == expected
