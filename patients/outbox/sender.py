"""Finding due messages and sending one: claim, check, send, record.

Both functions are called by the Celery tasks in ``patients/tasks.py`` (ids in, ids out) and
are safe to run any number of times, in any number of workers at once: the row's status,
changed only by conditional updates, decides who does what. See the package docstring for
the delivery guarantee.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from . import channels, clock, digest, recipients, texts
from .models import MessageTemplate, OutboxMessage, Reason, Status

logger = logging.getLogger(__name__)


def _lease() -> timedelta:
    return timedelta(seconds=settings.REMINDER_LEASE_SECONDS)


def _claimable(now: datetime) -> Q:
    """Due for a (first or next) attempt, or claimed by a worker that did not finish in time."""
    return Q(status__in=[Status.PENDING, Status.FAILED], next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lte=now - _lease()
    )


def _set(rows: QuerySet, **fields) -> int:
    # QuerySet.update() does not touch auto_now fields; the digest counts use updated_at.
    return rows.update(updated_at=timezone.now(), **fields)


def take_due_batch(*, limit: int) -> list[int]:
    """Ids of up to ``limit`` messages to enqueue now, marked as enqueued.

    A message is taken when it is claimable and no send task for it was enqueued within the
    lease: a task queued a minute ago is still waiting behind others and needs no twin, while a
    task lost with a killed worker is replaced once the lease has passed.
    """
    now = timezone.now()
    with transaction.atomic():
        # SKIP LOCKED: two dispatchers running at once take different rows instead of
        # enqueueing the same ones (which would be harmless, the claim decides, but wasteful).
        ids = list(
            OutboxMessage.objects.filter(_claimable(now))
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - _lease()))
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        OutboxMessage.objects.filter(id__in=ids).update(enqueued_at=now)
    return ids


def claim(message_id: int) -> OutboxMessage | None:
    """Make this worker the one that sends the message, or None when it is not ours to send
    (already sent or cancelled, not yet due, or claimed by another worker within its lease).

    The conditional UPDATE is atomic: of any number of workers claiming at once, one changes
    the row and the others find it no longer matches. Each claim counts as an attempt, so a
    message that keeps killing its worker still reaches the attempt limit.
    """
    now = timezone.now()
    claimed = _set(
        OutboxMessage.objects.filter(_claimable(now), pk=message_id),
        status=Status.SENDING,
        claimed_at=now,
        enqueued_at=None,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return OutboxMessage.objects.select_related("patient", "staff").get(pk=message_id)


def send_message(message_id: int) -> str:
    """Send one message if it is due; returns what happened, for the log.

    Steps: claim the row; check it against the attempt limit, its date and the recipient's
    current preferences (opted out: cancel; another channel now preferred: move it there;
    quiet hours: hand it back with the time they end); render the text; hand it to the
    channel; record the outcome (sent, or failed with a retry time or for good). Every write
    after the claim is fenced by the attempt number, so an attempt whose lease expired and
    whose row was reclaimed cannot overwrite the newer attempt's outcome.
    """
    message = claim(message_id)
    if message is None:
        return "not claimable"
    mine = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, attempts=message.attempts)
    try:
        return _attempt(message, mine)
    except Exception:
        # A bug or an unreadable row must not keep the message claimed until the lease expires.
        logger.exception("outbox message %s attempt %s raised", message.pk, message.attempts)
        return _record_failure(message, mine, channels.RetryableError("unexpected error, see the worker log"))


def _attempt(message: OutboxMessage, mine: QuerySet) -> str:
    now = timezone.now()
    tz = timezone.get_current_timezone()
    if message.attempts > settings.REMINDER_MAX_ATTEMPTS:
        return _close(mine, Status.FAILED, Reason.GAVE_UP, "claimed too often without an outcome (worker lost?)")
    if clock.local_date(now, tz) > message.due_date:
        return _close(mine, Status.CANCELLED, Reason.EXPIRED)
    recipient = _patient_recipient(message, mine, now, tz) if message.patient_id else _staff_recipient(message, mine)
    if isinstance(recipient, str):
        return recipient  # closed or handed back: nothing to send now
    address, values = recipient
    if not address:
        return _close(mine, Status.FAILED, Reason.NO_ADDRESS, f"no {message.channel} address on file")

    template = MessageTemplate.objects.filter(kind=message.kind, channel=message.channel).first()
    if template is None:
        return _close(mine, Status.FAILED, Reason.NO_TEMPLATE, "no template for this kind and channel")
    outgoing = channels.Outgoing(
        key=f"outbox-{message.pk}",
        address=address,
        subject=texts.render(template.subject, values),
        body=texts.render(template.body, values),
    )
    try:
        provider_id = channels.deliver(message.channel, outgoing)
    except channels.DeliveryError as error:
        return _record_failure(message, mine, error)
    recorded = _set(
        mine,
        status=Status.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_id[:200],
        address=outgoing.address,
        subject=outgoing.subject,
        body=outgoing.body,
        next_attempt_at=None,
        last_error="",
        reason="",
    )
    if not recorded:
        logger.warning("outbox message %s was reclaimed while attempt %s was sending", message.pk, message.attempts)
    return "sent"


def _patient_recipient(message: OutboxMessage, mine: QuerySet, now, tz) -> str | tuple[str, dict]:
    """(address, placeholder values), or the outcome when the patient's current preferences
    say not now (quiet hours), not here (another channel) or not at all (opted out)."""
    patient = message.patient
    if patient.reminder_opt_out:
        return _close(mine, Status.CANCELLED, Reason.OPTED_OUT)
    if patient.preferred_channel != message.channel:
        return _move_to_channel(message, mine, patient.preferred_channel)
    quiet_end = clock.quiet_until(now, patient.quiet_hours_start, patient.quiet_hours_end, tz)
    if quiet_end:
        # Not an attempt: give the claim back, with the time the message may go.
        _set(mine, status=Status.PENDING, next_attempt_at=quiet_end, claimed_at=None, attempts=F("attempts") - 1)
        return "deferred to the end of quiet hours"
    return recipients.patient_address(patient, message.channel), _values(message, patient.first_name)


def _staff_recipient(message: OutboxMessage, mine: QuerySet) -> str | tuple[str, dict]:
    """(address, placeholder values) of a staff digest, or the outcome when there is none to send."""
    if not message.staff.is_active:
        return _close(mine, Status.CANCELLED, Reason.UNSCHEDULED)
    lines = digest.summary_for(message.staff, message.due_date)
    if not any(count for _, count in lines):
        return _close(mine, Status.CANCELLED, Reason.NOTHING_TO_REPORT)
    values = _values(message, message.staff.get_full_name()) | {"summary": digest.format_summary(lines)}
    return recipients.staff_address(message.staff), values


def _values(message: OutboxMessage, first_name: str) -> dict[str, str]:
    return texts.placeholder_values(
        first_name=first_name, due_date=message.due_date, clinic=settings.CLINIC_NAME, context=message.context
    )


def _close(mine: QuerySet, status: str, reason: str, error: str = "") -> str:
    _set(mine, status=status, reason=reason, last_error=error, next_attempt_at=None)
    return f"{status}: {reason}"


def _record_failure(message: OutboxMessage, mine: QuerySet, error: channels.DeliveryError) -> str:
    # Provider texts may echo an address: they go to the row (admins), not to the log.
    logger.info("outbox message %s attempt %s failed (retryable: %s)", message.pk, message.attempts, error.retryable)
    if error.retryable and message.attempts < settings.REMINDER_MAX_ATTEMPTS:
        delay = clock.retry_delay(message.attempts, timedelta(seconds=settings.REMINDER_RETRY_BASE_SECONDS))
        _set(mine, status=Status.FAILED, next_attempt_at=timezone.now() + delay, last_error=str(error)[:500])
        return "failed, will retry"
    return _close(mine, Status.FAILED, Reason.GAVE_UP if error.retryable else Reason.REJECTED, str(error)[:500])


def _move_to_channel(message: OutboxMessage, mine: QuerySet, channel: str) -> str:
    """The patient now prefers another channel: cancel this message and schedule its twin
    there, due at once (or bring back a twin cancelled by an earlier change of mind)."""
    now = timezone.now()
    twin = {"patient_id": message.patient_id, "kind": message.kind, "due_date": message.due_date, "channel": channel}
    with transaction.atomic():
        OutboxMessage.objects.bulk_create(
            [OutboxMessage(**twin, send_after=message.send_after, next_attempt_at=now, context=message.context)],
            ignore_conflicts=True,
        )
        _set(
            OutboxMessage.objects.filter(**twin, status=Status.CANCELLED, reason=Reason.CHANNEL_CHANGED),
            status=Status.PENDING,
            reason="",
            next_attempt_at=now,
        )
        return _close(mine, Status.CANCELLED, Reason.CHANNEL_CHANGED)
