"""The gate every visit view passes: 403 for a role without the permission (whether or not the
visit exists), 404 for a visit that does not exist."""

from django.shortcuts import get_object_or_404

from accounts.access import require_permission

from ..models import OPEN_STATES, Course
from .models import Visit

FINDINGS = "courses.record_visit_findings"


def visit_for(user, visit_id: int, permission: str = "courses.view_visit") -> Visit:
    require_permission(user, permission)
    return get_object_or_404(Visit.objects.select_related("patient", "clinician", "course"), pk=visit_id)


def open_course_for(user, course_id: int, permission: str = "courses.add_visit") -> Course:
    require_permission(user, permission)
    return get_object_or_404(
        Course.objects.select_related("patient", "prescriber"), pk=course_id, state__in=OPEN_STATES
    )
