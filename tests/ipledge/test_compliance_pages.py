"""The compliance page of a course and the course page's compliance panel: forms refuse bad
input next to the field, the override is the prescriber's and shows on the course page, and
each role sees and may do what its permissions say."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ipledge.models import Authorization, Prescription

from .records import NOON, days_before, enrolled_course, ready_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def page(course):
    return f"/ipledge/patients/{course.patient_id}/{course.pk}/"


def prescription_data(**changes):
    return {
        "prescription-written_on": days_before(0).isoformat(),
        "prescription-strength_mg": "30",
        "prescription-capsules_per_day": "2",
        "prescription-days_supply": "30",
        "prescription-quantity": "60",
        "prescription-refills": "0",
        **changes,
    }


def test_a_refused_prescription_lists_the_reasons_on_the_form_and_saves_nothing(prescriber, client_for):
    course = enrolled_course(prescriber)
    response = client_for(prescriber).post(page(course) + "prescriptions/", prescription_data())
    assert response.status_code == 200
    errors = response.context["forms"]["prescription"].non_field_errors()
    assert errors[0] == "This course is not ready for a prescription:"
    assert any(e.startswith("Monthly pregnancy test") for e in errors)
    assert not Prescription.objects.exists()


def test_the_prescriber_override_is_recorded_and_marked_on_the_course_page(
    prescriber, client_for, django_capture_on_commit_callbacks
):
    course = enrolled_course(prescriber)
    client = client_for(prescriber)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page(course) + "prescriptions/", prescription_data(**{"prescription-override_reason": "Outside lab test"})
        )
    assert response.status_code == 302
    prescription = Prescription.objects.get()
    assert prescription.overridden and prescription.override_reason == "Outside lab test"
    course_page = client.get(f"/courses/patients/{course.patient_id}/{course.pk}/").content.decode()
    assert 'id="compliance-panel"' in course_page
    assert "override-mark" in course_page and "Outside lab test" in course_page


def test_clinical_staff_see_no_prescription_form_and_may_not_post_one(prescriber, clinical_staff, client_for):
    course = ready_course(prescriber, clinical_staff)
    client = client_for(clinical_staff)
    response = client.get(page(course))
    assert response.status_code == 200
    assert "prescription" not in response.context["forms"]
    assert "authorization" in response.context["forms"]
    assert client.post(page(course) + "prescriptions/", prescription_data()).status_code == 403


def test_front_desk_cannot_open_the_compliance_page_nor_record(prescriber, front_desk, client_for):
    course = enrolled_course(prescriber)
    client = client_for(front_desk)
    assert client.get(page(course)).status_code == 403
    assert client.post(page(course) + "prescriptions/", prescription_data()).status_code == 403


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(prescriber, client_for):
    course = enrolled_course(prescriber)
    client = client_for(prescriber)
    response = client.post(page(course) + "prescriptions/", prescription_data(**{"prescription-days_supply": "45"}))
    assert response.status_code == 200
    assert response.context["forms"]["prescription"].errors["days_supply"]
    response = client.post(
        page(course) + "authorizations/",
        {
            "authorization-rma_number": "R-1",
            "authorization-obtained_on": days_before(1).isoformat(),
            "authorization-do_not_dispense_after": days_before(5).isoformat(),
            "authorization-days_supply": "30",
            "authorization-quantity": "60",
            "authorization-pharmacy": "CVS",
        },
    )
    assert response.context["forms"]["authorization"].errors["do_not_dispense_after"]
    response = client.post(
        page(course) + "confirmations/", {"confirmation-counseling_on": (days_before(-3)).isoformat()}
    )
    assert response.context["forms"]["confirmation"].errors["counseling_on"]
    assert not Prescription.objects.exists() and not Authorization.objects.exists()


def test_a_reversal_and_a_new_authorization_through_the_page_keep_both(prescriber, clinical_staff, client_for):
    course = ready_course(prescriber, clinical_staff)
    client = client_for(clinical_staff)
    base = {
        "authorization-obtained_on": days_before(0).isoformat(),
        "authorization-do_not_dispense_after": (days_before(0) + timedelta(days=4)).isoformat(),
        "authorization-days_supply": "30",
        "authorization-quantity": "60",
        "authorization-pharmacy": "CVS",
    }
    assert client.post(page(course) + "authorizations/", {**base, "authorization-rma_number": "A1"}).status_code == 302
    first = Authorization.objects.get(rma_number="A1")
    response = client.post(
        page(course) + f"authorizations/{first.pk}/reverse/",
        {f"reverse-{first.pk}-reversed_on": days_before(0).isoformat(), f"reverse-{first.pk}-reason": "Wrong quantity"},
    )
    assert response.status_code == 302
    response = client.post(
        page(course) + "authorizations/", {**base, "authorization-rma_number": "A2", "authorization-replaces": first.pk}
    )
    assert response.status_code == 302
    assert Authorization.objects.get(rma_number="A2").replaces == first
    assert Authorization.objects.get(rma_number="A1").status == "reversed"


def test_the_compliance_page_uses_a_fixed_number_of_queries(prescriber, clinical_staff, client_for):
    course = ready_course(prescriber, clinical_staff)
    client = client_for(clinical_staff)
    client.get(page(course))
    with CaptureQueriesContext(connection) as few:
        client.get(page(course))
    for n in range(6):
        Authorization.objects.create(
            course=course,
            patient_id=course.patient_id,
            rma_number=f"Q{n}",
            obtained_on=days_before(40 - n),
            do_not_dispense_after=days_before(35 - n),
            days_supply=30,
            quantity=60,
            pharmacy="CVS",
            recorded_by=clinical_staff,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(page(course))
    assert len(few) == len(many)


def test_roles_get_the_ipledge_permissions_of_the_matrix(db):
    def perms(role):
        return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}

    prescriber, nurse, desk, admin = (perms(r) for r in ("prescriber", "clinical_staff", "front_desk", "admin"))
    assert {"ipledge.add_prescription", "ipledge.override_prescription", "ipledge.view_coursestatus"} <= prescriber
    assert {"ipledge.add_authorization", "ipledge.add_entrytick", "ipledge.add_monthlyconfirmation"} <= nurse
    assert not {"ipledge.add_prescription", "ipledge.override_prescription"} & nurse
    assert not {p for p in desk if p.startswith("ipledge.")}
    assert "ipledge.change_ipledgesettings" in admin and "ipledge.add_prescription" not in admin
