"""The hourly visit-reminder sweep (courses.tasks.schedule_visit_reminders)."""

from datetime import timedelta

import pytest

from courses.tasks import schedule_visit_reminders
from courses.visits import reminders
from courses.visits.models import VisitStatus
from patients.outbox.models import MessageKind, OutboxMessage

from .conftest import MONDAY
from .factories import VisitFactory, at

WEDNESDAY = MONDAY + timedelta(days=2)


def test_the_sweep_run_twice_creates_each_reminder_once(db, monday_morning):
    visits = VisitFactory.create_batch(3, starts_at=at(WEDNESDAY, 11))
    assert schedule_visit_reminders() == 6
    assert schedule_visit_reminders() == 0
    assert reminders.sweep() == 0
    rows = OutboxMessage.objects.values_list("patient_id", "kind", "due_date", "context__time")
    assert sorted(rows) == sorted(
        (v.patient_id, kind, WEDNESDAY, "11:00")
        for v in visits
        for kind in (MessageKind.VISIT_2_DAYS, MessageKind.VISIT_1_DAY)
    )


def test_the_sweep_covers_scheduled_visits_of_the_next_three_days_only(db, monday_morning):
    soon = VisitFactory(starts_at=at(MONDAY + timedelta(days=1), 15))
    VisitFactory(starts_at=at(MONDAY + timedelta(days=4), 9))  # too far: next runs will
    VisitFactory(starts_at=at(WEDNESDAY, 9), status=VisitStatus.CANCELLED, cancel_reason="x")
    VisitFactory(starts_at=at(MONDAY - timedelta(days=1), 9), status=VisitStatus.NO_SHOW)
    assert reminders.sweep() == 1  # tomorrow's visit: "in 2 days" would have been yesterday
    assert list(OutboxMessage.objects.values_list("patient_id", "kind")) == [(soon.patient_id, MessageKind.VISIT_1_DAY)]


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_the_sweep_works_in_batches(db, monday_morning, batch_size):
    VisitFactory.create_batch(5, starts_at=at(WEDNESDAY, 11))
    assert reminders.sweep(batch_size=batch_size) == 10
    assert reminders.sweep(batch_size=batch_size) == 0
