from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import permission_required, sensitive

from . import services
from .access import patient_for
from .forms import PatientForm, RiskCategoryForm, WeightForm
from .history import patient_history_page
from .models import AccessKind, Patient, RiskCategoryChange, WeightMeasurement
from .outbox.chart import chart_reminders
from .panels import render_panels
from .selectors import patient_search, risk_change_note, with_latest_risk_change

PAGE_SIZE = 25


@permission_required("patients.view_patient")
@require_http_methods(["GET"])
def patient_list(request):
    # PostgreSQL text cannot hold NUL: a pasted one would fail the query instead of matching nothing.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    page = Paginator(patient_search(query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "patients/list.html", {"page": page, "query": query})


@permission_required("patients.add_patient")
@require_http_methods(["GET", "POST"])
def patient_create(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Patient registered.")
            return redirect("patients:chart", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "patient": None})


@permission_required("patients.change_patient")
@require_http_methods(["GET", "POST"])
def patient_edit(request, patient_id: int):
    patient = patient_for(request.user, patient_id, "patients.change_patient")
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(
                actor=request.user,
                patient_id=patient.pk,
                expected_version=form.cleaned_data["version"] or 0,
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("patients:chart", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "patient": patient})


@permission_required("patients.view_patient")
@require_http_methods(["GET"])
def patient_chart(request, patient_id: int):
    patient = patient_for(request.user, patient_id, patients=with_latest_risk_change(Patient.objects.all()))
    services.chart_view_record(user=request.user, patient_id=patient.pk, path=request.path)
    context = {
        "patient": patient,
        "risk_change": risk_change_note(patient),
        "weights": WeightMeasurement.objects.filter(patient=patient)[:3],
        "reminders": chart_reminders(request.user, patient),
        "panels": render_panels(request, patient),
    }
    return render(request, "patients/chart.html", context)


@permission_required("patients.change_risk_category")
@require_http_methods(["GET", "POST"])
def risk_category_change(request, patient_id: int):
    patient = patient_for(request.user, patient_id, "patients.change_risk_category")
    form = RiskCategoryForm(request.POST or None, initial={"category": patient.risk_category})
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_category_change(actor=request.user, patient_id=patient.pk, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Risk category recorded.")
            return redirect("patients:chart", patient_id=patient.pk)
    history = RiskCategoryChange.objects.filter(patient=patient).select_related("changed_by")
    return render(request, "patients/risk_category_form.html", {"form": form, "patient": patient, "history": history})


@permission_required("patients.add_weightmeasurement")
@require_http_methods(["GET", "POST"])
def weight_record(request, patient_id: int):
    patient = patient_for(request.user, patient_id, "patients.add_weightmeasurement")
    form = WeightForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.weight_record(actor=request.user, patient_id=patient.pk, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Weight recorded.")
            return redirect("patients:chart", patient_id=patient.pk)
    weights = WeightMeasurement.objects.filter(patient=patient).select_related("recorded_by")[:20]
    return render(request, "patients/weight_form.html", {"form": form, "patient": patient, "weights": weights})


@sensitive("patients.view_patient_history")  # 403 first: no password prompt for a role that may not
@require_http_methods(["GET"])
def patient_history(request, patient_id: int):
    patient = patient_for(request.user, patient_id, "patients.view_patient_history")
    services.access_record(user=request.user, patient_id=patient.pk, kind=AccessKind.HISTORY_VIEW, path=request.path)
    return render(request, "patients/history.html", patient_history_page(request, patient))
