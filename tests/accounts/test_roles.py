"""The permission matrix for the foundation's pages: each role sees what it may use, gets 403
on what it may not, and 404 on a patient that does not exist."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role

ALL_ROLES = [Role.PRESCRIBER, Role.CLINICAL_STAFF, Role.FRONT_DESK, Role.ADMIN]

# page -> roles allowed (GET)
MATRIX = {
    "/patients/": ALL_ROLES,
    "/patients/new/": [Role.PRESCRIBER, Role.CLINICAL_STAFF, Role.FRONT_DESK],
    "/patients/{id}/": ALL_ROLES,
    "/patients/{id}/edit/": [Role.PRESCRIBER, Role.CLINICAL_STAFF, Role.FRONT_DESK],
    "/patients/{id}/risk-category/": [Role.PRESCRIBER],
    "/patients/{id}/weights/": [Role.PRESCRIBER, Role.CLINICAL_STAFF],
    "/patients/{id}/history/": [Role.ADMIN],
    "/system/": [Role.ADMIN],
}


def _cases():
    for page, allowed in MATRIX.items():
        for role in ALL_ROLES:
            yield pytest.param(page, role, role in allowed, id=f"{role}-{page}")


@pytest.mark.parametrize(("page", "role", "allowed"), list(_cases()))
def test_each_role_reaches_only_its_pages(personas, client_for, reauthenticate, patient, page, role, allowed):
    client = client_for(personas[role])
    reauthenticate(client)  # the audit history is a sensitive page: it asks for the password again
    response = client.get(page.format(id=patient.pk))
    assert response.status_code == (200 if allowed else 403), response.status_code


@pytest.mark.parametrize("role", ALL_ROLES)
def test_a_missing_patient_is_404_for_every_role_that_may_view_patients(personas, client_for, role):
    response = client_for(personas[role]).get("/patients/999999/")
    assert response.status_code == 404


def test_a_role_without_the_permission_gets_403_even_for_a_missing_patient(front_desk, client_for):
    # 403 before 404: a role that may never change risk categories learns nothing about which
    # patient numbers exist.
    response = client_for(front_desk).get("/patients/999999/risk-category/")
    assert response.status_code == 403


def test_each_role_has_a_group_created_by_the_data_migration(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_front_desk_permissions_exclude_clinical_writes(front_desk):
    assert front_desk.has_perm("patients.change_patient")
    assert not front_desk.has_perm("patients.change_risk_category")
    assert not front_desk.has_perm("patients.add_weightmeasurement")


def test_admin_reads_patients_and_history_but_records_no_clinical_facts(admin_user):
    assert admin_user.has_perm("patients.view_patient")
    assert admin_user.has_perm("patients.view_patient_history")
    assert not admin_user.has_perm("patients.change_patient")
    assert not admin_user.has_perm("patients.change_risk_category")


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.PRESCRIBER, ["Patients"], ["Admin"]),
        (Role.FRONT_DESK, ["Patients"], ["Admin"]),
        (Role.ADMIN, ["Patients", "Admin"], []),
    ],
)
def test_navigation_shows_each_role_what_it_may_use(personas, client_for, role, visible, hidden):
    html = client_for(personas[role]).get("/patients/").content.decode()
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    for label in visible:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav
