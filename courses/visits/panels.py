"""The Visits panel of the patient chart (settings.CHART_PANELS) and of the course page
(settings.COURSE_PANELS): upcoming and recent visits. One query each (UNION ALL of the two
lists)."""

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Visit, VisitStatus

LIMIT = 5
_FIELDS = [
    "id",
    "patient_id",
    "course_id",
    "clinician__full_name",
    "starts_at",
    "duration_minutes",
    "type",
    "status",
    "location",
]


def _upcoming_and_recent(visits) -> tuple[list[Visit], list[Visit]]:
    now = timezone.now()
    live = [VisitStatus.SCHEDULED, VisitStatus.CHECKED_IN]
    base = visits.select_related("clinician").only(*_FIELDS)
    upcoming = base.filter(starts_at__gte=now, status__in=live).order_by("starts_at", "id")[:LIMIT]
    recent = base.exclude(starts_at__gte=now, status__in=live).order_by("-starts_at", "-id")[:LIMIT]
    rows = list(upcoming.union(recent, all=True))
    return (
        sorted((v for v in rows if v.starts_at >= now and v.status in live), key=lambda v: (v.starts_at, v.pk)),
        sorted(
            (v for v in rows if not (v.starts_at >= now and v.status in live)),
            key=lambda v: (v.starts_at, v.pk),
            reverse=True,
        ),
    )


def chart_visits(request, patient) -> str | None:
    if not request.user.has_perm("courses.view_visit"):
        return None
    upcoming, recent = _upcoming_and_recent(Visit.objects.filter(patient=patient))
    context = {"patient_id": patient.pk, "upcoming": upcoming, "recent": recent, "heading": "Visits"}
    return render_to_string("visits/panel.html", context, request=request)


def course_visits(request, course) -> str | None:
    if not request.user.has_perm("courses.view_visit"):
        return None
    upcoming, recent = _upcoming_and_recent(Visit.objects.filter(course_id=course.pk))
    context = {
        "patient_id": course.patient_id,
        "course": course,
        "upcoming": upcoming,
        "recent": recent,
        "heading": "Visits of this course",
    }
    return render_to_string("visits/panel.html", context, request=request)
