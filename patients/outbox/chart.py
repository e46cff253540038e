"""The reminders section of the patient chart (the chart and the outbox both belong to this app)."""

from .models import OutboxMessage

CHART_LIMIT = 12
_FIELDS = ["id", "kind", "channel", "status", "reason", "send_after", "next_attempt_at", "sent_at"]


def chart_reminders(user, patient) -> list[tuple[str, list[OutboxMessage]]] | None:
    """The patient's latest messages as (heading, messages) groups, upcoming first, in one
    query; an empty list when there are none; None for a role that may not see them."""
    if not user.has_perm("patients.view_outboxmessage"):
        return None
    messages = OutboxMessage.objects.filter(patient=patient).only(*_FIELDS).order_by("-send_after", "-id")
    latest = list(messages[:CHART_LIMIT])
    groups = [
        ("Upcoming", sorted((m for m in latest if m.is_open), key=lambda m: m.shown_at)),
        ("Sent and closed", [m for m in latest if not m.is_open]),
    ]
    return [(heading, items) for heading, items in groups if items]
