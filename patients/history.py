"""The per-patient audit history page: pghistory events that reference the patient (its own
row and every row with a foreign key to it), newest first, and the chart's access log."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from pghistory.models import Events

from .models import AccessEvent

PAGE_SIZE = 50
_HIDDEN_FIELDS = {"id", "version", "created_at", "updated_at"}


def _record_label(model_label: str) -> str:
    """'patients.WeightMeasurementEvent' -> 'Weight measurement'."""
    try:
        tracked = apps.get_model(model_label).pgh_tracked_model
    except (LookupError, AttributeError):
        return model_label
    return str(tracked._meta.verbose_name).capitalize()


def _changes(event) -> list[tuple[str, object, object]]:
    """(field, before, after) for what the event did: the diff of an update, every value an
    insert set, every value a delete removed."""
    if event.pgh_diff:
        pairs = ((name, before, after) for name, (before, after) in event.pgh_diff.items())
    elif event.pgh_label == "delete":
        pairs = ((name, value, None) for name, value in (event.pgh_data or {}).items())
    else:
        pairs = ((name, None, value) for name, value in (event.pgh_data or {}).items())
    return sorted(
        (name, before, after)
        for name, before, after in pairs
        if name not in _HIDDEN_FIELDS and not name.startswith("pgh_") and (before, after) != (None, None)
    )


def patient_history_page(request, patient) -> dict:
    events = Events.objects.references(patient).order_by("-pgh_created_at", "-pgh_id")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    contexts = [event.pgh_context or {} for event in page]
    user_ids = {context.get("user") for context in contexts if context.get("user")}
    users = get_user_model().objects.in_bulk(user_ids)
    rows = []
    for event, context in zip(page, contexts, strict=True):
        rows.append(
            {
                "at": event.pgh_created_at,
                "record": _record_label(event.pgh_model),
                "label": event.pgh_label,
                "changes": _changes(event),
                "user": users.get(context.get("user")),
                "url": context.get("url"),
            }
        )
    access_events = AccessEvent.objects.filter(patient_id=patient.pk).select_related("user")[:100]
    return {"patient": patient, "page": page, "rows": rows, "access_events": access_events}
