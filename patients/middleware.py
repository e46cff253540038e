from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError

from .models import AccessKind, Patient
from .services import access_record


@cache
def _models_by_kwarg() -> dict[str, type]:
    """``course_id`` -> Course, ``lab_result_id`` -> LabResult: every model with a ``patient``
    foreign key (the convention for patient data), keyed by the URL keyword that names it.
    Names two apps share are left out (ambiguous)."""
    found: dict[str, list[type]] = {}
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == "patient"), None)
        if field is not None and field.related_model is Patient:
            found.setdefault(model._meta.model_name, []).append(model)
    return {name: models[0] for name, models in found.items() if len(models) == 1}


def _patient_of(kwargs: dict) -> int | None:
    if kwargs.get("patient_id") is not None:
        return kwargs["patient_id"]
    for name, value in kwargs.items():
        model = _models_by_kwarg().get(name.removesuffix("_id").replace("_", "")) if name.endswith("_id") else None
        if model is not None:
            try:
                return model.objects.filter(pk=value).values_list("patient_id", flat=True).first()
            except (ValueError, ValidationError):  # a value of the wrong type names no record
                return None
    return None


class DeniedAccessAuditMiddleware:
    """Records a refused request (403 or 404) for a record as an access event.

    Every URL that reaches a record names it ``<thing>_id``; that convention is what lets this
    single place see all of them, including pages added later. The patient is the ``patient_id``
    keyword, or else the patient of the record another keyword names (any model with a
    ``patient`` foreign key); it is empty when the record does not exist.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404) and request.user.is_authenticated:
            match = request.resolver_match
            kwargs = match.kwargs if match else {}
            if any(name.endswith("_id") for name in kwargs):
                access_record(
                    user=request.user,
                    patient_id=_patient_of(kwargs),
                    kind=AccessKind.DENIED,
                    path=request.path,
                    status_code=response.status_code,
                )
        return response
