"""Browser test of acceptance 5: a patient who can get pregnant goes from enrollment through
two negative tests, contraception, confirmations and comprehension to "ready", a prescription
and an RMA authorization; the worklist and the "what to enter on iPLEDGE" list follow each
step. Every fact goes in through its page (the risk category, the iPLEDGE compliance page's
forms, the labs' pregnancy test form); only the course itself is planned through its service,
as the course pages have their own browser test."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.courses.factories import plan_course, with_weight
from tests.factories import PatientFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e


def iso(day) -> str:
    return day.isoformat()


def worklist_row(page: Page, course):
    page.goto("/ipledge/worklist/")
    return page.locator(f'#worklist tr[data-course="{course.pk}"]')


def entries_row(page: Page, course):
    page.goto("/ipledge/entries/")
    return page.locator(f"#entries-course-{course.pk}")


def record_test(page: Page, patient, day, *, setting: str, test_type: str, purpose: str, lab: bool):
    page.goto(f"/labs/patients/{patient.pk}/pregnancy-tests/new/")
    page.get_by_label("Specimen collection date").fill(iso(day))
    page.get_by_label(test_type, exact=True).check()
    page.get_by_label(setting, exact=True).check()
    if lab:
        page.get_by_label("Lab name").fill("Quest Diagnostics")
        page.get_by_label("CLIA number").fill("05D0642827")
    page.get_by_label("Negative", exact=True).check()
    page.get_by_label("Sensitivity (mIU/mL)").fill("25")
    page.get_by_label("Purpose").select_option(label=purpose)
    page.get_by_role("button", name="Record test").click()
    expect(page).to_have_url(f"/labs/patients/{patient.pk}/pregnancy-tests/")


def test_a_patient_who_can_get_pregnant_reaches_ready_a_prescription_and_an_authorization(page, login, prescriber):
    today = timezone.localdate()
    patient = with_weight(PatientFactory())
    login(prescriber)

    # The prescriber assigns the risk category on the chart's page for it.
    page.goto(f"/patients/{patient.pk}/risk-category/")
    page.get_by_label("Can get pregnant").check()
    page.get_by_label("Effective on").fill(iso(today - timedelta(days=80)))
    page.get_by_label("Reason").fill("Initial assessment")
    page.get_by_role("button", name="Record category").click()
    course = plan_course(prescriber, patient, planned_start=today + timedelta(days=3))
    compliance = f"/ipledge/patients/{patient.pk}/{course.pk}/"

    expect(worklist_row(page, course)).to_contain_text("Not started")
    expect(entries_row(page, course)).to_contain_text("record them first")

    # 1. Enrollment.
    page.goto(compliance)
    form = page.locator("#enrollment-form")
    form.get_by_label("iPLEDGE patient ID").fill("1234567890")
    enrolled = iso(today - timedelta(days=70))
    form.get_by_label("Registered in iPLEDGE on").fill(enrolled)
    form.get_by_label("Patient Information / Informed Consent signed on").fill(enrolled)
    form.get_by_label("Informed Consent About Birth Defects signed on").fill(enrolled)
    form.get_by_label("The prescriber is registered and certified in iPLEDGE").check()
    form.get_by_role("button", name="Save registration").click()
    expect(page.locator("#ipledge-id")).to_have_text("1234567890")
    row = worklist_row(page, course)
    expect(row).to_contain_text("Action needed")
    expect(row).to_contain_text("Screening pregnancy test")

    # 2. Two methods of contraception for two months.
    for method in ("Copper IUD", "Male condom"):
        page.goto(compliance)
        form = page.locator("#contraception-form")
        form.locator("xpath=ancestor::details").locator("summary").click()
        form.get_by_label("Method").select_option(label=method)
        form.get_by_label("In use since").fill(enrolled)
        form.get_by_role("button", name="Add method").click()
        expect(page.get_by_text("Add a method")).to_be_visible()
    row = entries_row(page, course)
    expect(row).to_contain_text("Copper IUD")
    expect(row).to_contain_text("Male condom")

    # 3. The screening test, in the office, 35 days ago.
    record_test(
        page,
        patient,
        today - timedelta(days=35),
        setting="Office or clinic",
        test_type="Urine",
        purpose="Screening (test 1)",
        lab=False,
    )
    row = worklist_row(page, course)
    expect(row).to_contain_text("Action needed")
    expect(row).to_contain_text("Confirmation pregnancy test")
    expect(row).not_to_contain_text("Screening pregnancy test")
    expect(entries_row(page, course)).to_contain_text("collect this month's test first")

    # 4. The confirmation test, in a CLIA-certified lab, today: the 7-day window opens.
    record_test(
        page,
        patient,
        today,
        setting="CLIA-certified lab",
        test_type="Serum (blood)",
        purpose="Confirmation (test 2)",
        lab=True,
    )
    row = worklist_row(page, course)
    expect(row).not_to_contain_text("Confirmation pregnancy test")
    expect(row).to_contain_text("Counseling")
    row = entries_row(page, course)
    expect(row).to_contain_text(f"Specimen collected {today.day} ")
    expect(row).to_contain_text("Comprehension questions")
    assert_accessible(page)

    # 5. Counseling with the office's methods, the patient's comprehension with the same methods.
    page.goto(compliance)
    form = page.locator("#confirmation-form")
    if not form.is_visible():
        form.locator("xpath=ancestor::details").locator("summary").click()
    form.get_by_label("Counseling confirmed in iPLEDGE on").fill(iso(today))
    form.get_by_label("Office entered: first method (primary)").select_option(label="Copper IUD")
    form.get_by_label("Office entered: second method").select_option(label="Male condom")
    form.get_by_label("Patient answered the comprehension questions on").fill(iso(today))
    form.get_by_label("Patient confirmed: first method").select_option(label="Copper IUD")
    form.get_by_label("Patient confirmed: second method").select_option(label="Male condom")
    form.get_by_role("button", name="Record confirmation").click()
    expect(page.locator("#compliance-state")).to_have_text("Ready to prescribe")
    expect(page.locator("#ready-note")).to_be_visible()
    expect(worklist_row(page, course)).to_contain_text("Ready to prescribe")

    # What is left to type into iPLEDGE: the test result; staff tick it as entered (htmx).
    row = entries_row(page, course)
    expect(row).to_contain_text("Pregnancy test")
    expect(row).not_to_contain_text("Counseling")
    row.get_by_role("link").click()
    assert_accessible(page)
    entry = page.locator("#entry-pregnancy-test")
    entry.get_by_role("button", name="Tick Pregnancy test as entered").click()
    expect(entry).to_contain_text(f"Entered {iso(today)}")
    expect(entry).to_contain_text(prescriber.full_name)
    page.goto("/ipledge/entries/")
    expect(page.locator(f"#entries-course-{course.pk}")).to_have_count(0)
    expect(page.locator("#no-entries")).to_be_visible()

    # 6. The prescription (the course is ready: no override needed).
    page.goto(compliance)
    form = page.locator("#prescription-form")
    if not form.is_visible():
        form.locator("xpath=ancestor::details").locator("summary").click()
    form.get_by_label("Written on").fill(iso(today))
    form.get_by_label("Capsule strength (mg)").fill("30")
    form.get_by_label("Capsules a day").fill("2")
    form.get_by_label("Days supply").fill("30")
    form.get_by_label("Quantity (capsules)").fill("60")
    form.get_by_role("button", name="Record prescription").click()
    expect(page.get_by_text("Prescription recorded")).to_be_visible()
    row = worklist_row(page, course)
    expect(row).to_contain_text("Ready to prescribe")
    expect(row).to_contain_text(iso(today + timedelta(days=6)))  # pickup by: the window's last day
    expect(entries_row(page, course)).to_have_count(0)

    # 7. The pharmacy's RMA authorization.
    page.goto(compliance)
    form = page.locator("#authorization-form")
    if not form.is_visible():
        form.locator("xpath=ancestor::details").locator("summary").click()
    form.get_by_label("RMA number").fill("RMA-0001-TEST")
    form.get_by_label("Obtained on").fill(iso(today))
    form.get_by_label("Do not dispense after").fill(iso(today + timedelta(days=6)))
    form.get_by_label("Days supply").fill("30")
    form.get_by_label("Quantity (capsules)").fill("60")
    form.get_by_label("Pharmacy").fill("Main Street Pharmacy")
    form.get_by_role("button", name="Record authorization").click()
    expect(page.get_by_text("RMA-0001-TEST").first).to_be_visible()
    expect(worklist_row(page, course)).to_contain_text(iso(today + timedelta(days=6)))
    expect(entries_row(page, course)).to_have_count(0)

    # The therapy calendar shows the open window and the planned start as upcoming.
    page.goto(f"/ipledge/patients/{patient.pk}/{course.pk}/calendar/")
    expect(page.locator("#upcoming-events")).to_contain_text("7-day prescription window")
    expect(page.locator("#past-events")).to_contain_text("Screening pregnancy test")
    assert_accessible(page)

    # The printable summary holds the course's prescription and authorization.
    page.goto(f"/ipledge/patients/{patient.pk}/{course.pk}/summary/")
    expect(page.locator("#summary-prescriptions")).to_contain_text("2 \u00d7 30 mg")
    expect(page.locator("#summary-authorizations")).to_contain_text("RMA-0001-TEST")
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator(".panel-links").first).to_be_hidden()
