"""Front desk pages: the day and week schedules, the "due for a visit" list, booking, moving,
cancelling, check-in and no-show; and the visit page with its findings form (prescribers and
clinical staff only). Views are thin: forms parse, services decide, selectors read."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import permission_required
from patients.services import chart_view_record

from ..forms import add_service_error
from . import hours, services
from .access import FINDINGS, open_course_for, visit_for
from .forms import BookForm, CancelForm, DayForm, FindingsForm, RescheduleForm, clinicians
from .selectors import day_entries, due_course_ids, due_page_courses, due_rows, visits_between
from .windows import visit_windows

DUE_PAGE_SIZE = 25


def _picked(request) -> tuple[date, int | None]:
    form = DayForm(request.GET)
    day, clinician = timezone.localdate(), None
    if form.is_valid():
        day = form.cleaned_data["date"] or day
        clinician = form.cleaned_data["clinician"]
    return day, clinician


def _query(day: date, clinician_id: int | None) -> str:
    return f"?date={day:%Y-%m-%d}" + (f"&clinician={clinician_id}" if clinician_id else "")


@permission_required("courses.view_visit")
@require_http_methods(["GET"])
def day_schedule(request):
    day, clinician_id = _picked(request)
    staff = list(clinicians())
    shown = [c for c in staff if c.pk == clinician_id] or staff if clinician_id else staff
    start, end = hours.day_bounds(day)
    visits = list(visits_between(start, end, [c.pk for c in shown]))
    columns = [(c, day_entries(day, [v for v in visits if v.clinician_id == c.pk])) for c in shown]
    context = {
        "day": day,
        "clinicians": staff,
        "clinician_id": clinician_id,
        "columns": columns,
        "is_open": hours.is_open_day(day),
        "previous": _query(day - timedelta(days=1), clinician_id),
        "next": _query(day + timedelta(days=1), clinician_id),
        "today": _query(timezone.localdate(), clinician_id),
        "week": _query(day, clinician_id),
    }
    return render(request, "visits/day.html", context)


@permission_required("courses.view_visit")
@require_http_methods(["GET"])
def week_schedule(request):
    day, clinician_id = _picked(request)
    staff = list(clinicians())
    clinician = next((c for c in staff if c.pk == clinician_id), staff[0] if staff else None)
    monday = day - timedelta(days=day.weekday())
    week = [monday + timedelta(days=n) for n in range(7)]
    start, end = hours.day_bounds(week[0])[0], hours.day_bounds(week[-1])[1]
    visits = list(visits_between(start, end, [clinician.pk])) if clinician else []
    days = [(d, [v for v in visits if hours.local_day(v.starts_at) == d], hours.is_open_day(d)) for d in week]
    cid = clinician.pk if clinician else None
    context = {
        "clinicians": staff,
        "clinician": clinician,
        "days": days,
        "monday": monday,
        "previous": _query(monday - timedelta(days=7), cid),
        "next": _query(monday + timedelta(days=7), cid),
        "today": timezone.localdate(),
    }
    return render(request, "visits/week.html", context)


@permission_required("courses.view_visit")
@require_http_methods(["GET"])
def due_list(request):
    page = Paginator(due_course_ids(), DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = due_rows(due_page_courses(list(page.object_list)))
    return render(request, "visits/due.html", {"page": page, "rows": rows, "today": timezone.localdate()})


def _window_note(course) -> tuple | None:
    return visit_windows([course.pk]).get(course.pk)


@permission_required("courses.add_visit")
@require_http_methods(["GET", "POST"])
def book(request, course_id: int):
    course = open_course_for(request.user, course_id)
    if request.method == "POST":
        form = BookForm(request.POST)
        if form.is_valid():
            try:
                visit = services.visit_book(actor=request.user, course_id=course.pk, **form.service_fields())
            except ValidationError as error:
                add_service_error(form, error)
            else:
                local = timezone.localtime(visit.starts_at)
                messages.success(request, f"Visit booked for {local:%Y-%m-%d %H:%M} with {visit.clinician}.")
                return redirect(reverse("visits:day") + _query(local.date(), visit.clinician_id))
    else:
        form = BookForm(initial=_suggested_initial(request, course))
    return render(
        request,
        "visits/book.html",
        {"form": form, "course": course, "patient": course.patient, "window": _window_note(course)},
    )


def _suggested_initial(request, course) -> dict:
    """The slot passed by the due list (``start`` and ``clinician``), else the prescriber's
    first free slot in the window."""
    try:
        start = parse_datetime(request.GET.get("start", "") or "")
        if start is not None and (timezone.is_naive(start) or start <= timezone.now()):
            start = None
        local = timezone.localtime(start) if start else None
    except (ValueError, OverflowError):
        start = None
    clinician = request.GET.get("clinician", "")
    if start is None:
        start = due_rows([course])[0].suggested
    initial = {"clinician": int(clinician) if clinician.isdigit() and len(clinician) < 10 else course.prescriber_id}
    if start:
        local = timezone.localtime(start)
        initial.update(day=local.date(), time=local.time().replace(second=0, microsecond=0))
    return initial


@permission_required("courses.view_visit")
@require_http_methods(["GET"])
def visit_detail(request, visit_id: int):
    visit = visit_for(request.user, visit_id)
    return _render_visit(request, visit)


def _render_visit(request, visit, findings_form=None, status=200):
    may_record = request.user.has_perm(FINDINGS)
    if may_record:
        chart_view_record(user=request.user, patient_id=visit.patient_id, path=request.path)
    if may_record and findings_form is None:
        findings_form = FindingsForm(
            initial={
                "weight_kg": visit.weight_kg,
                "side_effects": visit.side_effects,
                "side_effect_notes": visit.side_effect_notes,
                "phq2_score": visit.phq2_score,
                "phq9_score": visit.phq9_score,
            }
        )
    context = {
        "visit": visit,
        "patient": visit.patient,
        "may_record": may_record,
        "may_change": request.user.has_perm("courses.change_visit"),
        "findings_form": findings_form,
        "cancel_form": CancelForm(),
        "is_today": hours.local_day(visit.starts_at) == timezone.localdate(),
        "has_begun": visit.starts_at <= timezone.now(),
    }
    return render(request, "visits/visit.html", context, status=status)


@permission_required(FINDINGS)
@require_POST
def visit_findings(request, visit_id: int):
    """Findings: only roles with ``record_visit_findings`` reach this view (front desk: 403)."""
    visit = visit_for(request.user, visit_id, FINDINGS)
    form = FindingsForm(request.POST)
    if form.is_valid():
        try:
            services.visit_record_clinical(actor=request.user, visit_id=visit.pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Findings recorded; the visit is completed.")
            return redirect("visits:detail", visit_id=visit.pk)
    return _render_visit(request, visit, form, status=400)


@permission_required("courses.change_visit")
@require_http_methods(["GET", "POST"])
def reschedule(request, visit_id: int):
    visit = visit_for(request.user, visit_id, "courses.change_visit")
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                visit = services.visit_reschedule(actor=request.user, visit_id=visit.pk, **form.service_fields())
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Visit moved.")
                return redirect("visits:detail", visit_id=visit.pk)
    else:
        local = timezone.localtime(visit.starts_at)
        form = RescheduleForm(
            initial={
                "clinician": visit.clinician_id,
                "day": local.date(),
                "time": local.time().replace(second=0, microsecond=0),
                "duration_minutes": visit.duration_minutes,
                "location": visit.location,
            }
        )
    context = {"form": form, "visit": visit, "patient": visit.patient, "window": _window_note(visit.course)}
    return render(request, "visits/reschedule.html", context)


@permission_required("courses.change_visit")
@require_http_methods(["GET", "POST"])
def cancel(request, visit_id: int):
    visit = visit_for(request.user, visit_id, "courses.change_visit")
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_cancel(actor=request.user, visit_id=visit.pk, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Visit cancelled; its reminders are cancelled too.")
            return redirect("visits:detail", visit_id=visit.pk)
    return render(request, "visits/cancel.html", {"form": form, "visit": visit, "patient": visit.patient})


def _action(request, visit_id: int, service, done: str):
    visit = visit_for(request.user, visit_id, "courses.change_visit")
    try:
        service(actor=request.user, visit_id=visit.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("visits:detail", visit_id=visit.pk)


@permission_required("courses.change_visit")
@require_POST
def check_in(request, visit_id: int):
    return _action(request, visit_id, services.visit_check_in, "Patient checked in.")


@permission_required("courses.change_visit")
@require_POST
def no_show(request, visit_id: int):
    return _action(request, visit_id, services.visit_mark_no_show, "Visit marked as a no-show.")
