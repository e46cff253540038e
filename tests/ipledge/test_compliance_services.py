"""Recording iPLEDGE facts through the services: permissions, refusals with reasons, the
prescriber's override (audited), authorizations reversed and re-issued (acceptance 3)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from ipledge import services
from ipledge.models import Authorization, ContraceptionUse, EntryTick, Prescription
from patients.models import Patient
from tests.factories import PatientFactory

from .records import NOON, days_before, enrolled_course, method_id, ready_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def prescribe(actor, course, **changes):
    arguments = {
        "actor": actor,
        "course_id": course.pk,
        "written_on": days_before(0),
        "strength_mg": 30,
        "capsules_per_day": 2,
        "quantity": 60,
        "days_supply": 30,
        **changes,
    }
    return services.prescription_record(**arguments)


def test_a_prescription_for_a_course_that_is_not_ready_is_refused_with_every_reason(prescriber):
    course = enrolled_course(prescriber)  # no test, no methods, no confirmation this month
    with pytest.raises(services.NotReady) as refusal:
        prescribe(prescriber, course)
    reasons = " ".join(refusal.value.reasons)
    assert "Monthly pregnancy test" in reasons
    assert "Two methods of contraception in use" in reasons
    assert "Counseling confirmed in iPLEDGE this month" in reasons
    assert refusal.value.messages[0] == "This course is not ready for a prescription:"
    assert not Prescription.objects.exists()


def test_a_prescriber_override_with_a_reason_is_recorded_with_the_reasons_it_overrode_and_audited(prescriber):
    course = enrolled_course(prescriber)
    prescription = prescribe(prescriber, course, override_reason="Test done at the outside lab; result faxed")
    assert prescription.overridden
    assert prescription.override_reason == "Test done at the outside lab; result faxed"
    assert any(r.startswith("Monthly pregnancy test") for r in prescription.overridden_reasons)
    event = prescription.events.get(pgh_label="insert")
    assert event.overridden and event.override_reason.startswith("Test done")
    assert event.pgh_context.metadata["user"] == prescriber.pk


def test_an_override_is_shown_on_the_patient_chart_with_its_date_prescriber_and_reason(
    prescriber, clinical_staff, client_for, django_capture_on_commit_callbacks
):
    course = enrolled_course(prescriber)
    with django_capture_on_commit_callbacks(execute=True):
        prescribe(prescriber, course, override_reason="Test done at the outside lab; result faxed")
    page = client_for(clinical_staff).get(f"/patients/{course.patient_id}/").content.decode()
    assert "Prescribed despite blocking items" in page
    assert f"{days_before(0):%Y-%m-%d} by {prescriber.full_name}: Test done at the outside lab; result faxed" in page


def test_an_override_with_only_spaces_for_a_reason_is_refused(prescriber):
    course = enrolled_course(prescriber)
    with pytest.raises(services.NotReady):
        prescribe(prescriber, course, override_reason="   ")
    assert not Prescription.objects.exists()


def test_a_ready_course_takes_a_prescription_without_an_override(prescriber, clinical_staff):
    course = ready_course(prescriber, clinical_staff)
    prescription = prescribe(prescriber, course)
    assert not prescription.overridden and prescription.overridden_reasons == []
    assert prescription.prescriber == prescriber


@pytest.mark.parametrize(("field", "value"), [("days_supply", 31), ("refills", 1)])
def test_more_than_a_30_day_supply_or_a_refill_is_refused(prescriber, clinical_staff, field, value):
    course = ready_course(prescriber, clinical_staff)
    with pytest.raises(ValidationError) as refusal:
        prescribe(prescriber, course, **{field: value})
    assert field in refusal.value.message_dict
    assert not Prescription.objects.exists()


def test_clinical_staff_record_facts_but_cannot_prescribe_even_with_a_reason(prescriber, clinical_staff):
    course = ready_course(prescriber, clinical_staff)  # recorded by the nurse
    with pytest.raises(PermissionDenied):
        prescribe(clinical_staff, course, override_reason="Because")
    assert not Prescription.objects.exists()


def test_front_desk_can_record_no_ipledge_fact(prescriber, front_desk):
    course = enrolled_course(prescriber)
    calls = [
        lambda: prescribe(front_desk, course),
        lambda: prescribe(front_desk, course, override_reason="Because"),
        lambda: services.enrollment_record(
            actor=front_desk, course_id=course.pk, ipledge_patient_id="1", enrolled_on=None, consent_signed_on=None
        ),
        lambda: services.contraception_method_add(
            actor=front_desk, course_id=course.pk, method_id=method_id("implant"), started_on=days_before(3)
        ),
        lambda: services.confirmation_record(actor=front_desk, course_id=course.pk, counseling_on=days_before(1)),
        lambda: services.authorization_record(
            actor=front_desk,
            course_id=course.pk,
            rma_number="R1",
            obtained_on=days_before(1),
            do_not_dispense_after=days_before(0),
            days_supply=30,
            quantity=60,
            pharmacy="CVS",
        ),
        lambda: services.entry_tick(actor=front_desk, course_id=course.pk, cycle_start=days_before(2), code="test"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not Prescription.objects.exists() and not Authorization.objects.exists()


def test_the_enrollment_writes_the_ipledge_id_on_the_patient_and_refuses_one_already_taken(prescriber):
    course = enrolled_course(prescriber)
    patient = Patient.objects.get(pk=course.patient_id)
    assert patient.ipledge_patient_id == f"9{patient.pk:09d}"
    other = PatientFactory(ipledge_patient_id="5550001")
    with pytest.raises(ValidationError):
        services.enrollment_record(
            actor=prescriber,
            course_id=course.pk,
            ipledge_patient_id=other.ipledge_patient_id,
            enrolled_on=days_before(10),
            consent_signed_on=days_before(10),
        )
    patient.refresh_from_db()
    assert patient.ipledge_patient_id == f"9{patient.pk:09d}"


def test_a_registration_date_without_the_ipledge_id_is_refused_next_to_the_id(prescriber):
    course = enrolled_course(prescriber)
    with pytest.raises(ValidationError) as refusal:
        services.enrollment_record(
            actor=prescriber,
            course_id=course.pk,
            ipledge_patient_id=" ",
            enrolled_on=days_before(3),
            consent_signed_on=None,
        )
    assert "ipledge_patient_id" in refusal.value.message_dict


def test_a_method_in_use_cannot_be_added_twice_and_ends_on_its_last_day(prescriber, clinical_staff):
    course = enrolled_course(prescriber)
    use = services.contraception_method_add(
        actor=clinical_staff, course_id=course.pk, method_id=method_id("implant"), started_on=days_before(30)
    )
    with pytest.raises(ValidationError):
        services.contraception_method_add(
            actor=clinical_staff, course_id=course.pk, method_id=method_id("implant"), started_on=days_before(5)
        )
    with pytest.raises(ValidationError):
        services.contraception_method_end(
            actor=clinical_staff, course_id=course.pk, use_id=use.pk, ended_on=days_before(40)
        )
    services.contraception_method_end(actor=clinical_staff, course_id=course.pk, use_id=use.pk, ended_on=days_before(1))
    assert ContraceptionUse.objects.get(pk=use.pk).ended_on == days_before(1)


def test_a_future_date_is_refused_next_to_its_field(prescriber, clinical_staff):
    course = enrolled_course(prescriber)
    with pytest.raises(ValidationError) as refusal:
        services.confirmation_record(actor=clinical_staff, course_id=course.pk, counseling_on=days_before(-1))
    assert "counseling_on" in refusal.value.message_dict


def test_office_methods_need_the_counseling_date_and_unknown_methods_are_refused(prescriber, clinical_staff):
    course = enrolled_course(prescriber)
    with pytest.raises(ValidationError) as refusal:
        services.confirmation_record(
            actor=clinical_staff, course_id=course.pk, comprehension_on=days_before(1), office_methods=["iud_copper"]
        )
    assert "counseling_on" in refusal.value.message_dict
    with pytest.raises(ValidationError) as refusal:
        services.confirmation_record(
            actor=clinical_staff, course_id=course.pk, counseling_on=days_before(1), office_methods=["crystals"]
        )
    assert "office_methods" in refusal.value.message_dict


def authorize(actor, course, rma, **changes):
    arguments = {
        "actor": actor,
        "course_id": course.pk,
        "rma_number": rma,
        "obtained_on": days_before(1),
        "do_not_dispense_after": days_before(1) + timedelta(days=5),
        "days_supply": 30,
        "quantity": 60,
        "pharmacy": "CVS Pharmacy #1",
        **changes,
    }
    return services.authorization_record(**arguments)


def test_a_reversed_authorization_and_the_new_one_obtained_in_its_place_are_both_kept(prescriber, clinical_staff):
    course = ready_course(prescriber, clinical_staff)
    prescribe(prescriber, course)
    first = authorize(clinical_staff, course, "RMA-1", days_supply=28)
    with pytest.raises(ValidationError):
        authorize(clinical_staff, course, "RMA-2", replaces_id=first.pk)  # not reversed yet
    services.authorization_reverse(
        actor=clinical_staff,
        course_id=course.pk,
        authorization_id=first.pk,
        reversed_on=days_before(0),
        reason="Wrong days supply",
    )
    second = authorize(clinical_staff, course, "RMA-2", replaces_id=first.pk)
    with pytest.raises(ValidationError):
        authorize(clinical_staff, course, "RMA-3", replaces_id=first.pk)  # already replaced
    services.authorization_dispense(
        actor=clinical_staff, course_id=course.pk, authorization_id=second.pk, dispensed_on=days_before(0)
    )
    rows = {a.rma_number: a for a in Authorization.objects.filter(course=course)}
    assert set(rows) == {"RMA-1", "RMA-2"}
    assert rows["RMA-1"].status == "reversed" and rows["RMA-1"].reversal_reason == "Wrong days supply"
    assert rows["RMA-2"].status == "dispensed" and rows["RMA-2"].replaces_id == first.pk


def test_dispensing_after_the_do_not_dispense_after_date_is_refused(prescriber, clinical_staff):
    course = ready_course(prescriber, clinical_staff)
    authorization = authorize(
        clinical_staff, course, "RMA-9", obtained_on=days_before(9), do_not_dispense_after=days_before(3)
    )
    with pytest.raises(ValidationError) as refusal:
        services.authorization_dispense(
            actor=clinical_staff, course_id=course.pk, authorization_id=authorization.pk, dispensed_on=days_before(2)
        )
    assert "may not be dispensed after" in refusal.value.message_dict["dispensed_on"][0]
    authorization.refresh_from_db()
    assert authorization.status == "authorized"


def test_ticking_an_entry_twice_keeps_one_tick_and_unticking_removes_it(prescriber, clinical_staff):
    course = enrolled_course(prescriber)
    first = services.entry_tick(actor=clinical_staff, course_id=course.pk, cycle_start=days_before(2), code="test")
    again = services.entry_tick(actor=prescriber, course_id=course.pk, cycle_start=days_before(2), code="test")
    assert first.pk == again.pk and again.entered_by == clinical_staff
    assert services.entry_untick(actor=clinical_staff, course_id=course.pk, cycle_start=days_before(2), code="test")
    assert not EntryTick.objects.exists()
