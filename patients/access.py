"""The one gate every view passes to reach a patient's data."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import require_permission

from .models import Patient


def patient_for(
    user, patient_id: int, permission: str = "patients.view_patient", patients: QuerySet[Patient] | None = None
) -> Patient:
    """The patient, if the user's role grants ``permission``.

    A role without the permission gets 403 whether or not the patient exists, so the answer
    does not reveal which record numbers exist; a missing patient is 404.
    """
    require_permission(user, permission)
    return get_object_or_404(Patient if patients is None else patients, pk=patient_id)
