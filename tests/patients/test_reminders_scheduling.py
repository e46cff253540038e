"""Scheduling reminders through the API other apps call (patients/reminders.py): idempotent,
safe under concurrency, bulk-friendly."""

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from patients.outbox.models import MessageKind, OutboxMessage, Reason, Status
from patients.reminders import (
    Reminder,
    cancel_reminders,
    schedule_reminder,
    schedule_reminders,
    schedule_staff_digests,
)
from tests.factories import PatientFactory, UserFactory

TODAY = date(2026, 3, 2)  # a Monday, clinic time (America/New_York)
VISIT = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False):  # 03:00 in New York
        yield


def visit_reminders(patients, visit=VISIT):
    return [
        Reminder(p.pk, kind, visit, visit - timedelta(days=days), {"time": "14:30"})
        for p in patients
        for kind, days in ((MessageKind.VISIT_2_DAYS, 2), (MessageKind.VISIT_1_DAY, 1))
    ]


def test_a_reminder_is_stored_with_its_send_time_in_utc_from_the_clinic_send_hour(patient, settings):
    settings.REMINDER_SEND_HOUR = 9
    message = schedule_reminder(
        patient_id=patient.pk,
        kind=MessageKind.VISIT_1_DAY,
        due_date=VISIT,
        send_on=date(2026, 3, 9),
        context={"time": "14:30"},
    )
    assert message.status == Status.PENDING
    assert message.channel == patient.preferred_channel == "email"
    assert message.send_after == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 9:00 EDT
    assert message.next_attempt_at == message.send_after
    assert message.context == {"time": "14:30"}


def test_scheduling_the_same_reminder_twice_creates_it_once(db):
    patients = PatientFactory.create_batch(3)
    assert schedule_reminders(visit_reminders(patients)) == 6
    assert schedule_reminders(visit_reminders(patients)) == 0
    assert OutboxMessage.objects.count() == 6


def test_a_reminder_listed_twice_in_one_call_is_created_once(patient):
    reminders = visit_reminders([patient]) * 2
    assert schedule_reminders(reminders) == 2
    assert OutboxMessage.objects.count() == 2


def test_two_sweeps_at_the_same_moment_create_each_reminder_once(transactional_db):
    patients = PatientFactory.create_batch(40)
    reminders = visit_reminders(patients)
    start = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            start.wait()
            schedule_reminders(reminders, batch_size=20)
        except Exception as error:  # collected and reported by the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert OutboxMessage.objects.count() == 80
    assert OutboxMessage.objects.values("patient", "kind", "due_date").distinct().count() == 80


def test_the_database_refuses_a_second_row_with_the_same_key_whatever_the_code_does(patient):
    schedule_reminders(visit_reminders([patient]))
    first = OutboxMessage.objects.first()
    duplicate = OutboxMessage(
        patient=patient, kind=first.kind, due_date=first.due_date, channel=first.channel,
        send_after=first.send_after, next_attempt_at=first.send_after,
    )  # fmt: skip
    with pytest.raises(IntegrityError, match="outbox_patient_message_once"):
        duplicate.save()


@pytest.mark.parametrize("size", [10, 500])
def test_bulk_scheduling_uses_a_fixed_number_of_queries(db, size):
    patients = PatientFactory.create_batch(size)
    with CaptureQueriesContext(connection) as queries:
        schedule_reminders(visit_reminders(patients), batch_size=1000)
    # patients, existing messages, savepoint, insert, release savepoint
    assert len(queries) == BULK_QUERIES
    assert OutboxMessage.objects.count() == 2 * size


def test_reminders_whose_send_day_has_passed_are_not_scheduled(patient):
    reminders = [
        Reminder(patient.pk, MessageKind.LABS_DUE, TODAY, TODAY - timedelta(days=1)),
        Reminder(patient.pk, MessageKind.PREGNANCY_TEST_DUE, TODAY, TODAY),
    ]
    assert schedule_reminders(reminders) == 1
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == [MessageKind.PREGNANCY_TEST_DUE]


@pytest.mark.parametrize(
    ("reminder", "field"),
    [
        (Reminder(0, "visit_3_weeks", VISIT, TODAY), "kind"),
        (Reminder(0, MessageKind.STAFF_DIGEST, VISIT, TODAY), "kind"),
        (Reminder(0, MessageKind.LABS_DUE, TODAY, VISIT), "send_on"),
        (Reminder(0, MessageKind.VISIT_1_DAY, VISIT, TODAY), "context"),
        (Reminder(0, MessageKind.LABS_DUE, VISIT, TODAY, {"result": "ALT 80"}), "context"),
        (Reminder(-1, MessageKind.LABS_DUE, VISIT, TODAY), "patient_id"),
    ],
)
def test_a_malformed_reminder_is_refused_naming_the_field_and_nothing_of_its_batch_is_written(patient, reminder, field):
    good = Reminder(patient.pk, MessageKind.LABS_DUE, date(2026, 3, 20), TODAY)
    bad = replace(reminder, patient_id=patient.pk) if reminder.patient_id == 0 else reminder  # 0: the test's patient
    with pytest.raises(ValidationError) as error:
        schedule_reminders([good, bad])
    assert field in error.value.message_dict
    assert not OutboxMessage.objects.exists()


def test_a_patient_who_changed_channel_is_not_reminded_again_on_the_new_one(patient):
    schedule_reminders(visit_reminders([patient]))
    patient.preferred_channel = "sms"
    patient.phone = "+16175550100"
    patient.save()
    assert schedule_reminders(visit_reminders([patient])) == 0
    assert set(OutboxMessage.objects.values_list("channel", flat=True)) == {"email"}


def test_cancelled_reminders_come_back_when_the_visit_returns_to_its_date(patient):
    schedule_reminders(visit_reminders([patient]))
    kinds = [MessageKind.VISIT_2_DAYS, MessageKind.VISIT_1_DAY]
    assert cancel_reminders(patient_id=patient.pk, due_date=VISIT, kinds=kinds) == 2
    assert set(OutboxMessage.objects.values_list("status", "reason")) == {(Status.CANCELLED, Reason.UNSCHEDULED)}
    assert schedule_reminders(visit_reminders([patient])) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.PENDING}
    assert OutboxMessage.objects.count() == 2


def test_a_reminder_cancelled_because_the_patient_opted_out_stays_cancelled_while_they_still_are(patient):
    [message] = [schedule_reminder(patient_id=patient.pk, kind=MessageKind.LABS_DUE, due_date=VISIT, send_on=TODAY)]
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.CANCELLED, reason=Reason.OPTED_OUT)
    patient.reminder_opt_out = True
    patient.save()
    assert schedule_reminder(patient_id=patient.pk, kind=MessageKind.LABS_DUE, due_date=VISIT, send_on=TODAY) is None
    patient.reminder_opt_out = False
    patient.save()
    assert (
        schedule_reminder(patient_id=patient.pk, kind=MessageKind.LABS_DUE, due_date=VISIT, send_on=TODAY).pk
        == message.pk
    )


def test_a_message_already_sent_is_not_cancelled(patient):
    message = schedule_reminder(patient_id=patient.pk, kind=MessageKind.LABS_DUE, due_date=VISIT, send_on=TODAY)
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENT, sent_at=message.send_after)
    assert cancel_reminders(patient_id=patient.pk, due_date=VISIT, kinds=[MessageKind.LABS_DUE]) == 0


def test_scheduling_records_who_asked_in_the_audit_history(front_desk, patient):
    from pghistory.models import Events

    schedule_reminder(
        patient_id=patient.pk,
        kind=MessageKind.LABS_DUE,
        due_date=VISIT,
        send_on=TODAY,
        send_at=time(10),
        actor=front_desk,
    )
    event = Events.objects.references(patient).filter(pgh_model="patients.OutboxMessageEvent").get()
    assert event.pgh_context["user"] == front_desk.pk


def test_each_active_prescriber_and_clinical_staff_member_gets_one_digest_a_day(
    prescriber, clinical_staff, front_desk, settings
):
    settings.REMINDER_DIGEST_HOUR = 7
    UserFactory(role=Role.CLINICAL_STAFF, is_active=False)
    assert schedule_staff_digests(day=TODAY) == 2
    assert schedule_staff_digests(day=TODAY) == 0
    digests = OutboxMessage.objects.filter(kind=MessageKind.STAFF_DIGEST)
    assert set(digests.values_list("staff", flat=True)) == {prescriber.pk, clinical_staff.pk}
    assert set(digests.values_list("send_after", flat=True)) == {datetime(2026, 3, 2, 12, 0, tzinfo=UTC)}  # 7:00 EST
    assert schedule_staff_digests(day=TODAY + timedelta(days=1)) == 2


# patients, existing messages, savepoint, insert, release savepoint
BULK_QUERIES = 5
