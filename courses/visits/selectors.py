"""Reading visits for the schedule pages, the due list and the panels: a fixed number of
queries whatever the number of visits or courses."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ..models import OPEN_STATES, Course
from . import hours
from .models import ATTENDED_STATUSES, BOOKED_STATUSES, Visit, VisitStatus
from .windows import visit_windows

# How far the due list looks for a free slot (from the window's first day, or today).
OVERDUE_SEARCH_DAYS = 14


def visits_between(start: datetime, end: datetime, clinician_ids=None):
    visits = Visit.objects.filter(starts_at__gte=start, starts_at__lt=end).select_related("patient", "clinician")
    if clinician_ids is not None:
        visits = visits.filter(clinician_id__in=list(clinician_ids))
    return visits.order_by("starts_at", "id")


@dataclass
class Entry:
    starts_at: datetime
    visit: Visit | None = None  # None: a free slot


def day_entries(day: date, visits: list[Visit]) -> list[Entry]:
    """One clinician's day: their visits (cancelled ones too, struck through) and the free
    slots between them."""
    booked = [v for v in visits if v.status in BOOKED_STATUSES]
    entries = [Entry(v.starts_at, v) for v in visits]
    for slot in hours.day_slots(day):
        if not any(v.starts_at <= slot < v.ends_at for v in booked):
            entries.append(Entry(slot))
    return sorted(entries, key=lambda e: (e.starts_at, e.visit is None))


def due_course_ids():
    """Ids of the open courses with no visit booked ahead, the longest-waiting first (by the
    last attended visit, else the course's first day).

    Narrow on purpose: the page's courses, patients and prescribers are read for its 25 ids
    only (``due_page_courses``). Joining them here made PostgreSQL read every patient and
    group wide rows: the list's SQL grew 3x from 2,000 to 20,000 patients."""
    now = timezone.now()
    ahead = Visit.objects.filter(
        course=OuterRef("pk"), status__in=[VisitStatus.SCHEDULED, VisitStatus.CHECKED_IN], starts_at__gte=now
    )
    last_attended = Visit.objects.filter(course=OuterRef("pk"), status__in=ATTENDED_STATUSES).order_by("-starts_at")
    tz = timezone.get_current_timezone()
    return (
        Course.objects.filter(state__in=OPEN_STATES)
        .exclude(Exists(ahead))
        .annotate(
            last_visit=Subquery(last_attended.values("starts_at")[:1]),
            anchor=Coalesce(TruncDate("last_visit", tzinfo=tz), "start_date", "planned_start"),
        )
        .order_by("anchor", "pk")
        .values_list("pk", flat=True)
    )


def due_page_courses(ids: list[int]) -> list[Course]:
    """The courses of one page of ``due_course_ids``, in that order, with patient and prescriber."""
    found = Course.objects.filter(pk__in=ids).select_related("patient", "prescriber").in_bulk()
    return [found[pk] for pk in ids if pk in found]


@dataclass
class DueRow:
    course: Course
    window: tuple[date, date] | None
    suggested: datetime | None
    overdue: bool
    outside: bool = False  # the suggested slot is outside the window (none free inside it)


def due_rows(courses: list[Course], *, minutes: int = 30) -> list[DueRow]:
    """Each course's window (the configured provider, one call) and a suggested slot: the first
    free slot of its prescriber within the window (from today on; for an overdue window, within
    the two weeks after it). One query for the prescribers' booked time; courses of one prescriber
    on the page get different slots."""
    today, now = timezone.localdate(), timezone.now()
    windows = visit_windows([c.pk for c in courses], today)
    ranges = {}
    for course in courses:
        first, last = windows.get(course.pk) or (today, today)
        first = max(first, today)
        # Past the window's end too (a window that closed, or is full): the first free slot in
        # the window still wins, the days are searched in order.
        ranges[course.pk] = (first, max(last, first + timedelta(days=OVERDUE_SEARCH_DAYS)))
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    if ranges:
        start = hours.day_bounds(min(f for f, _ in ranges.values()))[0]
        end = hours.day_bounds(max(last for _, last in ranges.values()))[1]
        booked = Visit.objects.filter(
            clinician_id__in={c.prescriber_id for c in courses},
            status__in=BOOKED_STATUSES,
            starts_at__lt=end,
            starts_at__gte=start - hours.LONGEST_VISIT,
        ).values_list("clinician_id", "starts_at", "duration_minutes")
        for clinician_id, starts_at, duration in booked:
            busy.setdefault(clinician_id, []).append((starts_at, starts_at + timedelta(minutes=duration)))
    rows = []
    for course in courses:
        window = windows.get(course.pk)
        first, last = ranges[course.pk]
        taken = busy.setdefault(course.prescriber_id, [])
        slot = hours.first_free_slot(taken, first, last, minutes=minutes, after=now)
        if slot:
            taken.append((slot, slot + timedelta(minutes=minutes)))
        outside = bool(slot and window and not window[0] <= hours.local_day(slot) <= window[1])
        rows.append(DueRow(course, window, slot, bool(window and window[1] < today), outside))
    return rows
