"""Visit reminders through ``patients.reminders``: 2 days before and the day before, at
``REMINDER_SEND_HOUR`` clinic time, with the visit's clinic-local time in the text.

A reminder is keyed by (patient, kind, due date): two visits of one patient on one day share
their reminders, so a visit's reminders are cancelled only when no other live visit of the
patient falls on that day.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.utils import timezone

from patients.outbox.models import MessageKind
from patients.reminders import Reminder, cancel_reminders, schedule_reminders

from .hours import day_bounds
from .models import Visit, VisitStatus

VISIT_KINDS = (MessageKind.VISIT_2_DAYS, MessageKind.VISIT_1_DAY)
DAYS_BEFORE = {MessageKind.VISIT_2_DAYS: 2, MessageKind.VISIT_1_DAY: 1}
SWEEP_AHEAD = timedelta(days=3)


def visit_reminders(patient_id: int, starts_at: datetime) -> list[Reminder]:
    local = timezone.localtime(starts_at)
    day = local.date()
    context = {"time": local.strftime("%H:%M")}
    return [Reminder(patient_id, kind, day, day - timedelta(days=DAYS_BEFORE[kind]), context) for kind in VISIT_KINDS]


def schedule_for(visit: Visit, *, actor=None) -> int:
    return schedule_reminders(visit_reminders(visit.patient_id, visit.starts_at), actor=actor)


def cancel_for(*, patient_id: int, starts_at: datetime, except_visit_id: int, actor=None) -> int:
    """Cancel the reminders of the visit at ``starts_at`` unless another live visit of the
    patient falls on the same clinic-local day (the reminders are that visit's too)."""
    day = timezone.localtime(starts_at).date()
    start, end = day_bounds(day)
    others = Visit.objects.filter(
        patient_id=patient_id, status=VisitStatus.SCHEDULED, starts_at__gte=start, starts_at__lt=end
    ).exclude(pk=except_visit_id)
    if others.exists():
        return 0
    return cancel_reminders(patient_id=patient_id, due_date=day, kinds=VISIT_KINDS, actor=actor)


def _upcoming(now: datetime, batch_size: int) -> Iterator[Reminder]:
    visits = (
        Visit.objects.filter(status=VisitStatus.SCHEDULED, starts_at__gte=now, starts_at__lt=now + SWEEP_AHEAD)
        .order_by("starts_at", "id")
        .values_list("patient_id", "starts_at")
    )
    for patient_id, starts_at in visits.iterator(chunk_size=batch_size):
        yield from visit_reminders(patient_id, starts_at)


def sweep(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """(Re)schedule the reminders of every scheduled visit of the next 3 days; returns how many
    were new. Idempotent (the outbox's unique key); call it outside a transaction, so that each
    batch commits on its own (see ``patients.reminders.schedule_reminders``). A reminder whose
    day has passed is skipped by the reminders API."""
    return schedule_reminders(_upcoming(now or timezone.now(), batch_size), batch_size=batch_size)


def reminders_of(visits: Iterable[Visit]) -> list[Reminder]:
    return [r for v in visits for r in visit_reminders(v.patient_id, v.starts_at)]
