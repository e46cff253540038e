"""The "due for a visit" windows from the compliance rules (``settings.VISIT_WINDOW_PROVIDER``).

Each course's next visit window is computed with its checklist (``monthly_rules.next_visit_window``:
the visit that lets the pregnancy test and the prescription fit the 7-day window before the
30-day supply runs out, the confirmation test, the post-treatment test) and stored on its
status row, so the front desk's list reads it with the courses, in one query. A course without
a status row, or with nothing left to come in for, falls back to the plain monthly rhythm of
``courses``.
"""

from datetime import date

from courses.visits.windows import courses_with_last_visit, monthly_window


def compliance_windows(course_ids, on: date) -> dict[int, tuple[date, date]]:
    rows = courses_with_last_visit(course_ids).values_list(
        "pk",
        "ipledge_status__visit_from",
        "ipledge_status__visit_until",
        "start_date",
        "planned_start",
        "last_visit",
    )
    return {
        pk: (visit_from, visit_until) if visit_from else monthly_window(*anchors)
        for pk, visit_from, visit_until, *anchors in rows
    }
