"""Browser tests of labs: a panel with a high triglyceride is flagged, charted and reviewed by a
prescriber; a home pregnancy test is recorded and verified by a second staff member
(acceptance 6)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PatientFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Email")).to_be_visible()


def test_a_high_triglyceride_is_flagged_charted_and_reviewed_by_a_prescriber(page, login, clinical_staff, prescriber):
    patient = PatientFactory(first_name="Robin", last_name="Lipid")
    collected = (timezone.localdate() - timedelta(days=3)).isoformat()

    login(clinical_staff)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("region", name="Labs and pregnancy tests").get_by_role("link", name="Enter results").click()
    page.get_by_label("Collection date").fill(collected)
    page.get_by_label("Performing lab").fill("Quest Diagnostics")
    triglycerides = page.get_by_role("group", name="Triglycerides", exact=True)
    triglycerides.get_by_label("Value").fill("620")
    triglycerides.get_by_label("Lab's high limit (ULN)").fill("149")
    cholesterol = page.get_by_role("group", name="Total cholesterol", exact=True)
    cholesterol.get_by_label("Value").fill("4.9")
    cholesterol.get_by_label("Unit").select_option("mmol/L")
    cholesterol.get_by_label("Lab's high limit (ULN)").fill("5.17")
    alt = page.get_by_role("group", name="ALT", exact=True)
    alt.get_by_label("Value").fill("31")
    alt.get_by_label("Lab's low limit").fill("0")
    alt.get_by_label("Lab's high limit (ULN)").fill("44")
    assert_accessible(page)
    page.get_by_role("button", name="Record results").click()

    expect(page.get_by_text("Results recorded.")).to_be_visible()
    row = page.get_by_role("row", name="Triglycerides")
    expect(row.get_by_text("High", exact=True)).to_be_visible()
    expect(row.get_by_text("High: above the lab's limit of 149 mg/dL")).to_be_visible()
    expect(row.get_by_text("Reduce dose and recheck")).to_be_visible()
    expect(page.get_by_role("row", name="Total cholesterol")).to_contain_text("= 189.5 mg/dL")
    chart = page.get_by_role("img", name="Triglycerides trend (mg/dL)")
    expect(chart).to_be_visible()
    expect(chart.locator(".trend-point-flagged")).to_have_count(1)
    expect(chart.locator(".trend-band")).to_have_count(1)
    expect(chart.locator(".trend-threshold")).to_contain_text(["Reduce dose and recheck"])
    assert_accessible(page)
    log_out(page)

    login(prescriber)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lab review").click()
    expect(page.get_by_role("row", name="Lipid, Robin")).to_contain_text("Reduce dose and recheck")
    assert_accessible(page)
    page.get_by_role("link", name="Review results of Lipid, Robin").click()
    page.get_by_label("Review comment").fill("Dose reduced to 40 mg daily; recheck in 2 weeks.")
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text("Results marked reviewed.")).to_be_visible()
    expect(page.get_by_role("row", name="Triglycerides").get_by_text("Reviewed", exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lab review").click()
    expect(page.get_by_text("No abnormal results are waiting for review.")).to_be_visible()


def test_a_home_pregnancy_test_is_recorded_then_verified_by_a_second_person(page, login, clinical_staff, prescriber):
    patient = PatientFactory(first_name="Casey", last_name="Home")
    collected = (timezone.localdate() - timedelta(days=1)).isoformat()

    login(clinical_staff)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("region", name="Labs and pregnancy tests").get_by_role("link", name="Pregnancy tests").click()
    page.get_by_role("link", name="Record a pregnancy test").first.click()
    page.get_by_label("Specimen collection date").fill(collected)
    page.get_by_label("Urine").check()
    page.get_by_label("Home").check()
    page.get_by_label("Negative").check()
    page.get_by_label("Sensitivity (mIU/mL)").fill("20")
    page.get_by_label("Purpose").select_option("monthly")
    assert_accessible(page)
    page.get_by_role("button", name="Record test").click()

    expect(page.get_by_text("Pregnancy test recorded.")).to_be_visible()
    row = page.get_by_role("row", name=collected)
    expect(row.get_by_text("Negative, does not count yet")).to_be_visible()
    expect(row.get_by_text("Awaiting verification")).to_be_visible()
    assert_accessible(page)
    log_out(page)

    login(prescriber)
    page.goto(f"/labs/patients/{patient.pk}/pregnancy-tests/")
    page.get_by_role("link", name=f"Verify the home test collected {collected}").click()
    page.get_by_label("Observed by video").check()
    page.get_by_label("Verification note").fill("Patient showed the test on a video call.")
    assert_accessible(page)
    page.get_by_role("button", name="Verify test").click()

    expect(page.get_by_text("Home test verified.")).to_be_visible()
    row = page.get_by_role("row", name=collected)
    expect(row.get_by_text("Verified", exact=True)).to_be_visible()
    expect(row.get_by_text("Negative", exact=True)).to_be_visible()
