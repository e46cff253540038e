"""Demo data at scale and the clinic's lab settings in the Django admin."""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pghistory.models import Events

from labs import services
from labs.demo import seed_labs
from labs.models import ActionThreshold, LabResult, LabSettings, LabSpecimen, PregnancyTest
from patients.models import Patient, RiskCategory
from tests.factories import PatientFactory

from .factories import analyte


def _seed(count, prescriber, clinical_staff, seed=1):
    patients = PatientFactory.create_batch(count)
    with CaptureQueriesContext(connection) as queries:
        counts = seed_labs(patients=patients, rng=random.Random(seed), staff=clinical_staff, prescriber=prescriber)
    return patients, counts, len(queries)


def test_demo_labs_cover_every_patient_with_consistent_flags(prescriber, clinical_staff):
    patients, counts, _ = _seed(40, prescriber, clinical_staff)
    assert counts["results"] == LabResult.objects.count() and counts["results"] >= 40 * 6
    assert set(LabSpecimen.objects.values_list("patient_id", flat=True)) == {p.pk for p in patients}
    can_get_pregnant = set(
        Patient.objects.filter(risk_category=RiskCategory.CAN_GET_PREGNANT).values_list("pk", flat=True)
    )
    assert set(PregnancyTest.objects.values_list("patient_id", flat=True)) == can_get_pregnant
    # Home tests are verified by someone other than the person who recorded them.
    assert not PregnancyTest.objects.filter(setting="home", verified_by=clinical_staff).exists()
    for result in LabResult.objects.select_related("analyte")[:60]:
        result.full_clean()


def test_demo_seeding_cost_in_queries_does_not_grow_with_the_number_of_patients(prescriber, clinical_staff):
    _, _, few = _seed(10, prescriber, clinical_staff)
    _, _, many = _seed(60, prescriber, clinical_staff, seed=2)
    assert few == many


@pytest.fixture
def admin_client(admin_user, client_for):
    return client_for(admin_user)


def test_admins_edit_a_threshold_audited_and_later_results_use_it(admin_client, admin_user, prescriber, patient):
    threshold = ActionThreshold.objects.get(analyte__code="tg", limit=500)
    url = f"/admin/labs/actionthreshold/{threshold.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "analyte": threshold.analyte_id,
            "basis": "absolute",
            "comparison": "gte",
            "limit": "400",
            "action": "Reduce dose and recheck",
            "severity": "warn",
            "active": "on",
        },
    )
    assert response.status_code == 302
    [change] = Events.objects.tracks(threshold).filter(pgh_label="update")
    assert (change.pgh_context["user"], change.pgh_data["limit"]) == (admin_user.pk, 400)
    specimen = services.lab_panel_record(
        actor=prescriber,
        patient_id=patient.pk,
        collected_on=timezone.localdate(),
        fasting=True,
        performing_lab="Labcorp",
        results=[
            services.ResultEntry(
                analyte_id=analyte("tg").pk, value=Decimal(450), unit="mg/dL", reference_high=Decimal(149)
            )
        ],
    )
    assert specimen.results.get().action == "Reduce dose and recheck"


def test_the_lab_settings_are_one_row_seeded_with_the_domain_defaults(admin_client):
    settings = LabSettings.load()
    assert (settings.baseline_days, settings.peak_day, settings.recheck_days, settings.home_test_second_person) == (
        30,
        60,
        14,
        True,
    )
    assert admin_client.get(f"/admin/labs/labsettings/{settings.pk}/change/").status_code == 200
    assert admin_client.get("/admin/labs/labsettings/add/").status_code == 403  # one row only


def test_an_analyte_with_results_keeps_its_unit_and_factor(admin_client, prescriber, patient):
    tg = analyte("tg")
    page = admin_client.get(f"/admin/labs/analyte/{tg.pk}/change/").content.decode()
    assert 'name="mmol_factor"' in page
    services.lab_panel_record(
        actor=prescriber,
        patient_id=patient.pk,
        collected_on=timezone.localdate(),
        fasting=True,
        performing_lab="Labcorp",
        results=[services.ResultEntry(analyte_id=tg.pk, value=Decimal(90), unit="mg/dL", reference_high=Decimal(149))],
    )
    page = admin_client.get(f"/admin/labs/analyte/{tg.pk}/change/").content.decode()
    assert 'name="mmol_factor"' not in page and 'name="plausible_max"' in page


def test_patient_data_is_read_only_in_the_admin_and_photos_are_not_linked(admin_client):
    assert admin_client.get("/admin/labs/labresult/").status_code == 200
    assert admin_client.get("/admin/labs/labresult/add/").status_code == 403
    assert admin_client.get("/admin/labs/pregnancytest/add/").status_code == 403
