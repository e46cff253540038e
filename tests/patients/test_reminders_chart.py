"""The chart's reminders section, the message texts in the Django admin, and the beat entries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from config.celery import app
from patients.outbox.models import MessageKind, MessageTemplate, Reason, Status
from tests.patients.factories import OutboxMessageFactory


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.CLINICAL_STAFF, Role.FRONT_DESK, Role.ADMIN])
def test_every_role_sees_the_reminders_sent_and_pending_on_the_chart(personas, client_for, patient, role):
    soon = datetime(2030, 6, 8, 13, 0, tzinfo=UTC)
    OutboxMessageFactory(patient=patient, kind=MessageKind.VISIT_1_DAY, send_after=soon)
    OutboxMessageFactory(
        patient=patient,
        kind=MessageKind.LABS_DUE,
        channel="sms",
        status=Status.SENT,
        send_after=datetime(2026, 2, 2, 14, 0, tzinfo=UTC),
        sent_at=datetime(2026, 2, 2, 14, 1, tzinfo=UTC),
    )
    OutboxMessageFactory(patient=patient, status=Status.CANCELLED, reason=Reason.OPTED_OUT)
    page = client_for(personas[role]).get(f"/patients/{patient.pk}/").content.decode()
    section = page.split('id="reminders-heading"', 1)[1].split("</section>", 1)[0]
    upcoming, past = section.split("Sent and closed")
    assert "Pending" in upcoming and "Visit tomorrow" in upcoming and "Sat 8 Jun 2030, 09:00" in upcoming
    assert "Sent" in past and "Labs due" in past and "text message (sms)" in past and "Mon 2 Feb 2026, 09:01" in past
    assert "Cancelled" in past and "patient opted out of reminders" in past


def test_a_patient_without_reminders_shows_that_none_are_scheduled(front_desk, client_for, patient):
    assert "No reminders scheduled yet." in client_for(front_desk).get(f"/patients/{patient.pk}/").content.decode()


def test_a_failed_message_waiting_for_its_retry_counts_as_upcoming(front_desk, client_for, patient):
    retry_at = timezone.now() + timedelta(minutes=5)
    OutboxMessageFactory(patient=patient, status=Status.FAILED, attempts=1, next_attempt_at=retry_at)
    page = client_for(front_desk).get(f"/patients/{patient.pk}/").content.decode()
    assert "Retrying" in page.split("Upcoming", 1)[1]


def test_an_admin_edits_a_message_text_and_a_forbidden_word_is_refused_next_to_the_field(admin_user, client_for):
    template = MessageTemplate.objects.get(kind=MessageKind.LABS_DUE, channel="sms")
    url = f"/admin/patients/messagetemplate/{template.pk}/change/"
    client = client_for(admin_user)
    refused = client.post(url, {"subject": "", "body": "$first_name, your Claravis labs are due $date"})
    assert refused.status_code == 200
    assert "must not mention the treatment" in refused.content.decode()
    accepted = client.post(url, {"subject": "", "body": "$clinic: $first_name, lab work due by $date."})
    assert accepted.status_code == 302
    template.refresh_from_db()
    assert template.body == "$clinic: $first_name, lab work due by $date."


def test_only_admins_edit_message_texts(personas):
    assert [role for role, user in personas.items() if user.has_perm("patients.change_messagetemplate")] == [Role.ADMIN]


def test_beat_runs_the_outbox_dispatch_every_minute_and_the_digest_scheduling_hourly():
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert schedule["outbox-dispatch"]["task"] == "patients.tasks.dispatch_due_messages"
    assert schedule["outbox-dispatch"]["schedule"] == 60.0
    assert schedule["staff-digests"]["task"] == "patients.tasks.schedule_staff_digests"
    for entry in schedule.values():
        assert entry["task"] in app.tasks
    assert app.conf.timezone == "UTC"
