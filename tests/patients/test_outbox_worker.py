"""The outbox end to end with real processes: a Celery worker on Redis and a local SMTP server.

The worker gets the SMTP server's address (ISOTRACK_TEST_EMAIL_URL) and a short lease
(REMINDER_LEASE_SECONDS) through its environment. The test sends the dispatch task through
the queue, as beat does every minute.
"""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from patients import tasks
from patients.outbox.models import MessageKind, OutboxMessage, Status
from patients.reminders import Reminder, schedule_reminder, schedule_reminders
from tests.factories import PatientFactory
from tests.workers import wait_until

pytestmark = pytest.mark.integration

LEASE_SECONDS = 6


@pytest.fixture
def worker_env(monkeypatch, smtp_server):
    monkeypatch.setenv("ISOTRACK_TEST_EMAIL_URL", f"smtp://127.0.0.1:{smtp_server.port}")
    monkeypatch.setenv("REMINDER_LEASE_SECONDS", str(LEASE_SECONDS))
    monkeypatch.setenv("CLINIC_NAME", "Elm Street Skin Clinic")
    return smtp_server


def due_now() -> dict:
    today = timezone.localdate()
    return {"due_date": today + timedelta(days=1), "send_on": today, "send_at": time(0)}


def statuses() -> dict[str, int]:
    counts = {}
    for status in OutboxMessage.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a_visit_reminder_scheduled_through_the_api_is_delivered_by_a_worker_over_smtp(worker_env, start_celery_worker):
    smtp = worker_env
    patient = PatientFactory(first_name="Robin", last_name="Quimby", mrn="MRN990001", email="robin@example.org")
    message = schedule_reminder(
        patient_id=patient.pk, kind=MessageKind.VISIT_1_DAY, context={"time": "14:30"}, **due_now()
    )
    worker = start_celery_worker()
    tasks.dispatch_due_messages.delay()
    wait_until(lambda: OutboxMessage.objects.filter(pk=message.pk, status=Status.SENT).exists(), timeout=30)

    [received] = smtp.messages
    email = received["message"]
    assert received["to"] == ["robin@example.org"]
    body = email.get_content()
    assert "Robin" in body and "2:30 PM" in body and "Elm Street Skin Clinic" in body
    assert "Quimby" not in body and "MRN990001" not in body
    assert OutboxMessage.objects.get(pk=message.pk).provider_message_id == email["Message-ID"]
    assert f"outbox message {message.pk}: sent" in worker.output()


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing_and_duplicates_nothing(worker_env, start_celery_worker):
    smtp = worker_env
    patients = PatientFactory.create_batch(8)
    schedule_reminders([Reminder(p.pk, MessageKind.LABS_DUE, **due_now()) for p in patients])
    smtp.stall_after(3)  # the 4th message hangs at the SMTP server...

    first = start_celery_worker()
    tasks.dispatch_due_messages.delay()
    assert smtp.stalled.wait(30), first.output()
    first.kill()  # ... and its worker is killed (SIGKILL) while waiting for the answer
    smtp.release()
    assert statuses() == {Status.SENT: 3, Status.SENDING: 1, Status.PENDING: 4}
    [abandoned] = OutboxMessage.objects.filter(status=Status.SENDING)

    second = start_celery_worker()
    # The queued tasks for the four pending messages are taken by the second worker; the
    # abandoned one is reclaimed by a dispatch (beat, every minute) once its lease expired.
    wait_until(lambda: statuses().get(Status.SENT) == 7, timeout=30)

    def all_sent():
        tasks.dispatch_due_messages.delay()
        return statuses() == {Status.SENT: 8}

    wait_until(all_sent, timeout=LEASE_SECONDS + 30, interval=1)
    delivered = sorted(received["to"][0] for received in smtp.messages)
    assert delivered == sorted(p.email for p in patients)  # each patient exactly once
    assert len({received["message"]["Message-ID"] for received in smtp.messages}) == 8
    assert OutboxMessage.objects.get(pk=abandoned.pk).attempts == 2
    assert "reclaimed while" not in second.output()
