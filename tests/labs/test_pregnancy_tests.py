"""Recording and verifying pregnancy tests, photo evidence, and the positive-test alert
(acceptance 3 for the part labs owns, and 4)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pghistory.models import Events

from labs import services
from labs.models import LabSettings, PregnancyTest
from labs.pregnancy import POSITIVE_STEPS
from labs.selectors import pregnancy_tests
from patients.models import RiskCategory
from tests.factories import PatientFactory, UserFactory

from .factories import PregnancyTestFactory
from .helpers import pregnancy_test_data

# The smallest valid files of each kind: the upload check reads the signature, not the name.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def photo(content: bytes = PNG, name: str = "test.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded evidence goes to a folder of this test's own."""
    from django.core.files.storage import storages

    storage = storages["private"]
    previous = storage.location
    storage.base_location = storage.location = str(tmp_path)
    yield tmp_path
    storage.base_location = storage.location = previous


def record(client, patient, **fields):
    return client.post(f"/labs/patients/{patient.pk}/pregnancy-tests/new/", pregnancy_test_data(**fields))


def test_an_office_test_is_recorded_with_who_recorded_it(clinical_staff, client_for, patient):
    assert record(client_for(clinical_staff), patient).status_code == 302
    test = PregnancyTest.objects.get()
    assert (test.recorded_by, test.result, test.fact.counts_as_negative) == (clinical_staff, "negative", True)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"setting": "clia_lab", "lab_name": "Quest"}, "clia_number", "needs the lab's CLIA number"),
        ({"setting": "clia_lab", "lab_name": "Quest", "clia_number": "12345"}, "clia_number", "10 characters"),
        ({"setting": "clia_lab", "clia_number": "05D1234567"}, "lab_name", "name of the lab"),
        ({"setting": "home", "test_type": "serum"}, "test_type", "not at home"),
        ({"collected_on": str(date.today() + timedelta(days=1))}, "collected_on", "future"),
        ({"sensitivity_miu_ml": "0"}, "sensitivity_miu_ml", "greater than or equal to 1"),
        ({"result": ""}, "result", "required"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    clinical_staff, client_for, patient, fields, field, message
):
    response = record(client_for(clinical_staff), patient, **fields)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not response.context["form"].non_field_errors()  # said once, next to the field
    assert not PregnancyTest.objects.exists()


def test_a_clia_lab_test_with_its_number_is_recorded(clinical_staff, client_for, patient):
    response = record(
        client_for(clinical_staff),
        patient,
        setting="clia_lab",
        test_type="serum",
        lab_name="Quest",
        clia_number="05d0642827",
    )
    assert response.status_code == 302
    assert PregnancyTest.objects.get().clia_number == "05D0642827"


def test_a_test_for_a_patient_who_cannot_get_pregnant_needs_a_note_then_is_recorded(clinical_staff, client_for):
    patient = PatientFactory(risk_category=RiskCategory.CANNOT_GET_PREGNANT)
    client = client_for(clinical_staff)
    assert "cannot get pregnant" in client.get(f"/labs/patients/{patient.pk}/pregnancy-tests/new/").content.decode()
    response = record(client, patient)
    assert response.status_code == 200
    assert "Say why the test was done" in response.context["form"].errors["note"][0]
    assert not PregnancyTest.objects.exists()
    assert record(client, patient, note="Category under review after new history.").status_code == 302
    assert PregnancyTest.objects.get().note == "Category under review after new history."


def test_a_test_less_sensitive_than_25_is_recorded_but_does_not_count(clinical_staff, client_for, patient):
    record(client_for(clinical_staff), patient, sensitivity_miu_ml="50")
    test = PregnancyTest.objects.get()
    assert not test.fact.counts_as_negative
    page = client_for(clinical_staff).get(f"/labs/patients/{patient.pk}/pregnancy-tests/").content.decode()
    assert "does not count yet" in page and "Sensitivity 50 mIU/mL" in page


def test_an_unverified_home_test_does_not_count_as_negative_until_verified(
    clinical_staff, prescriber, client_for, patient
):
    assert record(client_for(clinical_staff), patient, setting="home").status_code == 302
    test = PregnancyTest.objects.get()
    [fact] = pregnancy_tests([patient.pk])[patient.pk]
    assert (fact.verified, fact.counts_as_negative) == (False, False)
    page = client_for(clinical_staff).get(f"/labs/patients/{patient.pk}/pregnancy-tests/").content.decode()
    assert "Awaiting verification" in page

    response = client_for(prescriber).post(
        f"/labs/patients/{patient.pk}/pregnancy-tests/{test.pk}/verify/",
        {"method": "video", "note": "Watched the patient read the test on a video call."},
    )
    assert response.status_code == 302
    [fact] = pregnancy_tests([patient.pk])[patient.pk]
    assert (fact.verified, fact.counts_as_negative) == (True, True)
    test.refresh_from_db()
    assert (test.verified_by, test.verification_method) == (prescriber, "video")


def test_the_person_who_recorded_a_home_test_cannot_verify_it_when_the_clinic_requires_a_second_person(
    clinical_staff, client_for, patient
):
    test = PregnancyTestFactory(patient=patient, setting="home", recorded_by=clinical_staff)
    url = f"/labs/patients/{patient.pk}/pregnancy-tests/{test.pk}/verify/"
    response = client_for(clinical_staff).post(url, {"method": "video"})
    assert response.status_code == 200
    assert "second staff member" in str(response.context["form"].non_field_errors())
    test.refresh_from_db()
    assert test.verified_at is None

    LabSettings.objects.filter(pk=1).update(home_test_second_person=False)
    assert client_for(clinical_staff).post(url, {"method": "video"}).status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"method": "other"}, "note", "Describe how"),
        ({"method": "dated_photo"}, "photo", "Upload the dated photo"),
        ({"method": ""}, "method", "required"),
    ],
)
def test_verification_needs_its_evidence(prescriber, client_for, patient, data, field, message):
    test = PregnancyTestFactory(patient=patient, setting="home")
    response = client_for(prescriber).post(f"/labs/patients/{patient.pk}/pregnancy-tests/{test.pk}/verify/", data)
    assert message in " ".join(response.context["form"].errors[field])
    test.refresh_from_db()
    assert test.verified_at is None


def test_a_home_test_is_verified_from_a_dated_photo_uploaded_with_the_verification(prescriber, client_for, patient):
    test = PregnancyTestFactory(patient=patient, setting="home")
    response = client_for(prescriber).post(
        f"/labs/patients/{patient.pk}/pregnancy-tests/{test.pk}/verify/", {"method": "dated_photo", "photo": photo()}
    )
    assert response.status_code == 302
    test.refresh_from_db()
    assert test.photo.name.startswith(f"pregnancy-tests/{patient.pk}/") and test.photo.name.endswith(".png")
    assert test.verification_method == "dated_photo"


def test_an_office_test_needs_no_verification_and_a_verified_one_cannot_be_verified_again(prescriber, patient):
    office = PregnancyTestFactory(patient=patient)
    with pytest.raises(ValidationError, match="Only home tests"):
        services.pregnancy_test_verify(actor=prescriber, test_id=office.pk, method="video")
    home = PregnancyTestFactory(patient=patient, setting="home")
    services.pregnancy_test_verify(actor=prescriber, test_id=home.pk, method="video")
    with pytest.raises(ValidationError, match="already verified"):
        services.pregnancy_test_verify(actor=UserFactory(), test_id=home.pk, method="video")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (photo(b"%PDF-1.7 not an image", "test.png"), "JPEG, PNG or WebP"),
        (photo(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "test.svg", "image/svg+xml"), "JPEG, PNG or WebP"),
        (photo(JPEG + b"\x00" * (5 * 1024 * 1024), "big.jpg", "image/jpeg"), "the limit is 5 MB"),
    ],
)
def test_photo_evidence_must_be_an_image_of_at_most_5_mb(clinical_staff, client_for, patient, upload, message):
    data = pregnancy_test_data(setting="home", photo=upload)
    response = client_for(clinical_staff).post(f"/labs/patients/{patient.pk}/pregnancy-tests/new/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["photo"])
    assert not PregnancyTest.objects.exists()


def test_photo_evidence_is_stored_outside_static_and_media_under_a_random_name(
    clinical_staff, client_for, patient, private_media
):
    data = pregnancy_test_data(setting="home", photo=photo(JPEG, f"{patient.last_name}.jpg", "image/jpeg"))
    assert client_for(clinical_staff).post(f"/labs/patients/{patient.pk}/pregnancy-tests/new/", data).status_code == 302
    stored = PregnancyTest.objects.get().photo.name
    assert patient.last_name not in stored and stored.endswith(".jpg")
    assert (private_media / stored).read_bytes() == JPEG


@pytest.fixture
def test_with_photo(patient, clinical_staff):
    return services.pregnancy_test_record(
        actor=clinical_staff,
        patient_id=patient.pk,
        collected_on=date(2026, 3, 2),
        test_type="urine",
        setting="home",
        result="negative",
        sensitivity_miu_ml=20,
        purpose="monthly",
        photo=photo(JPEG, "home.jpg", "image/jpeg"),
    )


@pytest.mark.parametrize("role", ["prescriber", "clinical_staff"])
def test_clinical_staff_and_prescribers_see_the_photo_never_cached(request, client_for, patient, test_with_photo, role):
    user = request.getfixturevalue(role)
    response = client_for(user).get(f"/labs/patients/{patient.pk}/pregnancy-tests/{test_with_photo.pk}/photo/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'inline; filename="pregnancy-test-{test_with_photo.pk}.jpg"'
    assert response["Cache-Control"] == "no-store"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("role", ["front_desk", "admin_user"])
def test_front_desk_and_admins_get_403_for_the_photo(request, client_for, patient, test_with_photo, role):
    user = request.getfixturevalue(role)
    response = client_for(user).get(f"/labs/patients/{patient.pk}/pregnancy-tests/{test_with_photo.pk}/photo/")
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_login_for_the_photo(client, patient, test_with_photo):
    response = client.get(f"/labs/patients/{patient.pk}/pregnancy-tests/{test_with_photo.pk}/photo/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_photo_is_reached_only_through_its_own_patient(clinical_staff, client_for, test_with_photo):
    other = PatientFactory()
    response = client_for(clinical_staff).get(f"/labs/patients/{other.pk}/pregnancy-tests/{test_with_photo.pk}/photo/")
    assert response.status_code == 404


def test_a_positive_test_is_recorded_shown_as_an_alert_with_the_steps_and_audited(
    clinical_staff, front_desk, client_for, patient
):
    client = client_for(clinical_staff)
    response = record(client, patient, result="positive", purpose="monthly")
    assert response.status_code == 302
    test = PregnancyTest.objects.get()

    chart = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Positive pregnancy test" in chart
    for step in POSITIVE_STEPS:
        assert step in chart
    assert "Positive pregnancy test" in client.get(f"/labs/patients/{patient.pk}/pregnancy-tests/").content.decode()
    # Front desk sees no test results on the chart.
    assert "Positive" not in client_for(front_desk).get(f"/patients/{patient.pk}/").content.decode()

    [event] = Events.objects.tracks(test)
    assert (event.pgh_label, event.pgh_context["user"]) == ("insert", clinical_staff.pk)
    assert event.pgh_data["result"] == "positive"


def test_a_later_negative_that_counts_clears_the_alert(clinical_staff, client_for, patient):
    PregnancyTestFactory(patient=patient, result="positive", collected_on=date(2026, 3, 2))
    PregnancyTestFactory(
        patient=patient, test_type="serum", setting="clia_lab", clia_number="05D0642827", collected_on=date(2026, 3, 4)
    )
    assert "Positive pregnancy test" not in client_for(clinical_staff).get(f"/patients/{patient.pk}/").content.decode()


def test_an_empty_upload_is_refused_next_to_the_field(clinical_staff, client_for, patient):
    data = pregnancy_test_data(setting="home", photo=photo(b"", "empty.png"))
    response = client_for(clinical_staff).post(f"/labs/patients/{patient.pk}/pregnancy-tests/new/", data)
    assert response.status_code == 200
    assert "empty" in response.context["form"].errors["photo"][0]
    assert not PregnancyTest.objects.exists()
