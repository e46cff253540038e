"""Browser tests of the foundation: each role's navigation, registering and finding a patient,
the duplicate-MRN message, and accessibility of the core pages."""

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.factories import PatientFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.PRESCRIBER, ["Patients"], ["Admin"]),
        (Role.CLINICAL_STAFF, ["Patients"], ["Admin"]),
        (Role.FRONT_DESK, ["Patients", "Schedule", "Due for a visit"], ["Admin", "Lab review"]),
        (Role.ADMIN, ["Patients", "Admin"], []),
    ],
)
def test_each_role_logs_in_and_sees_its_navigation(page, login, personas, role, visible, hidden):
    login(personas[role])
    nav = page.get_by_role("navigation", name="Main")
    for label in visible:
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    for label in hidden:
        expect(nav.get_by_role("link", name=label)).to_have_count(0)
    expect(page.locator(".role-badge")).to_have_text(personas[role].role_label)


def test_register_a_patient_find_them_by_mrn_and_open_the_chart(page, login, front_desk):
    login(front_desk)  # front desk starts on the day schedule
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="Register a patient").first.click()
    page.get_by_label("Medical record number").fill("e2e-1001")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Okonkwo")
    page.get_by_label("Date of birth").fill("1999-08-21")
    page.get_by_label("Email", exact=True).fill("robin@example.com")
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", name="Robin Okonkwo")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    page.get_by_label("Search by name, MRN, iPLEDGE ID or date of birth").fill("E2E-1001")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_contain_text("1 patient")
    page.get_by_role("link", name="Okonkwo, Robin").click()
    expect(page.get_by_text("MRN E2E-1001")).to_be_visible()


def test_a_duplicate_mrn_is_shown_next_to_the_field(page, login, front_desk):
    PatientFactory(mrn="DUP-1")
    login(front_desk)
    page.goto("/patients/new/")
    page.get_by_label("Medical record number").fill("dup-1")
    page.get_by_label("First name").fill("Casey")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Date of birth").fill("1995-01-02")
    page.get_by_label("Email", exact=True).fill("casey@example.com")
    page.get_by_role("button", name="Register patient").click()
    error = page.locator("#id_mrn_error")
    expect(error).to_have_text("Another patient already has this MRN.")
    expect(page.get_by_label("Medical record number")).to_have_attribute("aria-invalid", "true")


def test_the_core_pages_have_no_serious_accessibility_violations(page, login, front_desk):
    patient = PatientFactory()
    page.goto("/accounts/login/")
    assert_accessible(page)
    login(front_desk)
    for url in ("/patients/", "/patients/new/", f"/patients/{patient.pk}/", f"/patients/{patient.pk}/edit/"):
        page.goto(url)
        assert_accessible(page)
