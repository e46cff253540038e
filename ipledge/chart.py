"""The iPLEDGE compliance panel of the patient chart (settings.CHART_PANELS).

This month's checklist of the open course, each item with its status, due date and reason,
read from the stored status row (``CourseStatus.checklist``, refreshed after every change of
the course's facts and by the sweep) so the chart costs ONE more query, not a rules run. The
history of past months is a page of its own (``ipledge:months``), recomputed on demand.
Front desk (no ``ipledge.view_coursestatus``) sees nothing.
"""

from django.template.loader import render_to_string

from . import page_data
from .display import rows_from_snapshot
from .presenters import STATE_BADGES
from .rule_sets import RuleSet


def compliance_panel(request, patient) -> str | None:
    if not request.user.has_perm(page_data.VIEW):
        return None
    status = page_data.open_status(patient.pk)
    context = {"patient": patient, "course": None}
    if status is not None:
        try:
            rule_set = RuleSet(status.rule_set).label
        except ValueError:
            rule_set = ""
        context.update(
            course=status.course,
            status=status,
            state_label=status.get_state_display(),
            state_badge=STATE_BADGES.get(status.state, "badge-neutral"),
            rule_set=rule_set,
            computed_at=status.computed_at,
            rows=rows_from_snapshot(status.checklist),
        )
    return render_to_string("ipledge/chart_panel.html", context, request=request)
