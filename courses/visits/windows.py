"""When each course's next monthly visit should fall.

The provider is named by ``settings.VISIT_WINDOW_PROVIDER``: a dotted path to
``fn(course_ids, on) -> {course_id: (first day, last day)}`` (clinic-local dates, both
included). ``ipledge`` may supply one computed from the compliance rules (the pregnancy test
and the prescription within the 7-day window, the 30-day supply); this default needs only
courses: 28 to 35 days after the last attended (checked-in or completed) visit, or after the
course's first day when there is none. One query for any number of courses.
"""

from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from ..models import Course
from .models import ATTENDED_STATUSES

WINDOW_OPENS_DAYS = 28
WINDOW_CLOSES_DAYS = 35


def courses_with_last_visit(course_ids) -> QuerySet[Course]:
    """The courses annotated with ``last_visit``: their last checked-in or completed visit."""
    return Course.objects.filter(pk__in=list(course_ids)).annotate(
        last_visit=Max("visits__starts_at", filter=Q(visits__status__in=ATTENDED_STATUSES))
    )


def monthly_window(start_date: date | None, planned_start: date, last_visit: datetime | None) -> tuple[date, date]:
    anchor = timezone.localtime(last_visit).date() if last_visit else start_date or planned_start
    return anchor + timedelta(days=WINDOW_OPENS_DAYS), anchor + timedelta(days=WINDOW_CLOSES_DAYS)


def monthly_windows(course_ids, on: date) -> dict[int, tuple[date, date]]:
    rows = courses_with_last_visit(course_ids).values_list("pk", "start_date", "planned_start", "last_visit")
    return {pk: monthly_window(*anchors) for pk, *anchors in rows}


@cache
def _provider(path: str):
    return import_string(path)


def visit_windows(course_ids, on: date | None = None) -> dict[int, tuple[date, date]]:
    """The configured provider's windows for ``course_ids`` as seen on ``on`` (default today)."""
    return _provider(settings.VISIT_WINDOW_PROVIDER)(list(course_ids), on or timezone.localdate())
