"""Sending the outbox (patients/outbox/sender.py): each message goes out once, at the right
clinic-local time, respecting the patient's preferences, with retries and lease recovery.

``run_due()`` does in this process what beat and the workers do (dispatch, then one send per
taken id); tests/patients/test_outbox_worker.py runs the same through a real worker."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from patients.outbox import sender
from patients.outbox.models import MessageKind, OutboxMessage, Reason, Status
from patients.reminders import schedule_reminder, schedule_staff_digests
from tests.factories import PatientFactory

NY = ZoneInfo("America/New_York")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


def run_due() -> dict[int, str]:
    return {message_id: sender.send_message(message_id) for message_id in sender.take_due_batch(limit=1000)}


def schedule_visit_reminder(patient, visit_day: date, send_at: time | None = None) -> OutboxMessage:
    return schedule_reminder(
        patient_id=patient.pk,
        kind=MessageKind.VISIT_1_DAY,
        due_date=visit_day,
        send_on=visit_day - timedelta(days=1),
        send_at=send_at,
        context={"time": "14:30"},
    )


def reload(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=message.pk)


@pytest.fixture
def clock():
    """Travel in time: ``clock.move_to(local(...))``; the clock stands still between moves."""
    with time_machine.travel(local(2026, 5, 4, 6, 0), tick=False) as traveller:
        yield traveller


class TestOncePerMessage:
    def test_a_due_reminder_is_sent_once_with_the_minimum_necessary(self, db, clock, settings):
        settings.CLINIC_NAME = "Elm Street Skin Clinic"
        patient = PatientFactory(first_name="Robin", last_name="Quimby", mrn="MRN777001", email="robin@example.org")
        message = schedule_visit_reminder(patient, date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert run_due() == {message.pk: "sent"}
        [email] = mail.outbox
        assert email.to == ["robin@example.org"]
        assert "Robin" in email.body and "Wednesday, May 6" in email.body and "2:30 PM" in email.body
        assert "Elm Street Skin Clinic" in email.body
        assert "Quimby" not in email.body + email.subject and "MRN777001" not in email.body + email.subject
        message = reload(message)
        assert message.status == Status.SENT and message.attempts == 1
        assert (
            message.provider_message_id
            == email.extra_headers["Message-ID"]
            == f"<outbox-{message.pk}@isotrack.invalid>"
        )
        assert message.body == email.body and message.address == "robin@example.org"

    def test_the_sender_run_twice_on_one_row_sends_one_message(self, db, clock):
        message = schedule_visit_reminder(PatientFactory(), date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert sender.send_message(message.pk) == "sent"
        assert sender.send_message(message.pk) == "not claimable"
        assert run_due() == {}
        assert len(mail.outbox) == 1

    def test_two_workers_sending_one_row_at_the_same_moment_send_one_message(self, transactional_db, smtp_settings):
        message = schedule_visit_reminder(PatientFactory(), timezone.localdate() + timedelta(days=1), send_at=time(0))
        start = threading.Barrier(4)
        outcomes = []

        def worker():
            start.wait()
            outcomes.append(sender.send_message(message.pk))
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(outcomes) == ["not claimable"] * 3 + ["sent"]
        assert len(smtp_settings.messages) == 1

    def test_two_dispatchers_at_the_same_moment_take_different_messages(self, transactional_db):
        for patient in PatientFactory.create_batch(30):
            schedule_visit_reminder(patient, timezone.localdate() + timedelta(days=1), send_at=time(0))
        start = threading.Barrier(2)
        taken = []

        def dispatcher():
            start.wait()
            taken.append(sender.take_due_batch(limit=20))
            connection.close()

        threads = [threading.Thread(target=dispatcher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        first, second = taken
        assert not set(first) & set(second)
        assert len(first) + len(second) == 30
        assert sender.take_due_batch(limit=100) == []  # enqueued within the lease: not again


class TestClinicTime:
    @pytest.mark.parametrize(
        "sunday",
        [pytest.param(date(2026, 3, 8), id="spring-forward"), pytest.param(date(2026, 11, 1), id="fall-back")],
    )
    def test_on_the_sundays_the_clocks_change_a_reminder_goes_out_once_at_nine_local(self, db, clock, sunday, settings):
        settings.REMINDER_SEND_HOUR = 9
        at = lambda hour, minute=0, second=0: datetime.combine(sunday, time(hour, minute, second), tzinfo=NY)  # noqa: E731
        clock.move_to(at(12) - timedelta(days=2))
        message = schedule_visit_reminder(PatientFactory(), sunday + timedelta(days=1))
        clock.move_to(at(8, 59, 59))
        assert run_due() == {}
        clock.move_to(at(9))
        assert run_due() == {message.pk: "sent"}
        clock.move_to(at(10))
        assert run_due() == {}
        assert len(mail.outbox) == 1
        sent_at = reload(message).sent_at.astimezone(NY)
        assert (sent_at.date(), sent_at.hour, sent_at.minute) == (sunday, 9, 0)

    def test_quiet_hours_across_the_spring_forward_night_hold_the_message_until_they_end(self, db, clock):
        patient = PatientFactory(quiet_hours_start=time(21), quiet_hours_end=time(8))
        clock.move_to(local(2026, 3, 7, 12, 0))
        message = schedule_visit_reminder(patient, date(2026, 3, 9), send_at=time(6, 0))
        clock.move_to(local(2026, 3, 8, 6, 0))
        assert run_due() == {message.pk: "deferred to the end of quiet hours"}
        held = reload(message)
        assert held.status == Status.PENDING and held.attempts == 0
        assert held.next_attempt_at == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 8:00 EDT
        clock.move_to(local(2026, 3, 8, 7, 59))
        assert run_due() == {}
        clock.move_to(local(2026, 3, 8, 8, 0))
        assert run_due() == {message.pk: "sent"}
        assert len(mail.outbox) == 1
        assert reload(message).sent_at.astimezone(NY).time() == time(8, 0)


class TestPreferences:
    def test_a_patient_who_opted_out_is_not_sent_anything_and_the_reason_is_recorded(self, db, clock):
        patient = PatientFactory()
        message = schedule_visit_reminder(patient, date(2026, 5, 6))
        patient.reminder_opt_out = True
        patient.save()
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert run_due() == {message.pk: "cancelled: opted_out"}
        assert (reload(message).status, reload(message).reason) == (Status.CANCELLED, Reason.OPTED_OUT)
        assert mail.outbox == []
        clock.move_to(local(2026, 5, 5, 12, 0))
        assert run_due() == {}

    def test_inside_quiet_hours_a_message_waits_until_they_end_and_then_goes_once(self, db, clock):
        patient = PatientFactory(quiet_hours_start=time(8), quiet_hours_end=time(10, 30))
        message = schedule_visit_reminder(patient, date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert run_due() == {message.pk: "deferred to the end of quiet hours"}
        clock.move_to(local(2026, 5, 5, 10, 29))
        assert run_due() == {}
        clock.move_to(local(2026, 5, 5, 10, 30))
        assert run_due() == {message.pk: "sent"}
        clock.move_to(local(2026, 5, 5, 11, 30))
        assert run_due() == {}
        assert len(mail.outbox) == 1
        assert reload(message).attempts == 1

    def test_a_minor_s_reminder_goes_to_the_guardian_and_an_adult_s_to_the_patient(self, db, clock):
        minor = PatientFactory(
            date_of_birth=date(2012, 1, 1),
            email="teen@example.org",
            guardian_name="G",
            guardian_email="parent@example.org",
        )
        minor_with_phone_only_guardian = PatientFactory(
            date_of_birth=date(2012, 1, 1), email="teen2@example.org", guardian_name="G", guardian_phone="+16175550123"
        )
        adult = PatientFactory(email="adult@example.org", guardian_email="old-guardian@example.org")
        for patient in (minor, minor_with_phone_only_guardian, adult):
            schedule_visit_reminder(patient, date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        run_due()
        assert sorted(email.to[0] for email in mail.outbox) == [
            "adult@example.org",
            "parent@example.org",
            "teen2@example.org",
        ]

    def test_a_patient_without_an_address_on_the_channel_is_reported_not_delivered(self, db, clock):
        message = schedule_visit_reminder(PatientFactory(email=""), date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert run_due() == {message.pk: "failed: no_address"}
        assert reload(message).badge == ("badge-bad", "Not delivered")

    def test_a_change_of_channel_after_scheduling_sends_once_on_the_new_channel(self, db, clock, capsys):
        patient = PatientFactory()
        message = schedule_visit_reminder(patient, date(2026, 5, 6))
        patient.preferred_channel, patient.phone = "sms", "+16175550199"
        patient.save()
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert run_due() == {message.pk: "cancelled: channel_changed"}
        assert run_due() == {message.pk + 1: "sent"}
        assert run_due() == {}
        assert mail.outbox == []
        assert capsys.readouterr().out.count("SMS to +16175550199") == 1
        assert set(OutboxMessage.objects.values_list("channel", "status")) == {
            ("email", Status.CANCELLED),
            ("sms", Status.SENT),
        }

    def test_a_reminder_that_could_not_go_before_its_date_expires(self, db, clock):
        message = schedule_visit_reminder(PatientFactory(), date(2026, 5, 6))
        clock.move_to(local(2026, 5, 7, 0, 1))
        assert run_due() == {message.pk: "cancelled: expired"}
        assert mail.outbox == []


class TestFailures:
    def test_a_temporary_smtp_failure_is_retried_after_the_back_off_and_sent_once(
        self, db, clock, smtp_settings, settings
    ):
        settings.REMINDER_RETRY_BASE_SECONDS = 300
        smtp_settings.refuse_next = ["451 4.3.0 Mailbox temporarily unavailable"]
        message = schedule_visit_reminder(PatientFactory(), date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert run_due() == {message.pk: "failed, will retry"}
        failed = reload(message)
        assert failed.will_retry and "451" in failed.last_error
        assert failed.next_attempt_at == local(2026, 5, 5, 9, 5)
        clock.move_to(local(2026, 5, 5, 9, 4, 59))
        assert run_due() == {}
        clock.move_to(local(2026, 5, 5, 9, 5))
        assert run_due() == {message.pk: "sent"}
        assert len(smtp_settings.messages) == 1
        assert reload(message).attempts == 2

    def test_a_permanent_smtp_refusal_is_not_retried(self, db, clock, smtp_settings):
        smtp_settings.refuse_next = ["550 5.1.1 No such user"]
        message = schedule_visit_reminder(PatientFactory(), date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert run_due() == {message.pk: "failed: rejected"}
        clock.move_to(local(2026, 5, 5, 18, 0))
        assert run_due() == {}
        assert reload(message).badge == ("badge-bad", "Not delivered")

    def test_an_unreachable_smtp_server_is_retried_until_the_attempt_limit(self, db, clock, settings):
        from tests.patients.smtp import free_port

        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
        settings.REMINDER_MAX_ATTEMPTS = 3
        message = schedule_visit_reminder(PatientFactory(), date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        outcomes = []
        for _ in range(5):
            outcomes += run_due().values()
            clock.shift(timedelta(hours=1))
        assert outcomes == ["failed, will retry", "failed, will retry", "failed: gave_up"]
        assert (reload(message).attempts, reload(message).reason) == (3, Reason.GAVE_UP)


class TestLostWorkers:
    def test_a_message_claimed_by_a_worker_that_died_is_sent_by_another_after_the_lease(self, db, clock, settings):
        settings.REMINDER_LEASE_SECONDS = 600
        message = schedule_visit_reminder(PatientFactory(), date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert sender.claim(message.pk) is not None  # ... and the worker is killed before sending
        clock.move_to(local(2026, 5, 5, 9, 9, 59))
        assert run_due() == {}
        clock.move_to(local(2026, 5, 5, 9, 10))
        assert run_due() == {message.pk: "sent"}
        assert len(mail.outbox) == 1
        assert reload(message).attempts == 2

    def test_a_message_whose_task_was_lost_in_the_queue_is_enqueued_again_after_the_lease(self, db, clock, settings):
        settings.REMINDER_LEASE_SECONDS = 600
        message = schedule_visit_reminder(PatientFactory(), date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        assert sender.take_due_batch(limit=10) == [message.pk]  # the task never runs
        clock.move_to(local(2026, 5, 5, 9, 9))
        assert sender.take_due_batch(limit=10) == []
        clock.move_to(local(2026, 5, 5, 9, 10))
        assert sender.take_due_batch(limit=10) == [message.pk]

    def test_a_message_that_keeps_killing_its_worker_stops_at_the_attempt_limit(self, db, clock, settings):
        settings.REMINDER_MAX_ATTEMPTS, settings.REMINDER_LEASE_SECONDS = 2, 600
        message = schedule_visit_reminder(PatientFactory(), date(2026, 5, 6))
        clock.move_to(local(2026, 5, 5, 9, 0))
        for _ in range(2):
            assert sender.claim(message.pk) is not None
            clock.shift(timedelta(minutes=11))
        assert run_due() == {message.pk: "failed: gave_up"}
        assert mail.outbox == []

    def test_an_attempt_that_outlived_its_lease_cannot_overwrite_the_outcome_of_the_one_that_took_over(
        self, transactional_db, smtp_settings, settings
    ):
        settings.REMINDER_LEASE_SECONDS = 600
        message = schedule_visit_reminder(PatientFactory(), timezone.localdate() + timedelta(days=1), send_at=time(0))
        smtp_settings.stall_after(0)  # the first attempt hangs on a slow server
        with time_machine.travel(datetime.now(tz=UTC), tick=True) as traveller:
            slow = threading.Thread(target=lambda: (sender.send_message(message.pk), connection.close()))
            slow.start()
            assert smtp_settings.stalled.wait(10)
            traveller.shift(timedelta(minutes=11))
            assert sender.send_message(message.pk) == "sent"  # the second attempt, after the lease
            smtp_settings.release()  # the slow server finally refuses the first attempt
            slow.join(10)
        final = reload(message)
        assert (final.status, final.attempts, final.last_error) == (Status.SENT, 2, "")
        assert len(smtp_settings.messages) == 1


class TestStaffDigest:
    def test_each_clinician_gets_a_digest_with_plain_counts(self, db, clock, prescriber, clinical_staff, settings):
        settings.REMINDER_DIGEST_HOUR = 7
        for patient in PatientFactory.create_batch(3):
            schedule_reminder(
                patient_id=patient.pk, kind=MessageKind.LABS_DUE, due_date=date(2026, 5, 8), send_on=date(2026, 5, 5)
            )
        clock.move_to(local(2026, 5, 5, 0, 5))
        schedule_staff_digests(day=date(2026, 5, 5))
        clock.move_to(local(2026, 5, 5, 7, 0))
        outcomes = run_due()
        assert sorted(outcomes.values()) == ["sent", "sent"]
        assert sorted(email.to[0] for email in mail.outbox) == [clinical_staff.email, prescriber.email]
        digest = next(email for email in mail.outbox if email.to == [prescriber.email])
        assert digest.body.startswith("Good morning Dr. Pat Prescriber,")
        assert "- Patient reminders going out today: 3" in digest.body
        assert "Testcase" not in digest.body

    def test_a_digest_with_nothing_to_report_is_not_sent(self, db, clock, prescriber):
        schedule_staff_digests(day=date(2026, 5, 4))
        clock.move_to(local(2026, 5, 4, 7, 0))
        assert list(run_due().values()) == ["cancelled: nothing_to_report"]
        assert mail.outbox == []

    def test_the_digest_of_someone_deactivated_since_scheduling_is_cancelled(self, db, clock, prescriber, settings):
        settings.STAFF_DIGEST_PROVIDER = "tests.patients.test_outbox_sending.worklist_counts"
        schedule_staff_digests(day=date(2026, 5, 4))
        prescriber.is_active = False
        prescriber.save()
        clock.move_to(local(2026, 5, 4, 7, 0))
        assert list(run_due().values()) == ["cancelled: unscheduled"]
        assert mail.outbox == []

    def test_the_summary_comes_from_the_provider_named_in_settings(self, db, clock, prescriber, settings):
        settings.STAFF_DIGEST_PROVIDER = "tests.patients.test_outbox_sending.worklist_counts"
        schedule_staff_digests(day=date(2026, 5, 4))
        clock.move_to(local(2026, 5, 4, 7, 0))
        run_due()
        [digest] = mail.outbox
        assert f"- Pregnancy tests due this week for user {prescriber.pk}: 4" in digest.body

    def test_a_provider_returning_anything_but_counts_sends_nothing(self, db, clock, prescriber, settings):
        settings.STAFF_DIGEST_PROVIDER = "tests.patients.test_outbox_sending.leaky_provider"
        schedule_staff_digests(day=date(2026, 5, 4))
        clock.move_to(local(2026, 5, 4, 7, 0))
        assert list(run_due().values()) == ["failed, will retry"]
        assert mail.outbox == []


def worklist_counts(user, day):
    return [(f"Pregnancy tests due this week for user {user.pk}", 4)]


def leaky_provider(user, day):
    return [("Patients due", "Robin Quimby")]
