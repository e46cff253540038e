"""The labs panel of the patient chart (settings.CHART_PANELS).

Clinical roles see alerts with values: an active positive pregnancy test with the steps to take,
results at an action threshold, results awaiting review, the latest value of each analyte.
Front desk sees only what is due and statuses (dates, "awaiting verification"), never a value
or a result.
"""

from django.template.loader import render_to_string
from django.utils import timezone

from . import monitoring
from .models import LabResult, LabSettings
from .pregnancy import POSITIVE_STEPS, active_positive
from .selectors import pregnancy_tests


def labs_summary(request, patient) -> str | None:
    user = request.user
    if not user.has_perm("labs.view_lab_status"):
        return None
    clinical = user.has_perm("labs.view_labresult")
    today = timezone.localdate()

    results = list(
        LabResult.objects.filter(patient=patient)
        .select_related("analyte", "specimen")
        .order_by("specimen__collected_on", "id")
    )
    names = {r.analyte.code: r.analyte.name for r in results}
    plan = LabSettings.load().plan(required_analytes=())
    due = [
        {
            "item": item,
            "label": item.label if clinical else "Lab tests",
            "analytes": ", ".join(names[code] for code in item.analytes) if clinical else "",
        }
        for item in monitoring.rechecks(plan, [r.as_fact() for r in results], today)
    ]
    tests = pregnancy_tests([patient.pk]).get(patient.pk, [])
    open_review = [r for r in results if r.abnormal and not r.is_reviewed]
    latest = {r.analyte_id: r for r in results}  # sorted by date: the last one wins
    context = {
        "patient": patient,
        "clinical": clinical,
        "due": due,
        "awaiting_verification": [t for t in tests if t.awaiting_verification],
        "review_pending": bool(open_review),
        "open_review": open_review if clinical else [],
        "threshold_hits": [r for r in open_review if r.action] if clinical else [],
        "latest": sorted(latest.values(), key=lambda r: (r.analyte.display_order, r.analyte.name)) if clinical else [],
        "positive": active_positive(tests) if user.has_perm("labs.view_pregnancytest") else None,
        "positive_steps": POSITIVE_STEPS,
    }
    return render_to_string("labs/panel.html", context, request=request)
