"""Logs carry ids, never a patient's name, date of birth, MRN, contact details or clinical
values: everything every logger emits is captured while staff register, edit, search, view and
weigh a patient, make mistakes, and fail to log in."""

import logging

import pytest
from django.test import Client

from patients.models import Patient

SECRETS = {
    "first name": "Zephyrine",
    "last name": "Quillfeather",
    "date of birth": "1999-04-23",
    "date of birth (US)": "04/23/1999",
    "MRN": "MRNLOG7731",
    "email": "zq.private@example.com",
    "phone": "6175550187",
    "iPLEDGE ID": "IPL5550187",
    "weight": "81.37",
}


class CaptureEverything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[str] = []

    def emit(self, record):
        self.records.append(self.format(record))


@pytest.fixture
def all_logs():
    """Every log record of every logger, at every level, formatted with its traceback."""
    handler = CaptureEverything()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler.records
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


def patient_form(**changes) -> dict:
    data = {
        "mrn": SECRETS["MRN"],
        "first_name": SECRETS["first name"],
        "last_name": SECRETS["last name"],
        "date_of_birth": SECRETS["date of birth"],
        "sex": "female",
        "phone": SECRETS["phone"],
        "email": SECRETS["email"],
        "preferred_channel": "email",
        "ipledge_patient_id": SECRETS["iPLEDGE ID"],
        "notes": "Prefers morning visits",
    }
    data.update(changes)
    return data


def test_no_patient_identifier_or_clinical_value_reaches_any_log(all_logs, front_desk, clinical_staff, client_for):
    desk, nurse = client_for(front_desk), client_for(clinical_staff)

    # Mistakes first: an invalid form is shown again with the typed values.
    assert desk.post("/patients/new/", patient_form(phone="not a phone")).status_code == 200
    assert desk.post("/patients/new/", patient_form()).status_code == 302
    patient = Patient.objects.get(mrn=SECRETS["MRN"])
    edited = patient_form(notes="Edited", version=patient.version)
    assert desk.post(f"/patients/{patient.pk}/edit/", edited).status_code == 302
    assert desk.post("/patients/new/", patient_form()).status_code == 200  # duplicate MRN

    assert nurse.get(f"/patients/?q={SECRETS['last name']}").status_code == 200
    assert nurse.get(f"/patients/?q={SECRETS['date of birth (US)']}").status_code == 200
    assert nurse.get(f"/patients/{patient.pk}/").status_code == 200
    weight = {"value": SECRETS["weight"], "unit": "kg", "measured_on": "2026-01-05"}
    assert nurse.post(f"/patients/{patient.pk}/weights/", weight).status_code == 302
    assert desk.get(f"/patients/{patient.pk}/weights/").status_code == 403
    assert desk.get("/patients/2147483000/").status_code == 404

    # Failed logins, including someone typing patient details into the login form.
    stranger = Client()
    stranger.post("/accounts/login/", {"login": front_desk.email, "password": SECRETS["last name"]})
    stranger.post("/accounts/login/", {"login": SECRETS["email"], "password": SECRETS["MRN"]})

    text = "\n".join(all_logs)
    assert "Not Found: /patients/2147483000/" in text  # the capture works
    assert "Forbidden" in text
    leaked = [label for label, value in SECRETS.items() if value.lower() in text.lower()]
    assert not leaked, f"{leaked} appeared in the logs:\n{text}"
