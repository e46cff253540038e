"""The permission matrix of the labs pages: each role reaches only its pages (403 otherwise),
missing records are 404, and state-changing URLs refuse GET."""

import pytest
from django.urls import resolve

from accounts.models import Role
from labs.models import LabResult, PregnancyTest
from tests.factories import PatientFactory

from .factories import LabResultFactory, PregnancyTestFactory

ALL = [Role.PRESCRIBER, Role.CLINICAL_STAFF, Role.FRONT_DESK, Role.ADMIN]
CLINICAL = [Role.PRESCRIBER, Role.CLINICAL_STAFF]

# page -> roles allowed (GET)
MATRIX = {
    "/labs/review/": [Role.PRESCRIBER],
    "/labs/patients/{patient}/": [*CLINICAL, Role.ADMIN],
    "/labs/patients/{patient}/panel/": CLINICAL,
    "/labs/patients/{patient}/pregnancy-tests/": [*CLINICAL, Role.ADMIN],
    "/labs/patients/{patient}/pregnancy-tests/new/": CLINICAL,
    "/labs/patients/{patient}/pregnancy-tests/{home_test}/verify/": CLINICAL,
}


@pytest.fixture
def records(patient):
    result = LabResultFactory(specimen__patient=patient)
    home_test = PregnancyTestFactory(patient=patient, setting="home")
    return {"patient": patient.pk, "specimen": result.specimen_id, "home_test": home_test.pk}


@pytest.mark.parametrize(("page", "role"), [(page, role) for page in MATRIX for role in ALL])
def test_each_role_reaches_only_its_labs_pages(personas, client_for, records, page, role):
    url = page.format(**records)
    response = client_for(personas[role]).get(url)
    assert response.status_code == (200 if role in MATRIX[page] else 403)
    # The decorator names the permission the role needs (read by the project-wide matrix).
    assert resolve(url).func.required_permission.startswith("labs.")


@pytest.mark.parametrize(
    "page",
    ["/labs/patients/999999/", "/labs/patients/999999/panel/", "/labs/patients/999999/pregnancy-tests/"],
)
def test_a_missing_patient_is_404(clinical_staff, client_for, page):
    assert client_for(clinical_staff).get(page).status_code == 404


def test_a_record_of_another_patient_is_404(clinical_staff, prescriber, client_for, records):
    other = PatientFactory().pk
    assert (
        client_for(clinical_staff)
        .get(f"/labs/patients/{other}/pregnancy-tests/{records['home_test']}/verify/")
        .status_code
        == 404
    )
    response = client_for(prescriber).post(f"/labs/patients/{other}/specimens/{records['specimen']}/review/", {})
    assert response.status_code == 404


def test_reviewing_is_post_only_and_for_prescribers(personas, client_for, records):
    url = "/labs/patients/{patient}/specimens/{specimen}/review/".format(**records)
    assert client_for(personas[Role.PRESCRIBER]).get(url).status_code == 405
    for role in (Role.CLINICAL_STAFF, Role.FRONT_DESK, Role.ADMIN):
        assert client_for(personas[role]).post(url, {}).status_code == 403
    assert not LabResult.objects.filter(reviewed_at__isnull=False).exists()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_roles_that_record_nothing_cannot_post_results_or_tests(personas, client_for, records, role):
    client = client_for(personas[role])
    assert client.post("/labs/patients/{patient}/panel/".format(**records), {}).status_code == 403
    assert client.post("/labs/patients/{patient}/pregnancy-tests/new/".format(**records), {}).status_code == 403
    verify = "/labs/patients/{patient}/pregnancy-tests/{home_test}/verify/".format(**records)
    assert client.post(verify, {"method": "video"}).status_code == 403
    assert PregnancyTest.objects.get(pk=records["home_test"]).verified_at is None


@pytest.mark.parametrize(
    ("role", "visible"),
    [(Role.PRESCRIBER, True), (Role.CLINICAL_STAFF, False), (Role.FRONT_DESK, False), (Role.ADMIN, False)],
)
def test_the_review_list_is_in_the_prescribers_navigation(personas, client_for, role, visible):
    html = client_for(personas[role]).get("/patients/").content.decode()
    nav = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert ('href="/labs/review/"' in nav) is visible


def test_admins_manage_lab_settings_but_front_desk_has_only_the_due_status(admin_user, front_desk):
    for perm in (
        "labs.change_actionthreshold",
        "labs.change_analyte",
        "labs.change_labsettings",
        "labs.view_labresult",
    ):
        assert admin_user.has_perm(perm)
    for perm in ("labs.add_labresult", "labs.review_labresult", "labs.verify_pregnancytest"):
        assert not admin_user.has_perm(perm)
    assert {p for p in front_desk.get_all_permissions() if p.startswith("labs.")} == {"labs.view_lab_status"}
