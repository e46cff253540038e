"""Scheduling messages: the API that other apps' sweeps and services call.

    from patients.outbox.models import MessageKind
    from patients.reminders import Reminder, cancel_reminders, schedule_reminder, schedule_reminders

    schedule_reminder(patient_id=p.id, kind=MessageKind.VISIT_1_DAY, due_date=visit_day,
                      send_on=visit_day - timedelta(days=1), context={"time": "14:30"})
    schedule_reminders(Reminder(...) for ... in open_courses)   # bulk: a few queries per 1,000
    cancel_reminders(patient_id=p.id, due_date=old_day, kinds=[MessageKind.VISIT_1_DAY, ...])

Scheduling is idempotent: a reminder is identified by (patient, kind, due date), and one that
is already scheduled (or sent) is left alone, so a sweep may run as often as it likes, and two
at once, and each reminder exists once (the database's unique key settles a race). Message
times are clinic-local: ``send_on`` at ``send_at`` (default ``REMINDER_SEND_HOUR``:00) on the
clinic's clocks. The channel is the patient's preferred one at scheduling; the sender follows
a later change of preference, of opt-out and of quiet hours (see ``outbox.sender``).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import acting

from .models import Channel, Patient
from .outbox import clock, digest, texts
from .outbox.models import LIVE_STATUSES, MessageKind, OutboxMessage, Reason, Status

PATIENT_KINDS = frozenset(MessageKind.values) - {MessageKind.STAFF_DIGEST}
# A message cancelled for one of these reasons is scheduled again when asked (a visit moved
# back to its first date; a patient who opted back in; a channel changed back).
REVIVABLE_REASONS = frozenset({Reason.UNSCHEDULED, Reason.CHANNEL_CHANGED, Reason.OPTED_OUT})


@dataclass(frozen=True)
class Reminder:
    patient_id: int
    kind: str
    due_date: date  # the date the reminder is about: the visit, the day a test is due by
    send_on: date  # the clinic-local day to send it
    context: Mapping[str, str] = field(default_factory=dict)  # e.g. {"time": "14:30"} for visits
    send_at: time | None = None  # clinic-local time of day; default REMINDER_SEND_HOUR


def schedule_reminder(
    *,
    patient_id: int,
    kind: str,
    due_date: date,
    send_on: date,
    context: Mapping[str, str] | None = None,
    send_at: time | None = None,
    actor=None,
) -> OutboxMessage | None:
    """Schedule one reminder; returns its message (new or already there), or None when
    ``send_on`` has already passed."""
    reminder = Reminder(patient_id, kind, due_date, send_on, context or {}, send_at)
    schedule_reminders([reminder], actor=actor)
    live = OutboxMessage.objects.filter(patient_id=patient_id, kind=kind, due_date=due_date, status__in=LIVE_STATUSES)
    return live.first()


def schedule_reminders(reminders: Iterable[Reminder], *, actor=None, batch_size: int = 1000) -> int:
    """Schedule many reminders; returns how many were not scheduled before.

    Reminders whose ``send_on`` is before today are skipped (too late to be useful). Raises
    ValidationError (keys: kind, send_on, context, patient_id) for a malformed reminder, before
    anything of its batch is written. The count can include a reminder that a concurrent
    sweep inserted at the same moment; the row itself exists once.

    Call it outside any transaction: each batch then commits on its own. Inside an outer
    atomic block every batch becomes a savepoint and PostgreSQL's row locks for the foreign
    keys pile up across them (20,000 courses took twice as long in the benchmark).
    """
    iterator = iter(reminders)
    created = 0
    while batch := list(islice(iterator, batch_size)):
        created += _schedule_batch(batch, actor)
    return created


def _validated_context(reminder: Reminder) -> dict[str, str]:
    if reminder.kind not in PATIENT_KINDS:
        raise ValidationError({"kind": f"Unknown patient reminder kind {reminder.kind!r}."})
    if reminder.send_on > reminder.due_date:
        raise ValidationError({"send_on": "A reminder is sent on or before the date it is about."})
    try:
        return texts.clean_context(reminder.kind, reminder.context)
    except ValueError as error:
        raise ValidationError({"context": str(error)}) from error


def _schedule_batch(batch: list[Reminder], actor) -> int:
    """Steps: validate; drop reminders whose day has passed; read the patients' channel and
    opt-out (one query) and the messages already scheduled for these keys (one query); insert
    the new ones with ON CONFLICT DO NOTHING (a concurrent sweep may have inserted them since
    we looked) and bring back those cancelled for a reason that no longer holds."""
    contexts = [_validated_context(reminder) for reminder in batch]
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    default_time = time(settings.REMINDER_SEND_HOUR)
    wanted = [(r, c) for r, c in zip(batch, contexts, strict=True) if r.send_on >= today]
    if not wanted:
        return 0
    patient_ids = {r.patient_id for r, _ in wanted}
    patients = {
        pk: (channel, opted_out)
        for pk, channel, opted_out in Patient.objects.filter(pk__in=patient_ids).values_list(
            "pk", "preferred_channel", "reminder_opt_out"
        )
    }
    missing = patient_ids - patients.keys()
    if missing:
        raise ValidationError({"patient_id": f"No patient with id {min(missing)}."})
    scheduled = defaultdict(dict)  # (patient, kind, due date) -> {channel: (status, reason)}
    for pk, kind, due_date, channel, status, reason in OutboxMessage.objects.filter(
        patient_id__in=patient_ids, kind__in={r.kind for r, _ in wanted}, due_date__in={r.due_date for r, _ in wanted}
    ).values_list("patient_id", "kind", "due_date", "channel", "status", "reason"):
        scheduled[(pk, kind, due_date)][channel] = (status, reason)

    new, revived = [], []
    for reminder, context in wanted:
        key = (reminder.patient_id, reminder.kind, reminder.due_date)
        existing = scheduled.setdefault(key, {})
        # Scheduled already: on this channel, or on the one the patient preferred before.
        if any(status in LIVE_STATUSES for status, _ in existing.values()):
            continue
        channel, opted_out = patients[reminder.patient_id]
        send_after = clock.clinic_instant(reminder.send_on, reminder.send_at or default_time, tz)
        row = OutboxMessage(
            patient_id=reminder.patient_id,
            kind=reminder.kind,
            due_date=reminder.due_date,
            channel=channel,
            send_after=send_after,
            next_attempt_at=send_after,
            context=context,
        )
        if channel not in existing:
            new.append(row)
        elif existing[channel][1] in REVIVABLE_REASONS and not (existing[channel][1] == Reason.OPTED_OUT and opted_out):
            revived.append(row)
        else:
            continue
        existing[channel] = (Status.PENDING, "")  # a reminder listed twice in one call counts once

    with acting(actor), transaction.atomic():
        OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
        for row in revived:
            OutboxMessage.objects.filter(
                patient_id=row.patient_id, kind=row.kind, due_date=row.due_date, channel=row.channel
            ).filter(status=Status.CANCELLED).update(
                status=Status.PENDING,
                reason="",
                attempts=0,
                last_error="",
                send_after=row.send_after,
                next_attempt_at=row.next_attempt_at,
                context=row.context,
                updated_at=timezone.now(),
            )
    return len(new) + len(revived)


def _cancel(messages) -> int:
    """Cancel those of ``messages`` that have not gone out. The status condition is part of
    the UPDATE, so a message the sender claims at this very moment is left alone."""
    return messages.filter(status__in=[Status.PENDING, Status.FAILED]).update(
        status=Status.CANCELLED, reason=Reason.UNSCHEDULED, next_attempt_at=None, updated_at=timezone.now()
    )


def cancel_reminders(*, patient_id: int, due_date: date, kinds: Iterable[str], actor=None) -> int:
    """Cancel the reminders about ``due_date`` that have not gone out (e.g. the visit was moved
    or cancelled); returns how many. A message being sent at this very moment is not stopped."""
    with acting(actor), transaction.atomic():
        return _cancel(OutboxMessage.objects.filter(patient_id=patient_id, due_date=due_date, kind__in=list(kinds)))


def cancel_reminders_except(
    *, patient_ids: Iterable[int], kinds: Iterable[str], keep: set[tuple[int, str, date]], actor=None
) -> int:
    """Cancel the still-live reminders of ``kinds`` for these patients whose (patient, kind,
    due date) is not in ``keep``: how a sweep withdraws what no longer applies (a test done
    early). A final failure is history, not a reminder to withdraw. Returns how many."""
    live = OutboxMessage.objects.filter(patient_id__in=list(patient_ids), kind__in=list(kinds)).filter(
        Q(status=Status.PENDING) | Q(status=Status.FAILED, next_attempt_at__isnull=False)
    )
    unwanted = [
        pk
        for pk, patient_id, kind, due_date in live.values_list("pk", "patient_id", "kind", "due_date")
        if (patient_id, kind, due_date) not in keep
    ]
    if not unwanted:
        return 0
    with acting(actor), transaction.atomic():
        return _cancel(OutboxMessage.objects.filter(pk__in=unwanted))


def schedule_staff_digests(*, day: date, user_ids: Iterable[int] | None = None, actor=None) -> int:
    """Schedule ``day``'s digest email for every active prescriber and clinical staff member
    (or those of ``user_ids`` among them) at ``REMINDER_DIGEST_HOUR`` clinic time; returns how
    many were not scheduled before. Idempotent like the patient reminders."""
    recipients = digest.digest_recipients()
    if user_ids is not None:
        recipients = recipients.filter(pk__in=list(user_ids))
    send_after = clock.clinic_instant(day, time(settings.REMINDER_DIGEST_HOUR), timezone.get_current_timezone())
    already = OutboxMessage.objects.filter(kind=MessageKind.STAFF_DIGEST, due_date=day, staff__in=recipients)
    rows = [
        OutboxMessage(
            staff_id=user_id,
            kind=MessageKind.STAFF_DIGEST,
            channel=Channel.EMAIL,
            due_date=day,
            send_after=send_after,
            next_attempt_at=send_after,
        )
        for user_id in recipients.exclude(pk__in=already.values("staff_id")).values_list("pk", flat=True)
    ]
    with acting(actor), transaction.atomic():
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
