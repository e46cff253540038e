"""Outbox rows and the admin-editable texts of each kind of message.

Imported by ``patients/models.py`` (at its end, after ``Patient`` and ``Channel`` exist), so
these models belong to the ``patients`` app and its migrations.
"""

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from patients.models import Channel, Patient

from . import texts


class MessageKind(models.TextChoices):
    """What a message is about. A new kind needs a choice here, its placeholders in
    ``texts.PLACEHOLDERS_BY_KIND`` and its texts in a data migration."""

    VISIT_2_DAYS = "visit_2_days", "Visit in 2 days"
    VISIT_1_DAY = "visit_1_day", "Visit tomorrow"
    LABS_DUE = "labs_due", "Labs due"
    PREGNANCY_TEST_DUE = "pregnancy_test_due", "Pregnancy test due"
    PICKUP_WINDOW_CLOSING = "pickup_window_closing", "Pickup window closing"
    POST_TREATMENT_TEST = "post_treatment_test", "Post-treatment test"
    STAFF_DIGEST = "staff_digest", "Daily digest (staff)"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    # With next_attempt_at: the last attempt failed and another is scheduled. Without: final.
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# A message in any of these counts as scheduled (a cancelled one may be scheduled anew elsewhere).
LIVE_STATUSES = [Status.PENDING, Status.SENDING, Status.SENT, Status.FAILED]


class Reason(models.TextChoices):
    """Why a message was cancelled or finally failed: a fixed vocabulary, safe to show on the
    chart (the provider's own error text, which may echo an address, stays in last_error)."""

    OPTED_OUT = "opted_out", "patient opted out of reminders"
    EXPIRED = "expired", "the date it was about had passed"
    CHANNEL_CHANGED = "channel_changed", "preferred channel changed"
    UNSCHEDULED = "unscheduled", "no longer needed"
    NOTHING_TO_REPORT = "nothing_to_report", "nothing to report"
    NO_ADDRESS = "no_address", "no address on file for this channel"
    NO_TEMPLATE = "no_template", "no message text for this kind and channel"
    REJECTED = "rejected", "refused by the provider"
    GAVE_UP = "gave_up", "too many failed attempts"


@pghistory.track()
class MessageTemplate(models.Model):
    """The text of one kind of message on one channel. Placeholders (``$first_name``, ``$date``,
    ``$clinic``, and per kind ``$time`` or ``$summary``) carry the minimum necessary. Edited in
    the Django admin; every change is audited with its before/after."""

    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    subject = models.CharField(max_length=150, blank=True, help_text="Email only.")
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [models.UniqueConstraint(fields=["kind", "channel"], name="message_template_kind_channel")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()})"

    def clean(self):
        errors = {}
        for field in ("subject", "body"):
            problem = texts.template_problem(getattr(self, field), self.kind)
            if problem:
                errors[field] = problem
        if self.channel == Channel.EMAIL and not self.subject.strip():
            errors["subject"] = "An email needs a subject."
        if self.channel == Channel.SMS and len(self.body) > texts.SMS_TEMPLATE_MAX_LENGTH:
            errors["body"] = f"Keep text messages under {texts.SMS_TEMPLATE_MAX_LENGTH} characters."
        if errors:
            raise ValidationError(errors)


# Snapshots on insert and on changes of status, attempts or outcome; the dispatcher's
# bookkeeping (enqueued_at, claimed_at, next_attempt_at) would only add noise to the history.
@pghistory.track(
    exclude=["enqueued_at", "claimed_at", "next_attempt_at", "updated_at"], model_name="OutboxMessageEvent"
)
class OutboxMessage(models.Model):
    """One message to one recipient: a patient (or their guardian) or a staff member."""

    # Exactly one of the two is set (outbox_one_recipient_of_the_right_kind); blank lets a stored
    # row pass full_clean (the hostile-input test checks every row a form's POST wrote).
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="messages")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    due_date = models.DateField(help_text="The clinic-local date the message is about (visit, test due by, ...).")
    send_after = models.DateTimeField(help_text="When it is scheduled to go out (stored in UTC).")
    # Extra placeholders a kind needs (a visit's time), validated by texts.validate_context.
    context = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # What went out, recorded at sending: the address used and the rendered text.
    address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-send_after", "-id"]
        indexes = [
            # The dispatcher's two questions: which rows are due, which claims were abandoned.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[Status.PENDING, Status.FAILED]),
                name="outbox_due",
            ),
            models.Index(fields=["claimed_at"], condition=Q(status=Status.SENDING), name="outbox_claimed"),
            models.Index(fields=["patient", "-send_after"], name="outbox_patient_recent"),
        ]
        constraints = [
            # Scheduling is idempotent: one message per recipient, kind, due date and channel.
            models.UniqueConstraint(
                fields=["patient", "kind", "due_date", "channel"],
                condition=Q(patient__isnull=False),
                name="outbox_patient_message_once",
            ),
            models.UniqueConstraint(
                fields=["staff", "kind", "due_date", "channel"],
                condition=Q(staff__isnull=False),
                name="outbox_staff_message_once",
            ),
            models.CheckConstraint(
                condition=(Q(patient__isnull=False) & Q(staff__isnull=True) & ~Q(kind=MessageKind.STAFF_DIGEST))
                | (Q(patient__isnull=True) & Q(staff__isnull=False) & Q(kind=MessageKind.STAFF_DIGEST)),
                name="outbox_one_recipient_of_the_right_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.PENDING) | Q(next_attempt_at__isnull=False), name="outbox_pending_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.SENDING) | Q(claimed_at__isnull=False), name="outbox_sending_is_claimed"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.SENT) | Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.CANCELLED) | ~Q(reason=""), name="outbox_cancelled_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.FAILED) | Q(next_attempt_at__isnull=False) | ~Q(reason=""),
                name="outbox_final_failure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} ({self.kind}, {self.status})"

    @property
    def will_retry(self) -> bool:
        return self.status == Status.FAILED and self.next_attempt_at is not None

    @property
    def is_open(self) -> bool:
        """Still to be sent (waiting, being sent, or failed with a retry ahead)."""
        return self.status in (Status.PENDING, Status.SENDING) or self.will_retry

    @property
    def shown_at(self):
        """The time to show: when it went out, else when it will (next) be tried, else planned."""
        if self.sent_at:
            return self.sent_at
        return (self.is_open and self.next_attempt_at) or self.send_after

    @property
    def badge(self) -> tuple[str, str]:
        """(badge class, label) for lists: colour always comes with words."""
        if self.will_retry:
            return "badge-warn", "Retrying"
        return {
            Status.PENDING: ("badge-info", "Pending"),
            Status.SENDING: ("badge-info", "Sending"),
            Status.SENT: ("badge-ok", "Sent"),
            Status.FAILED: ("badge-bad", "Not delivered"),
            Status.CANCELLED: ("badge-neutral", "Cancelled"),
        }[self.status]
