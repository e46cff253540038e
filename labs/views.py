from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import permission_required
from patients.access import patient_for
from patients.services import chart_view_record

from . import services
from .forms import LabPanelForm, PregnancyTestForm, ReviewForm, VerifyForm
from .models import LabResult, LabSpecimen, PregnancyTest
from .pregnancy import POSITIVE_STEPS, Result, active_positive
from .selectors import (
    active_analytes,
    open_review_results,
    pregnancy_tests,
    specimens_awaiting_review,
    threshold_rules,
)
from .trends import trend_charts
from .validators import CONTENT_TYPES, image_kind, read_head

SPECIMENS_PER_PAGE = 20
TESTS_PER_PAGE = 25
REVIEW_PAGE_SIZE = 25


def _labs_url(patient_id: int, specimen_id: int) -> str:
    return reverse("labs:patient_labs", kwargs={"patient_id": patient_id}) + f"#specimen-{specimen_id}"


def _review_prefix(specimen_id: int) -> str:
    # One review form per specimen on the page: the prefix keeps their field ids apart.
    return f"specimen-{specimen_id}"


def _labs_page(request, patient, bound_review_form: ReviewForm | None = None):
    specimens = (
        LabSpecimen.objects.filter(patient=patient)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("results", LabResult.objects.select_related("analyte", "reviewed_by")))
    )
    page = Paginator(specimens, SPECIMENS_PER_PAGE).get_page(request.GET.get("page"))
    if request.user.has_perm("labs.review_labresult"):
        for specimen in page:
            prefix = _review_prefix(specimen.pk)
            if bound_review_form is not None and bound_review_form.prefix == prefix:
                specimen.review_form = bound_review_form  # with its errors, even if someone else reviewed it
            elif any(not result.is_reviewed for result in specimen.results.all()):
                specimen.review_form = ReviewForm(prefix=prefix)
    all_results = LabResult.objects.filter(patient=patient).select_related("analyte", "specimen")
    context = {"patient": patient, "page": page, "charts": trend_charts(all_results, threshold_rules())}
    return render(request, "labs/patient_labs.html", context)


@permission_required("labs.view_labresult")
@require_http_methods(["GET"])
def patient_labs(request, patient_id: int):
    patient = patient_for(request.user, patient_id, "labs.view_labresult")
    chart_view_record(user=request.user, patient_id=patient.pk, path=request.path)
    return _labs_page(request, patient)


@permission_required("labs.add_labresult")
@require_http_methods(["GET", "POST"])
def panel_record(request, patient_id: int):
    patient = patient_for(request.user, patient_id, "labs.add_labresult")
    form = LabPanelForm(request.POST or None, analytes=active_analytes())
    if request.method == "POST" and form.is_valid():
        try:
            specimen = services.lab_panel_record(actor=request.user, patient_id=patient.pk, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Results recorded.")
            for result in specimen.results.exclude(action="").select_related("analyte"):
                messages.warning(request, f"{result.analyte.name} {result.value_text}: {result.action}.")
            return redirect(_labs_url(patient.pk, specimen.pk))
    return render(request, "labs/panel_form.html", {"form": form, "patient": patient})


@permission_required("labs.review_labresult")
@require_POST
def specimen_review(request, patient_id: int, specimen_id: int):
    patient = patient_for(request.user, patient_id, "labs.review_labresult")
    specimen = get_object_or_404(LabSpecimen, pk=specimen_id, patient=patient)
    form = ReviewForm(request.POST, prefix=_review_prefix(specimen.pk))
    if form.is_valid():
        try:
            services.lab_specimen_review(actor=request.user, specimen_id=specimen.pk, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Results marked reviewed.")
            return redirect(_labs_url(patient.pk, specimen.pk))
    return _labs_page(request, patient, form)


@permission_required("labs.review_labresult")
@require_http_methods(["GET"])
def review_list(request):
    specimens = specimens_awaiting_review().prefetch_related(
        Prefetch("results", open_review_results().select_related("analyte"), to_attr="open_results")
    )
    page = Paginator(specimens, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "labs/review_list.html", {"page": page})


@permission_required("labs.view_pregnancytest")
@require_http_methods(["GET"])
def pregnancy_test_list(request, patient_id: int):
    patient = patient_for(request.user, patient_id, "labs.view_pregnancytest")
    chart_view_record(user=request.user, patient_id=patient.pk, path=request.path)
    tests = PregnancyTest.objects.filter(patient=patient).select_related("recorded_by", "verified_by")
    page = Paginator(tests, TESTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "patient": patient,
        "page": page,
        "positive": active_positive(pregnancy_tests([patient.pk]).get(patient.pk, [])),
        "positive_steps": POSITIVE_STEPS,
    }
    return render(request, "labs/pregnancy_tests.html", context)


@permission_required("labs.add_pregnancytest")
@require_http_methods(["GET", "POST"])
def pregnancy_test_record(request, patient_id: int):
    patient = patient_for(request.user, patient_id, "labs.add_pregnancytest")
    form = PregnancyTestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            test = services.pregnancy_test_record(actor=request.user, patient_id=patient.pk, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if test.result == Result.POSITIVE:
                messages.error(request, "Positive pregnancy test recorded. " + " ".join(POSITIVE_STEPS))
            else:
                messages.success(request, "Pregnancy test recorded.")
            return redirect("labs:pregnancy_tests", patient_id=patient.pk)
    return render(request, "labs/pregnancy_test_form.html", {"form": form, "patient": patient})


@permission_required("labs.verify_pregnancytest")
@require_http_methods(["GET", "POST"])
def pregnancy_test_verify(request, patient_id: int, test_id: int):
    patient = patient_for(request.user, patient_id, "labs.verify_pregnancytest")
    test = get_object_or_404(PregnancyTest.objects.select_related("recorded_by"), pk=test_id, patient=patient)
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pregnancy_test_verify(actor=request.user, test_id=test.pk, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Home test verified.")
            return redirect("labs:pregnancy_tests", patient_id=patient.pk)
    context = {"form": form, "patient": patient, "test": test}
    return render(request, "labs/pregnancy_test_verify.html", context)


@permission_required("labs.view_pregnancytest_evidence")
@require_http_methods(["GET"])
def pregnancy_test_photo(request, patient_id: int, test_id: int):
    """The evidence photo, to staff whose role may see it; never cached, never a public URL."""
    patient = patient_for(request.user, patient_id, "labs.view_pregnancytest_evidence")
    test = get_object_or_404(PregnancyTest, pk=test_id, patient=patient)
    if not test.photo:
        raise Http404
    photo = test.photo.open("rb")
    kind = image_kind(read_head(photo))
    if kind is None:  # only validated images are stored; anything else is not served
        photo.close()
        raise Http404
    chart_view_record(user=request.user, patient_id=patient.pk, path=request.path)
    response = FileResponse(photo, content_type=CONTENT_TYPES[kind], filename=f"pregnancy-test-{test.pk}.{kind}")
    response["Cache-Control"] = "no-store"
    # The image is shown on its own: nothing in it may run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
