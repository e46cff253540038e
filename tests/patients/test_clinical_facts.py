"""Risk category history and weights."""

from datetime import date
from decimal import Decimal

import pytest

from patients.models import RiskCategory


def test_a_risk_category_change_needs_a_reason(prescriber, client_for, patient):
    response = client_for(prescriber).post(
        f"/patients/{patient.pk}/risk-category/",
        {"category": "cannot_get_pregnant", "effective_on": "2026-01-05", "reason": "  "},
    )
    assert response.status_code == 200
    assert "Say why" in response.context["form"].errors["reason"][0]
    assert not patient.risk_category_changes.exists()


def test_the_current_category_is_the_latest_by_effective_date_and_history_is_kept(prescriber, client_for, patient):
    client = client_for(prescriber)
    url = f"/patients/{patient.pk}/risk-category/"
    client.post(url, {"category": "cannot_get_pregnant", "effective_on": "2026-01-05", "reason": "Premenarchal"})
    client.post(url, {"category": "can_get_pregnant", "effective_on": "2026-03-01", "reason": "Menarche"})
    # A back-dated correction does not replace the newer assignment.
    client.post(url, {"category": "cannot_get_pregnant", "effective_on": "2025-12-01", "reason": "Back-dated"})
    patient.refresh_from_db()
    assert patient.risk_category == RiskCategory.CAN_GET_PREGNANT
    history = list(patient.risk_category_changes.values_list("category", "changed_by"))
    assert len(history) == 3
    assert {who for _, who in history} == {prescriber.pk}


def test_the_chart_shows_the_latest_risk_category_change_with_its_date_author_and_reason(
    prescriber, client_for, patient
):
    client = client_for(prescriber)
    url = f"/patients/{patient.pk}/risk-category/"
    client.post(url, {"category": "can_get_pregnant", "effective_on": "2026-03-01", "reason": "Menarche"})
    client.post(url, {"category": "cannot_get_pregnant", "effective_on": "2025-12-01", "reason": "Back-dated"})
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f"Since 2026-03-01, set by {prescriber.full_name}: Menarche" in page


@pytest.mark.parametrize(
    ("value", "unit", "kg"),
    [("65", "kg", Decimal("65.00")), ("143.3", "lb", Decimal("65.00")), ("44.1", "lb", Decimal("20.00"))],
)
def test_weights_entered_in_pounds_are_stored_in_kilograms_as_well_as_as_entered(
    clinical_staff, client_for, patient, value, unit, kg
):
    response = client_for(clinical_staff).post(
        f"/patients/{patient.pk}/weights/", {"value": value, "unit": unit, "measured_on": "2026-01-05"}
    )
    assert response.status_code == 302
    weight = patient.weights.get()
    assert weight.weight_kg == kg
    assert (str(weight.entered_value), weight.entered_unit) == (f"{Decimal(value):.2f}", unit)


@pytest.mark.parametrize(("value", "unit"), [("19.9", "kg"), ("301", "kg"), ("700", "lb"), ("-5", "kg")])
def test_implausible_weights_are_refused_next_to_the_field(clinical_staff, client_for, patient, value, unit):
    response = client_for(clinical_staff).post(
        f"/patients/{patient.pk}/weights/", {"value": value, "unit": unit, "measured_on": "2026-01-05"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    assert not patient.weights.exists()


def test_a_weight_dated_in_the_future_is_refused(clinical_staff, client_for, patient):
    response = client_for(clinical_staff).post(
        f"/patients/{patient.pk}/weights/", {"value": "60", "unit": "kg", "measured_on": str(date(2099, 1, 1))}
    )
    assert "future" in str(response.context["form"].errors)
