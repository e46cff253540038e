"""The "due for a visit" windows from the compliance rules (``settings.VISIT_WINDOW_PROVIDER``).

Each course's next visit window is computed with its checklist (``monthly_rules.next_visit_window``:
the visit that lets the pregnancy test and the prescription fit the 7-day window before the
30-day supply runs out, the confirmation test, the post-treatment test) and stored on its
status row, so the front desk's list reads it in one query. A course without a status row,
or with nothing left to come in for, falls back to the plain monthly rhythm of ``courses``.
"""

from datetime import date

from courses.visits.windows import monthly_windows

from .models import CourseStatus


def compliance_windows(course_ids, on: date) -> dict[int, tuple[date, date]]:
    ids = list(course_ids)
    windows = {
        course_id: (start, end)
        for course_id, start, end in CourseStatus.objects.filter(
            course_id__in=ids, visit_from__isnull=False
        ).values_list("course_id", "visit_from", "visit_until")
    }
    missing = [course_id for course_id in ids if course_id not in windows]
    if missing:
        windows |= monthly_windows(missing, on)
    return windows
