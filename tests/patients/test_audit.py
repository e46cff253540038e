"""Every change to patient data is recorded with the acting user; chart views are logged."""

import pghistory
import pytest
from django.db import DatabaseError, connection, transaction
from pghistory.models import Events

from patients.models import AccessEvent, AccessKind, Patient
from tests.factories import PatientFactory


def history_of(patient):
    return list(Events.objects.tracks(patient).order_by("pgh_created_at", "pgh_id"))


def test_a_queryset_update_records_one_history_row_per_patient_with_the_acting_user(front_desk):
    patients = PatientFactory.create_batch(3)
    with pghistory.context(user=front_desk.pk):
        updated = Patient.objects.filter(pk__in=[p.pk for p in patients]).update(notes="bulk note")
    assert updated == 3
    for patient in patients:
        updates = [e for e in history_of(patient) if e.pgh_label == "update"]
        assert len(updates) == 1
        assert updates[0].pgh_context["user"] == front_desk.pk
        assert updates[0].pgh_diff["notes"] == ["", "bulk note"]


def test_an_edit_through_the_form_is_recorded_with_the_user_and_the_request_path(front_desk, client_for, patient):
    data = {
        "mrn": patient.mrn,
        "first_name": "Changed",
        "last_name": patient.last_name,
        "date_of_birth": "2000-05-17",
        "sex": "female",
        "email": patient.email,
        "preferred_channel": "email",
        "version": patient.version,
    }
    assert client_for(front_desk).post(f"/patients/{patient.pk}/edit/", data).status_code == 302
    update = [e for e in history_of(patient) if e.pgh_label == "update"][-1]
    assert update.pgh_context["user"] == front_desk.pk
    assert update.pgh_context["url"] == f"/patients/{patient.pk}/edit/"
    assert update.pgh_diff["first_name"][1] == "Changed"


def test_a_delete_is_recorded_too(admin_user):
    patient = PatientFactory()
    pk = patient.pk
    with pghistory.context(user=admin_user.pk):
        patient.delete()
    labels = [e.pgh_label for e in Events.objects.filter(pgh_obj_model="patients.Patient", pgh_obj_id=str(pk))]
    assert "delete" in labels


def test_the_history_tables_reject_update_and_delete(patient):
    table = Patient.events.rel.related_model._meta.db_table
    # The table name comes from the model, not from input.
    for statement in (f"UPDATE {table} SET notes = 'rewritten'", f"DELETE FROM {table}"):  # noqa: S608
        with (
            pytest.raises(DatabaseError, match="Cannot update or delete"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


def test_each_chart_view_records_exactly_one_access_event(clinical_staff, client_for, patient):
    client = client_for(clinical_staff)
    client.get(f"/patients/{patient.pk}/")
    client.get(f"/patients/{patient.pk}/")
    events = AccessEvent.objects.filter(patient_id=patient.pk, kind=AccessKind.CHART_VIEW)
    assert events.count() == 2
    assert {e.user_id for e in events} == {clinical_staff.pk}


def test_a_refused_request_for_patient_data_is_recorded(front_desk, client_for, patient):
    client_for(front_desk).get(f"/patients/{patient.pk}/risk-category/")
    client_for(front_desk).get("/patients/999999/")
    denied = AccessEvent.objects.filter(kind=AccessKind.DENIED).order_by("id")
    assert [(e.patient_id, e.status_code) for e in denied] == [(patient.pk, 403), (999999, 404)]


def test_access_events_cannot_be_altered(clinical_staff, client_for, patient):
    client_for(clinical_staff).get(f"/patients/{patient.pk}/")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        AccessEvent.objects.all().delete()


def test_the_history_page_lists_changes_and_views_for_admins(
    admin_user, front_desk, client_for, reauthenticate, patient
):
    client_for(front_desk).get(f"/patients/{patient.pk}/")
    admin = client_for(admin_user)
    reauthenticate(admin)
    html = admin.get(f"/patients/{patient.pk}/history/").content.decode()
    assert "insert" in html
    assert "Viewed chart" in html
    assert front_desk.full_name in html


def test_the_history_page_asks_for_the_password_again(admin_user, client_for, patient):
    response = client_for(admin_user).get(f"/patients/{patient.pk}/history/")
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


def test_the_history_page_shows_the_values_an_insert_set(admin_user, prescriber, client_for, reauthenticate, patient):
    client_for(prescriber).post(
        f"/patients/{patient.pk}/risk-category/",
        {"category": "cannot_get_pregnant", "effective_on": "2026-01-05", "reason": "Hysterectomy in 2019"},
    )
    admin = client_for(admin_user)
    reauthenticate(admin)
    html = admin.get(f"/patients/{patient.pk}/history/").content.decode()
    assert "Hysterectomy in 2019" in html
