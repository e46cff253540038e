"""Entering a panel of results, flags and thresholds, and prescriber review (acceptance 2)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from threading import Barrier

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from pghistory.models import Events

from accounts.models import Role
from labs import services
from labs.models import LabResult, LabSpecimen
from labs.selectors import unreviewed_abnormal_results
from tests.factories import PatientFactory, UserFactory

from .factories import analyte
from .helpers import HIGH_TG_PANEL, panel_data


def enter(client, patient, results, **specimen):
    return client.post(f"/labs/patients/{patient.pk}/panel/", panel_data(results, **specimen))


def record_one(actor, patient, code: str, value: int, high: int) -> LabSpecimen:
    """One result through the service, as the panel form would record it."""
    entry = services.ResultEntry(
        analyte_id=analyte(code).pk, value=Decimal(value), unit="mg/dL", reference_high=Decimal(high)
    )
    return services.lab_panel_record(
        actor=actor,
        patient_id=patient.pk,
        collected_on=date(2026, 3, 2),
        fasting=True,
        performing_lab="Labcorp",
        results=[entry],
    )


@pytest.mark.parametrize(
    "tg",
    [("620", "mg/dL", "", "149"), ("7.0", "mmol/L", "", "1.69")],
    ids=["mg/dL", "mmol/L"],
)
def test_a_lipid_panel_with_triglycerides_of_620_alerts_on_the_chart_and_waits_for_review_until_reviewed(
    clinical_staff, prescriber, client_for, patient, tg
):
    nurse, doctor = client_for(clinical_staff), client_for(prescriber)
    response = enter(nurse, patient, {**HIGH_TG_PANEL, "tg": tg})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""

    specimen = LabSpecimen.objects.get(patient=patient)
    assert specimen.results.count() == 6  # lipids and liver tests of one specimen, one submission
    result = specimen.results.get(analyte__code="tg")
    assert (result.value, result.unit) == (Decimal(tg[0]), tg[1])  # stored as entered
    assert (result.flag, result.action, result.abnormal) == ("high", "Reduce dose and recheck", True)

    chart = nurse.get(f"/patients/{patient.pk}/").content.decode()
    assert "Reduce dose and recheck" in chart
    assert "Triglycerides" in chart
    review_list = doctor.get("/labs/review/").content.decode()
    assert patient.list_name in review_list and "Reduce dose and recheck" in review_list
    assert unreviewed_abnormal_results([patient.pk], date(2026, 3, 2))[patient.pk]

    response = doctor.post(
        f"/labs/patients/{patient.pk}/specimens/{specimen.pk}/review/",
        {f"specimen-{specimen.pk}-comment": "Dose reduced to 40 mg; recheck in 2 weeks."},
    )
    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.reviewed_by, result.review_comment) == (prescriber, "Dose reduced to 40 mg; recheck in 2 weeks.")
    assert patient.list_name not in doctor.get("/labs/review/").content.decode()
    assert "Reduce dose and recheck" not in nurse.get(f"/patients/{patient.pk}/").content.decode()
    assert unreviewed_abnormal_results([patient.pk], timezone.localdate()) == {}


def test_recording_a_result_at_a_threshold_says_so_at_once(clinical_staff, client_for, patient):
    response = client_for(clinical_staff).post(
        f"/labs/patients/{patient.pk}/panel/", panel_data(HIGH_TG_PANEL), follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Results recorded.",
        "Triglycerides 620 mg/dL: Reduce dose and recheck.",
    ]


def test_a_value_entered_in_mmol_is_shown_as_entered_and_converted(clinical_staff, client_for, patient):
    client = client_for(clinical_staff)
    enter(client, patient, {"tg": ("7.0", "mmol/L", "", "1.69")})
    page = client.get(f"/labs/patients/{patient.pk}/").content.decode()
    assert "7 mmol/L" in page and "= 620 mg/dL" in page
    assert "High: above the lab&#x27;s limit of 1.69 mmol/L" in page


def test_triglycerides_of_900_call_for_holding_treatment(clinical_staff, client_for, patient):
    enter(client_for(clinical_staff), patient, {"tg": ("900", "mg/dL", "", "149")})
    result = LabResult.objects.get(patient=patient)
    assert (result.action, result.action_severity) == ("Hold treatment", "hold")


def test_alt_above_three_times_the_labs_upper_limit_calls_for_hold_and_recheck(clinical_staff, client_for, patient):
    enter(client_for(clinical_staff), patient, {"alt": ("100", "U/L", "0", "30"), "ast": ("100", "U/L", "0", "40")})
    actions = dict(LabResult.objects.filter(patient=patient).values_list("analyte__code", "action"))
    assert actions == {"alt": "Hold and recheck", "ast": ""}  # 100 > 3 x 30, but not > 3 x 40


@pytest.mark.parametrize(
    ("results", "specimen", "field", "message"),
    [
        ({"tg": ("-5", "mg/dL", "", "149")}, {}, "tg_value", "cannot be negative"),
        ({"tg": ("10500", "mg/dL", "", "149")}, {}, "tg_value", "not physiologically possible"),
        ({"tg": ("120", "mmol/L", "", "1.7")}, {}, "tg_value", "not physiologically possible"),
        ({"alt": ("12000", "U/L", "0", "44")}, {}, "alt_value", "ALT above 10,000 U/L"),
        ({"alt": ("30", "U/L", "60", "44")}, {}, "alt_reference_low", "low end of the lab's range is above"),
        ({"alt": ("30", "U/L", "7", "")}, {}, "alt_reference_high", "upper limit of normal"),
        ({"tg": ("120", "mg/dL", "", "")}, {}, "tg_reference_high", "Copy the reference range"),
        ({"tg": ("", "mg/dL", "", "149")}, {}, "tg_value", "Enter the value, or clear the reference range"),
        ({"tg": ("lots", "mg/dL", "", "149")}, {}, "tg_value", "Enter a number"),
        ({"alt": ("30", "mmol/L", "0", "44")}, {}, "alt_unit", "Select a valid choice"),
        (HIGH_TG_PANEL, {"collected_on": str(date.today() + timedelta(days=3))}, "collected_on", "future"),
        (HIGH_TG_PANEL, {"performing_lab": ""}, "performing_lab", "required"),
        ({}, {}, "__all__", "Enter at least one result"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    clinical_staff, client_for, patient, results, specimen, field, message
):
    data = panel_data(results)
    data.update(specimen)
    response = client_for(clinical_staff).post(f"/labs/patients/{patient.pk}/panel/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    html = response.content.decode()
    if field != "__all__":
        assert f'id="id_{field}_error"' in html  # rendered next to its field
    assert not LabSpecimen.objects.exists() and not LabResult.objects.exists()


def test_every_bad_row_is_reported_at_once(clinical_staff, client_for, patient):
    data = panel_data({"tg": ("-1", "mg/dL", "", "149"), "alt": ("30", "U/L", "50", "40")})
    errors = client_for(clinical_staff).post(f"/labs/patients/{patient.pk}/panel/", data).context["form"].errors
    assert {"tg_value", "alt_reference_low"} <= set(errors)


def test_the_panel_form_offers_mmol_for_lipids_only(clinical_staff, client_for, patient):
    form = client_for(clinical_staff).get(f"/labs/patients/{patient.pk}/panel/").context["form"]
    assert [c[0] for c in form.fields["ldl_unit"].choices] == ["mg/dL", "mmol/L"]
    assert [c[0] for c in form.fields["ast_unit"].choices] == ["U/L"]


def test_a_threshold_result_needs_a_review_comment(prescriber, clinical_staff, client_for, patient):
    enter(client_for(clinical_staff), patient, HIGH_TG_PANEL)
    specimen = LabSpecimen.objects.get()
    response = client_for(prescriber).post(
        f"/labs/patients/{patient.pk}/specimens/{specimen.pk}/review/", {f"specimen-{specimen.pk}-comment": " "}
    )
    assert response.status_code == 200
    assert f'id="id_specimen-{specimen.pk}-comment_error"' in response.content.decode()
    assert not LabResult.objects.filter(reviewed_at__isnull=False).exists()


def test_a_specimen_without_threshold_hits_can_be_reviewed_without_comment(prescriber, patient):
    specimen = record_one(prescriber, patient, "chol", 250, 199)
    reviewed = services.lab_specimen_review(actor=prescriber, specimen_id=specimen.pk, comment="")
    assert [r.flag for r in reviewed] == ["high"]


def test_a_second_review_of_the_same_results_is_refused_and_keeps_the_first(prescriber, clinical_staff, patient):
    specimen = record_one(clinical_staff, patient, "tg", 700, 149)
    services.lab_specimen_review(actor=prescriber, specimen_id=specimen.pk, comment="Halved the dose.")
    with pytest.raises(ValidationError, match="already reviewed"):
        services.lab_specimen_review(actor=prescriber, specimen_id=specimen.pk, comment="Something else.")
    assert LabResult.objects.get().review_comment == "Halved the dose."


def test_only_a_prescriber_may_review(clinical_staff, patient):
    specimen = record_one(clinical_staff, patient, "tg", 700, 149)
    with pytest.raises(PermissionDenied):
        services.lab_specimen_review(actor=clinical_staff, specimen_id=specimen.pk, comment="Fine")


def test_entering_and_reviewing_results_is_audited_with_the_user_and_page(
    clinical_staff, prescriber, client_for, patient
):
    enter(client_for(clinical_staff), patient, HIGH_TG_PANEL)
    specimen = LabSpecimen.objects.get()
    client_for(prescriber).post(
        f"/labs/patients/{patient.pk}/specimens/{specimen.pk}/review/", {f"specimen-{specimen.pk}-comment": "Seen."}
    )
    tg = LabResult.objects.get(analyte__code="tg")
    events = list(Events.objects.tracks(tg).order_by("pgh_created_at", "pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events[0].pgh_context["user"] == clinical_staff.pk
    assert events[0].pgh_context["url"] == f"/labs/patients/{patient.pk}/panel/"
    assert events[1].pgh_context["user"] == prescriber.pk
    assert events[1].pgh_diff["review_comment"] == ["", "Seen."]
    # The patient's audit page finds them through the patient key.
    assert Events.objects.references(patient).filter(pgh_model="labs.LabResultEvent").count() == 12


def test_two_prescribers_reviewing_at_once_produce_one_review(transactional_db, clinical_staff):
    patient = PatientFactory()
    doctors = UserFactory.create_batch(2, role=Role.PRESCRIBER)
    specimen = record_one(clinical_staff, patient, "tg", 700, 149)
    barrier = Barrier(2)

    def review(doctor):
        try:
            barrier.wait()  # both start together; the row lock lets one through first
            services.lab_specimen_review(actor=doctor, specimen_id=specimen.pk, comment=f"Decision of {doctor.pk}")
            return "reviewed"
        except ValidationError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(review, doctors))
    assert outcomes == ["refused", "reviewed"]
    result = LabResult.objects.get()
    assert result.review_comment == f"Decision of {result.reviewed_by_id}"
