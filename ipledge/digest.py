"""What the daily staff digest says (``settings.STAFF_DIGEST_PROVIDER``): the worklist in counts.

Counts only, never names or clinical values: the digest is an email. A prescriber's counts are
their own courses; clinical staff see the whole clinic's, as on their worklist. The reminder
counts of ``patients.outbox.digest`` follow.
"""

from datetime import date

from django.db.models import Count, Q

from accounts.models import Role
from patients.outbox.digest import reminder_counts

from .models import CourseStatus, IpledgeSettings, StatusState
from .queues import queue_filters


def worklist_counts(user, day: date) -> list[tuple[str, int]]:
    filters = queue_filters(day, IpledgeSettings.current().pickup_closing_days)
    lines = {
        "Blocked courses": filters[StatusState.BLOCKED],
        "Courses needing action": filters[StatusState.ACTION_NEEDED],
        "Courses ready to prescribe": filters[StatusState.READY],
        "Courses with an overdue item": filters[""] & Q(next_due_on__lt=day),
        "Pickup windows closing soon": filters["closing"],
        "Courses with lab results awaiting review": filters["review"],
    }
    statuses = CourseStatus.objects.all()
    if user.role == Role.PRESCRIBER:
        statuses = statuses.filter(prescriber=user)
    counts = statuses.aggregate(**{f"line{n}": Count("pk", filter=q) for n, q in enumerate(lines.values())})
    return [(label, counts[f"line{n}"]) for n, label in enumerate(lines)] + reminder_counts(user, day)
