"""Browser test of a course: a prescriber starts one for a demo patient, changes the dose and
sees the figures move, then uses the what-if planner; the pages pass axe-core."""

import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.demo import seed_patients

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_start_a_course_change_the_dose_and_plan_with_the_what_if(page, login, prescriber):
    patient = seed_patients(count=1, rng=random.Random(3), prescriber=prescriber)[0]
    today = timezone.localdate()
    login(prescriber)

    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Start or plan a course").click()
    expect(page.get_by_role("heading", name=re.compile("Start or plan a course"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^First dose")).fill((today - timedelta(days=30)).isoformat())
    page.get_by_label(re.compile(r"^Daily dose")).fill("40")
    page.get_by_role("button", name="Save course").click()

    expect(page.locator("#course-state")).to_have_text("Active")
    expect(page.locator("#current-dose")).to_have_text("40 mg daily")
    mg_per_kg = page.locator("#mg-per-kg-to-date")
    projected_end = page.locator("#projected-end")
    before = (mg_per_kg.inner_text(), projected_end.inner_text())
    assert_accessible(page)

    page.get_by_label("New dose from").fill((today - timedelta(days=10)).isoformat())
    page.get_by_label(re.compile(r"^Daily dose")).fill("2 x 30")
    page.get_by_role("button", name="Save the new dose").click()

    expect(page.get_by_text("Dose changed.")).to_be_visible()
    expect(page.locator("#current-dose")).to_have_text("2 \u00d7 30 mg (60 mg) daily")
    expect(mg_per_kg).not_to_have_text(before[0])
    expect(projected_end).not_to_have_text(before[1])
    assert float(mg_per_kg.inner_text().split()[0]) > float(before[0].split()[0])
    assert projected_end.inner_text() < before[1]  # ISO dates: earlier sorts first
    rows = page.locator("#dose-history tbody tr")
    expect(rows).to_have_count(2)

    # The planner answers as the prescriber types, without saving anything.
    page.get_by_label("Reach it by").fill((today + timedelta(days=120)).isoformat())
    expect(page.locator("#what-if-dose")).to_contain_text("mg a day")
    page.get_by_label("Or at a daily dose of").fill("60")
    expect(page.locator("#what-if-date")).to_have_text(projected_end.inner_text())
    page.get_by_label("Or at a daily dose of").fill("80")
    expect(page.locator("#what-if-date")).not_to_have_text(projected_end.inner_text())
    expect(rows).to_have_count(2)
    assert_accessible(page)


def test_a_refused_dose_is_explained_next_to_the_field_in_the_browser(page, login, prescriber):
    patient = seed_patients(count=1, rng=random.Random(5), prescriber=prescriber)[0]
    login(prescriber)
    page.goto(f"/courses/patients/{patient.pk}/new/")
    page.get_by_label(re.compile(r"^Daily dose")).fill("15")
    page.get_by_role("button", name="Save course").click()
    expect(page.locator("#id_dose_error")).to_contain_text("15 mg cannot be made from 10, 20, 25, 30, 35, 40 mg")
    expect(page.get_by_label(re.compile(r"^Daily dose"))).to_have_attribute("aria-invalid", "true")
