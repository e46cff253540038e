"""The clinic's iPLEDGE settings and catalogs in the Django admin (patient facts read-only), and
the demo data: registered courses in a mix of states."""

import random
from collections import Counter

import pytest
import time_machine

from accounts.models import Role
from ipledge.demo import seed_ipledge
from ipledge.models import (
    Authorization,
    ContraceptionMethod,
    CourseStatus,
    Enrollment,
    InteractingMedication,
    IpledgeSettings,
    Prescription,
)
from patients.models import Patient
from tests.courses.factories import start_course, with_weight
from tests.factories import PatientFactory, RiskCategoryChangeFactory, UserFactory

from .records import NOON, days_before, negative_test

pytestmark = pytest.mark.django_db

MODELS = [
    "ipledgesettings",
    "contraceptionmethod",
    "interactingmedication",
    "enrollment",
    "contraceptionuse",
    "abstinencecommitment",
    "concomitantmedication",
    "monthlyconfirmation",
    "prescription",
    "authorization",
    "entrytick",
    "coursestatus",
]


def test_the_catalogs_are_seeded_with_the_domain_lists():
    kinds = dict(ContraceptionMethod.objects.values_list("code", "kind"))
    assert kinds["progestin_only_pill"] == "unacceptable"
    assert kinds["iud_copper"] == kinds["tubal_sterilization"] == kinds["combined_pill"] == "primary"
    assert kinds["male_condom"] == kinds["vaginal_sponge"] == "secondary"
    assert ContraceptionMethod.objects.get(code="vaginal_ring").is_hormonal
    interactions = dict(InteractingMedication.objects.values_list("name", "interaction"))
    assert interactions["Doxycycline"] == interactions["Sarecycline"] == "tetracycline"
    assert interactions["Vitamin A supplement"] == "vitamin_a_retinoid"
    assert interactions["St John's wort"] == "st_johns_wort"
    row = IpledgeSettings.current()
    assert (row.rems_2026_effective_on.isoformat(), row.days_between_pretreatment_tests) == ("2026-08-08", 30)


def test_admins_edit_the_settings_audited_and_patient_facts_are_read_only(admin_user, client_for):
    client = client_for(admin_user)
    for model in MODELS:
        assert client.get(f"/admin/ipledge/{model}/").status_code == 200, model
    for model in MODELS[3:]:
        assert client.get(f"/admin/ipledge/{model}/add/").status_code == 403, model
    assert client.get("/admin/ipledge/ipledgesettings/add/").status_code == 403  # one row only
    response = client.post(
        "/admin/ipledge/ipledgesettings/1/change/",
        {
            "rems_2026_effective_on": "2026-09-01",
            "days_between_pretreatment_tests": "19",
            "cannot_get_pregnant_window": "visit_plus_30",
            "rems_2021_home_tests_tolerated": "on",
            "rems_2026_home_tests_allowed": "on",
            "requalify_after_category_change": "on",
            "post_treatment_test_days": "30",
            "post_treatment_test_grace_days": "7",
            "visit_window_days": "7",
            "pickup_closing_days": "2",
        },
    )
    assert response.status_code == 302
    rules = IpledgeSettings.current().rules()
    assert rules.rems_2026_effective_on.isoformat() == "2026-09-01" and rules.days_between_pretreatment_tests == 19
    change = IpledgeSettings.current().events.filter(pgh_label="update").get()
    assert change.pgh_context.metadata["user"] == admin_user.pk


def test_fewer_than_19_days_between_the_tests_is_refused_in_the_admin(admin_user, client_for):
    response = client_for(admin_user).post(
        "/admin/ipledge/ipledgesettings/1/change/",
        {
            "rems_2026_effective_on": "2026-08-08",
            "days_between_pretreatment_tests": "14",
            "cannot_get_pregnant_window": "visit_is_day_1",
            "post_treatment_test_days": "30",
            "post_treatment_test_grace_days": "7",
            "visit_window_days": "7",
            "pickup_closing_days": "2",
        },
    )
    assert response.status_code == 200
    assert IpledgeSettings.current().days_between_pretreatment_tests == 30


def test_the_demo_registers_courses_records_months_and_computes_a_mix_of_states():
    prescriber, nurse = UserFactory(role=Role.PRESCRIBER), UserFactory(role=Role.CLINICAL_STAFF)
    with time_machine.travel(NOON, tick=False):
        patients = []
        for n in range(30):
            category = "can_get_pregnant" if n % 3 else "cannot_get_pregnant"
            patient = PatientFactory(risk_category=category, ipledge_patient_id=f"80000{n:05d}")
            RiskCategoryChangeFactory(patient=patient, category=category, effective_on=days_before(400))
            start_course(prescriber, with_weight(patient), start=days_before(20 + n * 3))
            if category == "can_get_pregnant":
                for back in range(3 + n * 3, 20 + n * 3, 30):
                    negative_test(nurse, patient, days_before(back))
            patients.append(patient)
        counts = seed_ipledge(
            patients=list(Patient.objects.filter(pk__in=[p.pk for p in patients])), rng=random.Random(5), staff=nurse
        )
    assert counts["Enrollment"] == Enrollment.objects.count() == 30
    assert Prescription.objects.exists() and Authorization.objects.exists()
    states = Counter(CourseStatus.objects.values_list("state", flat=True))
    assert sum(states.values()) == 30
    assert states["ready"] and states["action_needed"], states
