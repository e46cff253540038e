"""The labs panel of the patient chart: clinical roles see alerts with values; front desk sees
what is due and statuses, never values or results (acceptance 7)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from .factories import LabResultFactory, PregnancyTestFactory, SpecimenFactory, analyte


@pytest.fixture
def due_patient(patient, time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 10, 10, 0)), tick=False)
    specimen = SpecimenFactory(patient=patient, collected_on=date(2026, 3, 2))
    LabResultFactory(specimen=specimen, value=Decimal(620))
    LabResultFactory(specimen=specimen, analyte=analyte("alt"), value=Decimal(20), reference_high=Decimal(44))
    PregnancyTestFactory(patient=patient, collected_on=date(2026, 3, 5), setting="home")
    return patient


def labs_panel(client, patient) -> str:
    html = client.get(f"/patients/{patient.pk}/").content.decode()
    return html.split('<section class="panel labs-panel"', 1)[1].split("</section>", 1)[0]


def test_front_desk_sees_that_labs_and_a_test_are_due_but_no_values_or_results(front_desk, client_for, due_patient):
    panel = labs_panel(client_for(front_desk), due_patient)
    assert "Lab tests: by <strong>2026-03-16</strong>" in panel  # recheck 14 days after the abnormal result
    assert "Home pregnancy test collected 2026-03-05" in panel and "Awaiting verification" in panel
    assert "Awaiting prescriber review" in panel
    for clinical in ("620", "mg/dL", "Triglycerides", "ALT", "Reduce dose", "High", "Negative", "Positive", "Recheck"):
        assert clinical not in panel, clinical
    assert 'href="/labs/' not in panel  # no links to pages front desk may not open


def test_clinical_staff_see_the_values_flags_and_alerts(clinical_staff, client_for, due_patient):
    panel = labs_panel(client_for(clinical_staff), due_patient)
    assert "<strong>Reduce dose and recheck</strong>: Triglycerides 620 mg/dL on 2026-03-02" in panel
    assert "Recheck after an abnormal result (Triglycerides): by <strong>2026-03-16</strong>" in panel
    assert "Awaiting prescriber review" in panel
    assert "Latest results" in panel and "20 U/L" in panel


def test_an_overdue_recheck_is_marked_overdue(front_desk, client_for, due_patient, time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 17, 10, 0)), tick=False)
    assert "Overdue" in labs_panel(client_for(front_desk), due_patient)


def test_a_normal_recheck_clears_the_due_item(clinical_staff, client_for, due_patient):
    LabResultFactory(specimen=SpecimenFactory(patient=due_patient, collected_on=date(2026, 3, 9)), value=Decimal(140))
    panel = labs_panel(client_for(clinical_staff), due_patient)
    assert "Recheck after an abnormal result" not in panel


def test_a_patient_without_labs_shows_nothing_due(front_desk, client_for, patient):
    assert "Nothing due from labs or tests on record." in labs_panel(client_for(front_desk), patient)
