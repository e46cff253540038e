"""Registering and editing patients: bad input gets a message next to the field and saves
nothing; concurrent edits never overwrite each other."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from patients import services
from patients.models import Patient
from tests.factories import PatientFactory

VALID = {
    "mrn": "mrn-0042",
    "first_name": "Jordan",
    "last_name": "Rivera",
    "date_of_birth": "2001-04-17",
    "sex": "female",
    "phone": "(617) 555-0142",
    "email": "jordan@example.com",
    "preferred_channel": "email",
}


def post_new(client, **changes):
    return client.post("/patients/new/", {**VALID, **changes})


def field_errors(response, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_registering_a_patient_normalises_mrn_and_phone_and_opens_the_chart(front_desk, client_for):
    response = post_new(client_for(front_desk))
    patient = Patient.objects.get()
    assert response["Location"] == f"/patients/{patient.pk}/"
    assert patient.mrn == "MRN-0042"
    assert patient.phone == "+16175550142"


def test_a_duplicate_mrn_is_refused_next_to_the_field(front_desk, client_for):
    PatientFactory(mrn="MRN-0042")
    response = post_new(client_for(front_desk), mrn=" mrn-0042 ")
    assert response.status_code == 200
    assert field_errors(response, "mrn") == ["Another patient already has this MRN."]
    assert 'id="id_mrn_error"' in response.content.decode()
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date_of_birth": str(date.today() + timedelta(days=2))}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "1890-01-01"}, "date_of_birth", "age over 120"),
        ({"date_of_birth": "2026-02-30"}, "date_of_birth", "valid date"),
        ({"email": "jordan@@example"}, "email", "valid email"),
        ({"phone": "555-01"}, "phone", "10 digits"),
        ({"phone": "call me maybe"}, "phone", "digits"),
        ({"mrn": ""}, "mrn", "required"),
        ({"preferred_channel": "sms", "phone": ""}, "phone", "need a phone number"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(front_desk, client_for, changes, field, message):
    response = post_new(client_for(front_desk), **changes)
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field)), field_errors(response, field)
    assert not Patient.objects.exists()


def test_a_minor_needs_a_guardian_contact(front_desk, client_for):
    fifteen = (timezone.localdate() - timedelta(days=15 * 365 + 10)).isoformat()
    response = post_new(client_for(front_desk), date_of_birth=fifteen)
    assert "guardian" in field_errors(response, "guardian_name")[0]
    response = post_new(
        client_for(front_desk), date_of_birth=fifteen, guardian_name="Chris Rivera", guardian_phone="6175550100"
    )
    assert response.status_code == 302


def test_user_text_is_escaped_on_the_chart(front_desk, client_for):
    post_new(client_for(front_desk), first_name="<script>alert(1)</script>")
    patient = Patient.objects.get()
    html = client_for(front_desk).get(f"/patients/{patient.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_edit_made_on_a_stale_version_is_refused_and_keeps_the_other_change(front_desk, clinical_staff, client_for):
    patient = PatientFactory(first_name="Jordan", version=1)
    form_data = {**VALID, "mrn": patient.mrn, "version": 1}
    first = client_for(front_desk).post(f"/patients/{patient.pk}/edit/", {**form_data, "first_name": "Jo"})
    assert first.status_code == 302
    second = client_for(clinical_staff).post(f"/patients/{patient.pk}/edit/", {**form_data, "last_name": "Other"})
    assert second.status_code == 200
    assert "Someone else saved changes" in second.content.decode()
    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name, patient.version) == ("Jo", "Rivera", 2)


def test_two_simultaneous_saves_of_one_version_cannot_both_succeed(transactional_db, front_desk, clinical_staff):
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    patient = PatientFactory(version=1)
    outcomes = []
    barrier = threading.Barrier(2)

    def save(actor, name):
        try:
            barrier.wait()
            services.patient_update(actor=actor, patient_id=patient.pk, expected_version=1, first_name=name)
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(u, n)) for u, n in ((front_desk, "A"), (clinical_staff, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "stale"]
    patient.refresh_from_db()
    assert patient.version == 2


def test_front_desk_cannot_post_a_risk_category_or_a_weight(front_desk, client_for, patient):
    client = client_for(front_desk)
    risk = client.post(
        f"/patients/{patient.pk}/risk-category/",
        {"category": "cannot_get_pregnant", "effective_on": "2026-01-05", "reason": "x"},
    )
    weight = client.post(f"/patients/{patient.pk}/weights/", {"value": "70", "unit": "kg", "measured_on": "2026-01-05"})
    assert (risk.status_code, weight.status_code) == (403, 403)
    assert not patient.risk_category_changes.exists()
    assert not patient.weights.exists()
