"""The daily digest to prescribers and clinical staff: who gets it, and what it says.

What it says comes from a summary provider named in ``settings.STAFF_DIGEST_PROVIDER``: a
function ``(user, day) -> list[(label, count)]`` returning plain counts, never patient names
or clinical values (the digest is an email). The worklist that will fill it belongs to a
higher app (``ipledge``), which points the setting at its own provider; until then the
default below counts what this app knows: the reminders themselves.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import Role, User

from .models import OutboxMessage, Status

DIGEST_ROLES = (Role.PRESCRIBER, Role.CLINICAL_STAFF)


def digest_recipients():
    return User.objects.filter(is_active=True, role__in=DIGEST_ROLES).order_by("id")


def summary_for(user, day: date) -> list[tuple[str, int]]:
    """The provider's lines, checked to be (text, whole number) pairs."""
    lines = import_string(settings.STAFF_DIGEST_PROVIDER)(user, day)
    checked = []
    for label, count in lines:
        if not isinstance(label, str) or not isinstance(count, int) or isinstance(count, bool):
            raise TypeError("a digest summary provider must return (label, count) pairs of str and int")
        checked.append((label, count))
    return checked


def format_summary(lines: list[tuple[str, int]]) -> str:
    return "\n".join(f"- {label}: {count}" for label, count in lines)


def reminder_counts(user, day: date) -> list[tuple[str, int]]:
    """Default provider: clinic-wide counts of patient reminders (the same for every recipient)."""
    now = timezone.now()
    counts = OutboxMessage.objects.filter(patient__isnull=False).aggregate(
        today=Count("id", filter=Q(send_after__date=day) & ~Q(status=Status.CANCELLED)),
        undelivered=Count(
            "id", filter=Q(status=Status.FAILED, next_attempt_at__isnull=True, updated_at__gte=now - timedelta(days=7))
        ),
    )
    return [
        ("Patient reminders going out today", counts["today"]),
        ("Patient reminders not delivered in the last 7 days (call these patients)", counts["undelivered"]),
    ]
