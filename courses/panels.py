"""The course panel of the patient chart (settings.CHART_PANELS), and the panels other apps add
to the course page (settings.COURSE_PANELS: dotted paths to ``panel(request, course) -> str |
None``, e.g. the dispensed amounts from pharmacy authorizations, or the labs of the course)."""

from functools import cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from .access import DOSES
from .models import DosingSettings
from .presenters import STATE_BADGES, course_view, other_courses
from .selectors import patient_courses


def course_summary(request, patient) -> str | None:
    """The open course (state, day of course, mg/kg to date, projected end) and the earlier
    courses with their cumulative doses. Front desk sees states and dates only."""
    user = request.user
    if not user.has_perm("courses.view_course"):
        return None
    with_doses = user.has_perm(DOSES)
    bundle = patient_courses(patient.pk, with_doses=with_doses, detail=False)
    today = timezone.localdate()
    dosing_settings = DosingSettings.current() if with_doses and bundle.courses else None
    current = next((c for c in reversed(bundle.courses) if c.is_open), None)
    context = {
        "patient": patient,
        "current": current,
        "current_badge": STATE_BADGES[current.state] if current else "",
        "number": bundle.number(current) if current else None,
        "day_of_course": (today - current.start_date).days + 1
        if current and current.start_date and current.start_date <= today
        else None,
        "view": course_view(bundle, current, dosing_settings, today) if current and dosing_settings else None,
        "others": other_courses(bundle, current, dosing_settings, today),
        "with_doses": with_doses,
        "badges": STATE_BADGES,
        "can_start": user.has_perm("courses.add_course") and current is None,
        "today": today,
    }
    return render_to_string("courses/panel.html", context, request=request)


@cache
def _course_panel_functions():
    return [import_string(path) for path in settings.COURSE_PANELS]


def render_course_panels(request, course) -> list[str]:
    """HTML of each panel other apps contribute to the course page, in the configured order."""
    rendered = (panel(request, course) for panel in _course_panel_functions())
    return [html for html in rendered if html]
