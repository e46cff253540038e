"""The worklist's queues: which stored course statuses each tab (and the staff digest) counts."""

from datetime import date, timedelta

from django.db.models import Q

from .models import StatusState


def queue_filters(today: date, closing_days: int) -> dict[str, Q]:
    """Tab key -> condition on ``CourseStatus``. "" is every course still in treatment or in
    its month after; "closing": pickup windows ending within ``closing_days``; "review": lab
    results waiting for a prescriber's review; then one tab per state."""
    return {
        "": ~Q(state=StatusState.COMPLETED),
        "closing": Q(prescribe_by__gte=today, prescribe_by__lte=today + timedelta(days=closing_days)),
        "review": Q(labs_awaiting_review__gt=0),
        **{state: Q(state=state) for state in StatusState.values},
    }
