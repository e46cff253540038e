"""The compliance reminder sweep (issue 6): the stored checklists become outbox rows once, and
reminders no checklist asks for any more are withdrawn before they go out."""

from datetime import timedelta

import pytest
import time_machine

from ipledge import reminder_sweep, status, tasks
from patients.outbox.models import MessageKind, OutboxMessage, Reason, Status
from patients.reminders import schedule_reminder

from .records import NOON, TODAY, days_before, enrolled_course, negative_test, ready_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def messages_of(patient):
    return sorted(
        OutboxMessage.objects.filter(patient=patient).values_list("kind", "due_date", "status"),
        key=lambda row: (row[0], row[1]),
    )


def test_a_ready_course_gets_its_pickup_window_reminder_on_day_5_of_7_once_however_often_the_sweep_runs(
    prescriber, clinical_staff
):
    course = ready_course(prescriber, clinical_staff)
    status.recompute([course.pk])
    window_end = days_before(2) + timedelta(days=6)

    first = reminder_sweep.sweep()
    second = reminder_sweep.sweep()

    assert first["scheduled"] >= 1 and second == {**first, "scheduled": 0}
    pickup = OutboxMessage.objects.get(patient=course.patient, kind=MessageKind.PICKUP_WINDOW_CLOSING)
    assert pickup.due_date == window_end and pickup.status == Status.PENDING
    local_send = pickup.send_after.astimezone(NOON.tzinfo)
    assert local_send.date() == window_end - timedelta(days=2)
    assert OutboxMessage.objects.filter(patient=course.patient).count() == len(messages_of(course.patient))


def test_a_pregnancy_test_reminder_is_withdrawn_when_the_test_is_done_before_it_goes_out(prescriber, clinical_staff):
    course = enrolled_course(prescriber)
    status.recompute([course.pk])
    reminder_sweep.sweep()
    due = OutboxMessage.objects.filter(patient=course.patient, kind=MessageKind.PREGNANCY_TEST_DUE)
    assert due.filter(status=Status.PENDING).exists(), "a course without this month's test is reminded of it"

    negative_test(clinical_staff, course.patient, TODAY)
    status.recompute([course.pk])
    result = reminder_sweep.sweep()

    assert result["cancelled"] >= 1
    assert set(due.values_list("status", "reason")) == {(Status.CANCELLED, Reason.UNSCHEDULED)}


def test_the_sweep_leaves_sent_reminders_and_other_kinds_alone(prescriber, clinical_staff):
    course = ready_course(prescriber, clinical_staff)
    status.recompute([course.pk])
    patient_id = course.patient_id
    visit = schedule_reminder(
        patient_id=patient_id,
        kind=MessageKind.VISIT_1_DAY,
        due_date=TODAY + timedelta(days=3),
        send_on=TODAY + timedelta(days=2),
        context={"time": "09:30"},
    )
    stale_labs = schedule_reminder(
        patient_id=patient_id,
        kind=MessageKind.LABS_DUE,
        due_date=TODAY + timedelta(days=9),
        send_on=TODAY + timedelta(days=6),
    )
    sent_labs = schedule_reminder(
        patient_id=patient_id, kind=MessageKind.LABS_DUE, due_date=TODAY + timedelta(days=1), send_on=TODAY
    )
    OutboxMessage.objects.filter(pk=sent_labs.pk).update(status=Status.SENT, sent_at=NOON)

    reminder_sweep.sweep()

    statuses = dict(
        OutboxMessage.objects.filter(pk__in=[visit.pk, stale_labs.pk, sent_labs.pk]).values_list("pk", "status")
    )
    assert statuses == {visit.pk: Status.PENDING, stale_labs.pk: Status.CANCELLED, sent_labs.pk: Status.SENT}


def test_the_hourly_status_task_schedules_the_reminders_of_the_statuses_it_has_just_brought_up_to_date(
    prescriber, clinical_staff
):
    course = ready_course(prescriber, clinical_staff)  # no status row yet: the listeners run on commit
    assert not OutboxMessage.objects.filter(patient=course.patient).exists()

    tasks.sweep_course_statuses()

    assert OutboxMessage.objects.filter(patient=course.patient, kind=MessageKind.PICKUP_WINDOW_CLOSING).exists()
