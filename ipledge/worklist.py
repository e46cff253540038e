"""What the worklist counts, shared by the page (``views.worklist``) and the staff digest
(``settings.STAFF_DIGEST_PROVIDER``): filters over the stored ``CourseStatus`` rows and their
counts in ONE aggregate query."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet

from accounts.models import Role
from patients.outbox.digest import reminder_counts

from .models import CourseStatus, IpledgeSettings, StatusState

CLOSING, REVIEW = "closing", "review"
FILTER_LABELS = [
    ("", "All open"),
    *StatusState.choices,
    (CLOSING, "Pickup window closing"),
    (REVIEW, "Results awaiting review"),
]


def filters(today: date, closing_days: int) -> dict[str, Q]:
    """Each worklist filter as a condition on the status rows ("" = every open course)."""
    return {
        "": ~Q(state=StatusState.COMPLETED),
        **{state: Q(state=state) for state in StatusState.values},
        CLOSING: Q(prescribe_by__gte=today, prescribe_by__lte=today + timedelta(days=closing_days)),
        REVIEW: Q(labs_awaiting_review__gt=0),
    }


def rows_for(user, mine: bool) -> QuerySet[CourseStatus]:
    rows = CourseStatus.objects.all()
    return rows.filter(prescriber=user) if mine else rows


def counts(rows: QuerySet[CourseStatus], conditions: dict[str, Q]) -> dict[str, int]:
    """How many rows each filter keeps (one query)."""
    totals = rows.aggregate(**{f"n_{key or 'open'}": Count("pk", filter=q) for key, q in conditions.items()})
    return {key: totals[f"n_{key or 'open'}"] for key in conditions}


def digest_counts(user, day: date) -> list[tuple[str, int]]:
    """The staff digest (``STAFF_DIGEST_PROVIDER``): plain counts from the worklist (a
    prescriber's own patients; every course for clinical staff), then the reminder counts."""
    closing_days = IpledgeSettings.current().pickup_closing_days
    conditions = filters(day, closing_days)
    overdue = Q(next_due_on__lt=day) & conditions[""]
    mine = user.role == Role.PRESCRIBER
    found = counts(rows_for(user, mine), {**conditions, "overdue": overdue})
    whose = "your patients" if mine else "all patients"
    return [
        (f"Courses needing action ({whose})", found[StatusState.ACTION_NEEDED]),
        (f"Courses blocked ({whose})", found[StatusState.BLOCKED]),
        (f"Courses ready to prescribe ({whose})", found[StatusState.READY]),
        (f"Pickup windows closing within {closing_days} days", found[CLOSING]),
        ("Courses with lab results awaiting review", found[REVIEW]),
        ("Courses with an overdue item", found["overdue"]),
        *reminder_counts(user, day),
    ]
