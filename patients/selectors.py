"""Reading patients for lists and search."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject, Upper

from .models import Patient, RiskCategoryChange

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")


def _as_date(token: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(token, fmt).date()
        except ValueError:
            continue
    return None


def patient_search(query: str) -> QuerySet[Patient]:
    """Patients matching every word of ``query``.

    A word matches when it is the start of the first or last name ("smi" finds Smith), the
    whole MRN or iPLEDGE patient ID, or, when it reads as a date (2010-05-31 or 05/31/2010), the
    date of birth. Name prefixes use the functional indexes on UPPER(name).
    """
    patients = all_patients = Patient.objects.all()
    for token in re.split(r"[\s,]+", query.strip())[:5]:
        if not token:
            continue
        as_date = _as_date(token)
        if as_date:
            patients = patients.filter(date_of_birth=as_date)
            continue
        patients = patients.filter(
            Q(last_name__istartswith=token)
            | Q(first_name__istartswith=token)
            # MRN and iPLEDGE ID are stored upper-case (forms normalise), so exact unique-index hits.
            | Q(mrn=token.upper())
            | Q(ipledge_patient_id=token.upper())
        )
    if patients is all_patients:
        return patients
    # Sort the matches instead of walking the list's name index: with a LIMIT, PostgreSQL
    # prefers reading that index in order and filtering, which for "Smi" crosses every name
    # from A to S first (16,000 of 20,000 rows, 10 ms; the matches alone take 0.3 ms).
    return patients.order_by(Upper("last_name"), Upper("first_name"), "id")


@dataclass(frozen=True)
class RiskChangeNote:
    effective_on: date
    reason: str
    changed_by: str


def with_latest_risk_change(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Annotate each patient with ``latest_risk_change`` (a dict, or None), read inside the
    patient's own query: the chart's query count is pinned and every panel adds to it."""
    latest = RiskCategoryChange.objects.filter(patient=OuterRef("pk")).order_by("-effective_on", "-id")
    note = JSONObject(effective_on="effective_on", reason="reason", changed_by="changed_by__full_name")
    return patients.annotate(latest_risk_change=Subquery(latest.values(json=note)[:1], output_field=JSONField()))


def risk_change_note(patient: Patient) -> RiskChangeNote | None:
    """The latest risk-category change of a patient read through ``with_latest_risk_change``."""
    row = patient.latest_risk_change
    if row is None:
        return None
    return RiskChangeNote(date.fromisoformat(row["effective_on"]), row["reason"], row["changed_by"])
