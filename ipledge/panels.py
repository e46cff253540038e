"""The compliance panel of the course page (settings.COURSE_PANELS): the stored status (state,
what blocks the next prescription, the checklist), the prescriptions with their override
marks and the pharmacy authorizations, with the link to record facts. Three queries."""

from django.template.loader import render_to_string

from .display import rows_from_snapshot
from .models import Authorization, CourseStatus, Prescription
from .presenters import STATE_BADGES


def course_compliance(request, course) -> str | None:
    if not request.user.has_perm("ipledge.view_coursestatus"):
        return None
    status = CourseStatus.objects.filter(course_id=course.pk).first()
    context = {
        "course": course,
        "status": status,
        "state_badge": STATE_BADGES[status.state] if status else "",
        "rows": rows_from_snapshot(status.checklist) if status else [],
        "prescriptions": list(Prescription.objects.filter(course_id=course.pk).select_related("prescriber")),
        "authorizations": list(Authorization.objects.filter(course_id=course.pk).select_related("replaces")),
    }
    return render_to_string("ipledge/course_panel.html", context, request=request)
