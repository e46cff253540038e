"""Items every patient has: the enrollment gate, labs, interactions, prescriptions and pharmacy
authorizations (with a reversed and re-issued one)."""

from dataclasses import replace

import pytest

from ipledge.rule_facts import ConcomitantMedication, Interaction, LabDue, LabResultReview, Prescription
from ipledge.rules import Code, Status, checklist, may_dispense, prescription_problems

from .builders import (
    RULES_2021,
    authorization,
    cannot_get_pregnant,
    condom,
    course,
    d,
    enrolled,
    pill,
    ready_on_2_march,
)

ON = d("2026-03-04")
LATE = authorization("R1", "2026-03-03", dnda="2026-03-08", dispensed="2026-03-09")  # DOMAIN.md: refused on 9 Mar


def check(facts, on=ON):
    return checklist(facts, on, RULES_2021)


# --- enrollment gate ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"risk_categories": ()}, Code.RISK_CATEGORY, "No iPLEDGE risk category"),
        ({"enrollment": enrolled(enrolled_on=None)}, Code.ENROLLMENT, "Register the patient in iPLEDGE"),
        ({"enrollment": enrolled(patient_id_recorded=False)}, Code.ENROLLMENT, "Record the iPLEDGE patient ID"),
        ({"enrollment": enrolled(consent_signed_on=None)}, Code.CONSENT, "Patient Information"),
        ({"enrollment": enrolled(birth_defects_consent_signed_on=None)}, Code.CONSENT, "Birth Defects"),
        ({"enrollment": enrolled(prescriber_certified=False)}, Code.PRESCRIBER_CERTIFIED, "certified"),
        ({"enrollment": enrolled(enrolled_on=d("2026-03-05"))}, Code.ENROLLMENT, "Register"),  # not yet on 4 Mar
    ],
)
def test_each_missing_enrollment_step_blocks_prescribing(change, code, words):
    result = check(ready_on_2_march(**change))
    item = result.item(code)
    assert item.status is Status.DUE and item.blocking
    assert words in item.reason
    assert not result.ready_to_prescribe


def test_the_birth_defects_consent_is_not_asked_of_a_patient_who_cannot_get_pregnant():
    facts = cannot_get_pregnant(enrollment=enrolled(birth_defects_consent_signed_on=None))
    assert check(facts).item(Code.CONSENT).status is Status.DONE


# --- labs ------------------------------------------------------------------------------------------


def test_a_lab_result_waiting_for_review_blocks_the_next_prescription():
    waiting = LabResultReview(resulted_on=d("2026-03-01"), abnormal=True, name="Triglycerides")
    result = check(ready_on_2_march(lab_reviews=(waiting,)))
    item = result.item(Code.LABS_REVIEWED)
    assert item.status is Status.DUE and item.blocking
    assert "1 lab result (1 abnormal): Triglycerides" in item.reason
    assert not result.ready_to_prescribe

    reviewed = replace(waiting, reviewed_on=d("2026-03-04"))
    assert check(ready_on_2_march(lab_reviews=(reviewed,))).ready_to_prescribe
    # On 3 Mar the review of 4 Mar had not happened yet.
    assert not check(ready_on_2_march(lab_reviews=(reviewed,)), d("2026-03-03")).ready_to_prescribe


@pytest.mark.parametrize(
    ("labs", "status", "blocks"),
    [
        ((), Status.NOT_APPLICABLE, False),
        ((LabDue("ALT", d("2026-03-20")),), Status.DUE, False),
        ((LabDue("ALT", d("2026-03-20"), blocks_prescribing=True),), Status.DUE, False),  # not due yet
        ((LabDue("ALT", d("2026-03-04"), blocks_prescribing=True),), Status.DUE, True),
        ((LabDue("ALT", d("2026-03-01")),), Status.OVERDUE, False),
        ((LabDue("ALT", d("2026-03-01"), blocks_prescribing=True),), Status.OVERDUE, True),
        ((LabDue("ALT", d("2026-03-01"), done_on=d("2026-03-02")),), Status.DONE, False),
        ((LabDue("ALT", d("2026-03-01"), done_on=d("2026-03-05")),), Status.OVERDUE, False),  # done later
    ],
)
def test_monitoring_labs_are_due_overdue_or_done_and_block_only_when_the_schedule_says(labs, status, blocks):
    item = check(ready_on_2_march(labs_due=labs)).item(Code.LABS_DUE)
    assert item.status is status
    assert item.blocking is blocks


# --- interactions ----------------------------------------------------------------------------------


def med(kind, since="2026-02-01", until=None, name="Doxycycline"):
    return ConcomitantMedication(name, kind, d(since), d(until) if until else None)


@pytest.mark.parametrize(
    ("meds", "code", "status", "ready"),
    [
        ((med(Interaction.TETRACYCLINE),), Code.TETRACYCLINE, Status.BLOCKED, False),
        (
            (med(Interaction.TETRACYCLINE, until="2026-03-04"),),
            Code.TETRACYCLINE,
            Status.BLOCKED,
            False,
        ),  # last dose today
        ((med(Interaction.TETRACYCLINE, until="2026-03-03"),), Code.TETRACYCLINE, Status.DONE, True),
        ((med(Interaction.TETRACYCLINE, since="2026-03-05"),), Code.TETRACYCLINE, Status.DONE, True),  # not yet
        ((med(Interaction.VITAMIN_A_RETINOID, name="Vitamin A"),), Code.VITAMIN_A, Status.DUE, True),  # warns
        ((med(Interaction.ST_JOHNS_WORT, name="St John's wort"),), Code.ST_JOHNS_WORT, Status.DONE, True),
    ],
)
def test_tetracyclines_block_and_vitamin_a_warns(meds, code, status, ready):
    result = check(ready_on_2_march(medications=meds))
    assert result.item(code).status is status
    assert result.ready_to_prescribe is ready


def test_st_johns_wort_warns_with_hormonal_contraception():
    facts = ready_on_2_march(
        contraception=(pill(), condom()),
        confirmations=(),
        medications=(med(Interaction.ST_JOHNS_WORT, name="St John's wort"),),
    )
    item = check(facts).item(Code.ST_JOHNS_WORT)
    assert item.status is Status.DUE and not item.blocks_prescribing
    assert "Combined pill" in item.reason


# --- prescriptions and authorizations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_supply", "refills", "problems"),
    [
        (30, 0, 0),
        (31, 0, 1),
        (60, 0, 1),
        (30, 2, 1),
        (45, 1, 2),
        (0, 0, 1),
    ],
)
def test_a_prescription_has_at_most_30_days_and_no_refills(days_supply, refills, problems):
    prescription = Prescription(d("2026-03-03"), days_supply, refills)
    assert len(prescription_problems(prescription)) == problems
    item = check(ready_on_2_march(prescriptions=(prescription,))).item(Code.PRESCRIPTION_LIMITS)
    assert item.status is (Status.BLOCKED if problems else Status.DONE)
    assert not item.blocks_prescribing  # a new, correct prescription can always be written


def test_a_prescription_written_before_the_test_window_cannot_be_dispensed():
    early = Prescription(d("2026-03-01"), 30)
    item = check(ready_on_2_march(prescriptions=(early,))).item(Code.PRESCRIPTION_LIMITS)
    assert item.status is Status.BLOCKED
    assert "outside the window 2 Mar 2026 to 8 Mar 2026" in item.reason


def test_the_pharmacy_may_not_dispense_after_the_do_not_dispense_after_date():
    rma = authorization("R1", "2026-03-03", dnda="2026-03-08")
    assert may_dispense(rma, d("2026-03-08"))
    assert not may_dispense(rma, d("2026-03-09"))  # DOMAIN.md: dispensing on 9 Mar is refused
    assert not may_dispense(rma, d("2026-03-02"))
    assert not may_dispense(replace(rma, reversed_on=d("2026-03-04")), d("2026-03-05"))
    assert not may_dispense(replace(rma, days_supply=35), d("2026-03-05"))


@pytest.mark.parametrize(
    ("rma", "on", "status"),
    [
        (authorization("R1", "2026-03-03"), "2026-03-04", Status.DUE),
        (authorization("R1", "2026-03-03"), "2026-03-10", Status.OVERDUE),  # expired unused
        (authorization("R1", "2026-03-03", dispensed="2026-03-05"), "2026-03-05", Status.DONE),
        (LATE, "2026-03-09", Status.BLOCKED),
        (authorization("R1", "2026-03-03", days_supply=35), "2026-03-04", Status.BLOCKED),
        (
            authorization("R1", "2026-03-03", reversed_on="2026-03-03", reversal_reason="wrong quantity"),
            "2026-03-04",
            Status.DUE,
        ),
    ],
)
def test_the_authorization_item_follows_the_pharmacy_record(rma, on, status):
    item = check(ready_on_2_march(authorizations=(rma,)), d(on)).item(Code.AUTHORIZATION)
    assert item.status is status
    assert not item.blocks_prescribing


def test_a_reversed_authorization_followed_by_a_new_one_keeps_both_and_counts_only_the_new_one():
    first = authorization(
        "R1", "2026-03-03", days_supply=35, reversed_on="2026-03-03", reversal_reason="wrong days supply"
    )
    second = authorization("R2", "2026-03-03", dispensed="2026-03-04", replaces_rma="R1")
    facts = ready_on_2_march(course=course(first_dose="2026-03-04"), authorizations=(first, second))

    between = replace(facts, authorizations=(first, replace(second, dispensed_on=None)))
    item = check(between).item(Code.AUTHORIZATION)
    assert item.status is Status.DUE
    assert "replaces RMA R1, reversed on 3 Mar 2026: wrong days supply" in item.reason

    result = check(facts, d("2026-03-05"))
    item = result.item(Code.AUTHORIZATION)
    assert item.status is Status.DONE
    assert "Dispensed on 4 Mar 2026 under RMA R2" in item.reason
    assert result.supplied_through == d("2026-04-02")  # 30 days from 4 Mar; the reversed 35 never counts


def test_a_replacement_whose_original_is_not_reversed_is_flagged():
    orphan = authorization("R2", "2026-03-03", replaces_rma="R1")
    assert (
        "not recorded as reversed" in check(ready_on_2_march(authorizations=(orphan,))).item(Code.AUTHORIZATION).reason
    )


def test_an_early_pickup_adds_to_what_is_left():
    facts = ready_on_2_march(
        course=course(first_dose="2026-03-03"),
        authorizations=(
            authorization("R1", "2026-03-03", dispensed="2026-03-03"),
            authorization("R2", "2026-03-28", dispensed="2026-03-28"),
        ),
    )
    assert check(facts, d("2026-03-29")).supplied_through == d("2026-05-01")
