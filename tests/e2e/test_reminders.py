"""Browser test: a reminder scheduled through the API shows on the chart for front desk, and
once the sender has run, as sent; the section is accessible."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.outbox import sender
from patients.outbox.models import MessageKind
from patients.reminders import schedule_reminder
from tests.factories import PatientFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e


def test_front_desk_sees_a_reminder_pending_then_sent_on_the_chart(page, login, front_desk):
    patient = PatientFactory(first_name="Robin", last_name="Okonkwo")
    today = timezone.localdate()
    message = schedule_reminder(
        patient_id=patient.pk,
        kind=MessageKind.VISIT_1_DAY,
        due_date=today + timedelta(days=1),
        send_on=today,
        send_at=time(0),
        context={"time": "10:30"},
    )
    login(front_desk)
    page.goto(f"/patients/{patient.pk}/")
    reminders = page.get_by_role("region", name="Reminders")
    expect(reminders.get_by_role("listitem").filter(has_text="Visit tomorrow")).to_contain_text("Pending")
    assert_accessible(page)

    assert sender.send_message(message.pk) == "sent"
    page.reload()
    expect(reminders.get_by_role("listitem").filter(has_text="Visit tomorrow")).to_contain_text("Sent")
    expect(reminders).to_contain_text("Sent and closed")
