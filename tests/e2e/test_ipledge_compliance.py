"""Browser test of the compliance data and the worklist (acceptance 5, the data half): a
patient who can get pregnant goes from registration through two methods, this month's test,
counseling and comprehension to "ready", then a prescription and an RMA authorization, with
the worklist following each step. (The "what to enter on iPLEDGE" page has its own test.)"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ipledge import status
from labs import services as labs_services
from patients.models import RiskCategory
from tests.courses.factories import start_course, with_weight
from tests.factories import PatientFactory, RiskCategoryChangeFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Email")).to_be_visible()


def worklist_state(page, patient):
    page.goto("/ipledge/worklist/")
    return page.get_by_role("row").filter(has_text=patient.last_name)


def test_a_patient_goes_from_registration_to_ready_to_a_prescription_and_an_authorization(
    page, login, clinical_staff, prescriber
):
    today = timezone.localdate()
    patient = PatientFactory(first_name="Quinn", last_name="Pledger", risk_category=RiskCategory.CAN_GET_PREGNANT)
    RiskCategoryChangeFactory(
        patient=patient, category=RiskCategory.CAN_GET_PREGNANT, effective_on=today - timedelta(days=300)
    )
    course = start_course(prescriber, with_weight(patient), start=today - timedelta(days=50))
    status.recompute([course.pk])

    login(clinical_staff)
    expect(page).to_have_url("/ipledge/worklist/")
    row = worklist_state(page, patient)
    expect(row.get_by_text("Action needed")).to_be_visible()
    expect(row).to_contain_text("Enrolled in iPLEDGE")
    assert_accessible(page)
    row.get_by_role("link", name="Pledger, Quinn").click()

    registered = (today - timedelta(days=90)).isoformat()
    form = page.locator("#enrollment-form")
    form.get_by_label("iPLEDGE patient ID").fill("1234567890")
    form.get_by_label("Registered in iPLEDGE on").fill(registered)
    form.get_by_label("Patient Information / Informed Consent signed on").fill(registered)
    form.get_by_label("Informed Consent About Birth Defects signed on").fill(registered)
    form.get_by_label("The prescriber is registered and certified in iPLEDGE").check()
    form.get_by_role("button", name="Save registration").click()
    expect(page.get_by_text("iPLEDGE registration saved.")).to_be_visible()
    expect(page.locator("#ipledge-id")).to_have_text("1234567890")
    expect(page.locator("#blocking-reasons")).not_to_contain_text("Enrolled in iPLEDGE")

    since = (today - timedelta(days=150)).isoformat()
    for method in ("Copper IUD", "Male condom"):
        page.get_by_text("Add a method").click()
        form = page.locator("#contraception-form")
        form.get_by_label("Method").select_option(label=method)
        form.get_by_label("In use since").fill(since)
        form.get_by_role("button", name="Add method").click()
        expect(page.get_by_text("Contraception method recorded.")).to_be_visible()
    expect(page.locator("#blocking-reasons")).not_to_contain_text("Two methods of contraception in use")

    labs_services.pregnancy_test_record(
        actor=clinical_staff,
        patient_id=patient.pk,
        collected_on=today - timedelta(days=1),
        test_type="urine",
        setting="office",
        result="negative",
        sensitivity_miu_ml=20,
        purpose="monthly",
    )
    page.reload()
    expect(page.locator("#blocking-reasons")).not_to_contain_text("Monthly pregnancy test")

    page.get_by_text("Record a confirmation").click()
    form = page.locator("#confirmation-form")
    form.get_by_label("Counseling confirmed in iPLEDGE on").fill(today.isoformat())
    form.get_by_label("Office entered: first method (primary)").select_option(label="Copper IUD")
    form.get_by_label("Office entered: second method").select_option(label="Male condom")
    form.get_by_label("Patient answered the comprehension questions on").fill(today.isoformat())
    form.get_by_label("Patient confirmed: first method").select_option(label="Copper IUD")
    form.get_by_label("Patient confirmed: second method").select_option(label="Male condom")
    form.get_by_role("button", name="Record confirmation").click()
    expect(page.get_by_text("Monthly confirmation recorded.")).to_be_visible()
    expect(page.locator("#compliance-state")).to_have_text("Ready to prescribe")
    assert_accessible(page)

    row = worklist_state(page, patient)
    expect(row.get_by_text("Ready to prescribe")).to_be_visible()
    log_out(page)

    login(prescriber)
    expect(page).to_have_url("/ipledge/worklist/")
    page.get_by_role("row").filter(has_text="Pledger").get_by_role("link", name="Pledger, Quinn").click()
    page.get_by_text("Record a prescription").click()
    form = page.locator("#prescription-form")
    form.get_by_label("Capsule strength (mg)").fill("30")
    form.get_by_label("Capsules a day").fill("2")
    form.get_by_label("Quantity (capsules)").fill("60")
    form.get_by_role("button", name="Record prescription").click()
    expect(page.get_by_text("Prescription recorded.")).to_be_visible()
    expect(page.locator("#prescriptions")).to_contain_text("30 mg (60 capsules)")
    log_out(page)

    login(clinical_staff)
    page.goto(f"/ipledge/patients/{patient.pk}/{course.pk}/")
    page.get_by_text("Record an authorization").click()
    form = page.locator("#authorization-form")
    form.get_by_label("RMA number").fill("RMA-777001")
    form.get_by_label("Do not dispense after").fill((today + timedelta(days=5)).isoformat())
    form.get_by_label("Days supply").fill("30")
    form.get_by_label("Quantity (capsules)").fill("60")
    form.get_by_label("Pharmacy").fill("CVS Pharmacy #1")
    form.get_by_role("button", name="Record authorization").click()
    expect(page.get_by_text("Authorization recorded.")).to_be_visible()
    expect(page.locator("#authorizations")).to_contain_text("RMA-777001")
    page.get_by_role("row", name="RMA-777001").get_by_role("button", name="Dispensed").click()
    expect(page.get_by_text("Dispensing recorded.")).to_be_visible()
    expect(page.locator("#authorizations")).to_contain_text("Dispensed")
    row = worklist_state(page, patient)
    expect(row).to_be_visible()
    assert_accessible(page)
