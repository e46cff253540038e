"""Browser test (issue 6, acceptance 6): front desk finds a patient on the "due for a visit"
list, books the suggested slot and sees it on the day schedule; clinical staff then see the
visit reminder pending on the patient's chart."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.visits.models import Visit
from tests.courses.factories import CourseFactory
from tests.factories import PatientFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_front_desk_books_the_suggested_slot_and_the_reminder_shows_pending(
    page, login, settings, front_desk, clinical_staff, prescriber
):
    today = timezone.localdate()
    # The clinic is closed today, so the suggested slot is tomorrow or later and its reminders
    # ("tomorrow" at least) are still to be sent whatever the time of day the test runs.
    settings.CLINIC_DAYS = [d for d in range(7) if d != today.weekday()]
    patient = PatientFactory(first_name="Robin", last_name="Okonkwo")
    CourseFactory(patient=patient, prescriber=prescriber, planned_start=today - timedelta(days=30))

    login(front_desk)
    expect(page).to_have_url("/visits/day/")
    page.get_by_role("link", name="Due for a visit").first.click()
    row = page.get_by_role("row").filter(has_text="Okonkwo")
    expect(row).to_contain_text(f"{today - timedelta(days=2):%Y-%m-%d} to {today + timedelta(days=5):%Y-%m-%d}")
    assert_accessible(page)
    row.get_by_role("link", name="Book").click()
    expect(page.get_by_role("heading", name="Book a visit: Robin Okonkwo")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Book visit").click()

    visit = Visit.objects.get(patient=patient)
    local = timezone.localtime(visit.starts_at)
    assert local.date() > today and visit.clinician_id == prescriber.pk
    expect(page.get_by_role("status")).to_contain_text("Visit booked")
    column = page.get_by_role("region", name=prescriber.full_name)
    expect(column.get_by_role("listitem").filter(has_text="Okonkwo")).to_contain_text(f"{local:%H:%M}")
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    login(clinical_staff)
    page.goto(f"/patients/{patient.pk}/")
    reminders = page.get_by_role("region", name="Reminders")
    expect(reminders.get_by_role("listitem").filter(has_text="Visit tomorrow")).to_contain_text("Pending")
    expect(page.get_by_role("region", name="Visits")).to_contain_text(f"{local:%Y-%m-%d %H:%M}")
