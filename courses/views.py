from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import permission_required
from accounts.models import Role
from patients.access import patient_for
from patients.models import WeightMeasurement

from . import services
from .access import DOSES
from .forms import (
    ActivateForm,
    CourseDetailsForm,
    CourseForm,
    DoseChangeForm,
    DoseHoldForm,
    MissedDoseForm,
    PauseForm,
    ResumeForm,
    WhatIfForm,
    add_service_error,
    complete_form,
    discontinue_form,
)
from .models import Course, CourseState, DosingSettings
from .panels import render_course_panels
from .presenters import (
    chart_and_progress,
    course_view,
    other_courses,
    period_rows,
    strengths_by_formulation,
    what_if,
)
from .selectors import open_course, patient_courses

# State-change forms offered in each state, with the view that receives each.
TRANSITIONS = {
    CourseState.PLANNED: ["activate", "discontinue"],
    CourseState.ACTIVE: ["pause", "complete", "discontinue"],
    CourseState.PAUSED: ["resume", "complete", "discontinue"],
}
TRANSITION_FORMS = {
    "activate": ActivateForm,
    "pause": PauseForm,
    "resume": ResumeForm,
    "complete": complete_form,
    "discontinue": discontinue_form,
}


def _course_url(course):
    return redirect("courses:detail", patient_id=course.patient_id, course_id=course.pk)


def _what_if_form(data, view, settings) -> WhatIfForm:
    formulation = view.current_period.formulation if view.current_period else view.course.formulation
    return WhatIfForm(
        data,
        prefix="whatif",
        strengths=settings.strengths(formulation),
        initial={"target": view.course.target_high_mg_per_kg},
    )


def _default_forms(request, course, view, holds, settings, today) -> dict:
    """The forms this user may use on this course in its current state (unbound)."""
    user, forms = request.user, {}
    version = {"version": course.version}
    if course.is_open and user.has_perm("courses.add_doseperiod"):
        formulation = view.current_period.formulation if view.current_period else course.formulation
        forms["dose"] = DoseChangeForm(
            prefix="dose",
            strengths=strengths_by_formulation(settings),
            initial={**version, "formulation": formulation, "start": max(today, course.first_day)},
        )
    if course.start_date and user.has_perm("courses.add_misseddose"):
        forms["missed"] = MissedDoseForm(prefix="missed")
    if course.start_date and course.state != CourseState.PAUSED and user.has_perm("courses.add_dosehold"):
        forms["hold"] = DoseHoldForm(prefix="hold")
    if user.has_perm("courses.change_course"):
        for action in TRANSITIONS.get(course.state, []):
            initial = dict(version)
            if action in ("complete", "discontinue") and course.state == CourseState.PAUSED:
                pause = next((h for h in holds if h.end is None), None)
                if pause:  # the last dose was the day before the pause
                    initial["end_date"] = pause.start - timedelta(days=1)
            forms[action] = TRANSITION_FORMS[action](prefix=action, initial=initial)
        if course.is_open:
            forms["details"] = CourseDetailsForm(
                prefix="details",
                initial={
                    **version,
                    "prescriber": course.prescriber_id,
                    "indication": course.indication,
                    "indication_other": course.indication_other,
                    "target_low": course.target_low_mg_per_kg,
                    "target_high": course.target_high_mg_per_kg,
                },
            )
    return forms


def _render_course(request, patient, course_id: int, bound: dict | None = None, what_if_data=None):
    bundle = patient_courses(patient.pk, with_doses=True)
    course = next((c for c in bundle.courses if c.pk == course_id), None)
    if course is None:
        raise Http404
    settings = DosingSettings.current()
    today = timezone.localdate()
    view = course_view(bundle, course, settings, today)
    holds = bundle.holds.get(course.pk, [])
    forms = _default_forms(request, course, view, holds, settings, today)
    for key, form in (bound or {}).items():
        if getattr(form, "stale", False):
            # Show the current version, so that the next submission, made after seeing the
            # other person's change, goes through.
            form.data = form.data.copy()
            form.data[form.add_prefix("version")] = course.version
        forms[key] = form
    what_if_form = _what_if_form(what_if_data, view, settings)
    chart, progress = chart_and_progress(view, today)
    context = {
        "patient": patient,
        "course": course,
        "view": view,
        "today": today,
        "settings": settings,
        "rows": period_rows(bundle, view, settings),
        "missed": bundle.missed.get(course.pk, []),
        "holds": holds,
        "others": other_courses(bundle, course, settings, today),
        "with_doses": True,
        "chart": chart,
        "progress": progress,
        "forms": forms,
        "open_forms": set(bound or {}),
        "what_if_form": what_if_form,
        "what_if": _what_if_result(what_if_form, view, settings) if what_if_form.is_bound else None,
        "course_panels": render_course_panels(request, course),
    }
    return render(request, "courses/course.html", context)


def _what_if_result(form, view, settings):
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return what_if(view, settings, target=data["target"], by=data["by"], daily_mg=data["daily_dose"])


@permission_required(DOSES)
@require_GET
def course_detail(request, patient_id: int, course_id: int):
    patient = patient_for(request.user, patient_id, DOSES)
    return _render_course(request, patient, course_id)


@permission_required(DOSES)
@require_GET
def course_what_if(request, patient_id: int, course_id: int):
    """The planner, recomputed as the prescriber types (htmx swaps in the result); without
    JavaScript the whole course page comes back with the answer. Saves nothing."""
    patient = patient_for(request.user, patient_id, DOSES)
    if not request.htmx:
        return _render_course(request, patient, course_id, what_if_data=request.GET)
    bundle = patient_courses(patient.pk, with_doses=True)
    course = next((c for c in bundle.courses if c.pk == course_id), None)
    if course is None:
        raise Http404
    settings = DosingSettings.current()
    view = course_view(bundle, course, settings, timezone.localdate())
    form = _what_if_form(request.GET, view, settings)
    return render(
        request,
        "courses/_what_if_result.html",
        {"what_if_form": form, "what_if": _what_if_result(form, view, settings), "view": view, "settings": settings},
    )


def _post(request, patient_id: int, course_id: int, *, permission: str, key: str, form, call, success: str):
    """The shape of every form on the course page: validate, call the service, redirect to the
    course, or show the course again with the refusal in the form."""
    patient = patient_for(request.user, patient_id, permission)
    course = get_object_or_404(Course.objects.only("id", "patient_id"), pk=course_id, patient=patient)
    if form.is_valid():
        try:
            call(course, form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
            form.stale = getattr(error, "code", None) == "stale"
        else:
            messages.success(request, success)
            return _course_url(course)
    return _render_course(request, patient, course.pk, bound={key: form})


@permission_required("courses.add_course")
@require_http_methods(["GET", "POST"])
def course_new(request, patient_id: int):
    patient = patient_for(request.user, patient_id, "courses.add_course")
    settings = DosingSettings.current()
    form = CourseForm(
        request.POST or None,
        strengths=strengths_by_formulation(settings),
        initial={
            "prescriber": request.user.pk if request.user.role == Role.PRESCRIBER else None,
            "target_low": settings.default_target_low,
            "target_high": settings.default_target_high,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "actor": request.user,
            "patient_id": patient.pk,
            "formulation": data["formulation"],
            "regimen": data["regimen"],
            "gap_override_reason": data["gap_override_reason"],
            **form.details(),
        }
        try:
            if data["status"] == "start":
                course = services.course_start(start_date=data["first_day"], **arguments)
            else:
                course = services.course_plan(planned_start=data["first_day"], **arguments)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Course started." if data["status"] == "start" else "Course planned.")
            return _course_url(course)
    context = {
        "patient": patient,
        "form": form,
        "open_course": open_course(patient.pk),
        "weight": WeightMeasurement.objects.filter(patient=patient).first(),
        "strengths": strengths_by_formulation(settings),
        "settings": settings,
    }
    return render(request, "courses/new.html", context)


@permission_required("courses.add_doseperiod")
@require_POST
def dose_change(request, patient_id: int, course_id: int):
    settings = DosingSettings.current()
    form = DoseChangeForm(request.POST, prefix="dose", strengths=strengths_by_formulation(settings))

    def call(course, data):
        services.dose_period_change(
            actor=request.user,
            course_id=course.pk,
            expected_version=data["version"],
            start=data["start"],
            formulation=data["formulation"],
            regimen=data["regimen"],
            note=data["note"],
        )

    return _post(
        request,
        patient_id,
        course_id,
        permission="courses.add_doseperiod",
        key="dose",
        form=form,
        call=call,
        success="Dose changed.",
    )


@permission_required("courses.add_misseddose")
@require_POST
def missed_dose(request, patient_id: int, course_id: int):
    def call(course, data):
        services.missed_dose_record(actor=request.user, course_id=course.pk, **data)

    return _post(
        request,
        patient_id,
        course_id,
        permission="courses.add_misseddose",
        key="missed",
        form=MissedDoseForm(request.POST, prefix="missed"),
        call=call,
        success="Missed dose recorded.",
    )


@permission_required("courses.add_dosehold")
@require_POST
def dose_hold(request, patient_id: int, course_id: int):
    def call(course, data):
        services.dose_hold_record(actor=request.user, course_id=course.pk, **data)

    return _post(
        request,
        patient_id,
        course_id,
        permission="courses.add_dosehold",
        key="hold",
        form=DoseHoldForm(request.POST, prefix="hold"),
        call=call,
        success="Hold recorded.",
    )


@permission_required("courses.change_course")
@require_POST
def course_details(request, patient_id: int, course_id: int):
    form = CourseDetailsForm(request.POST, prefix="details")

    def call(course, data):
        services.course_update(
            actor=request.user, course_id=course.pk, expected_version=data["version"], **form.details()
        )

    return _post(
        request,
        patient_id,
        course_id,
        permission="courses.change_course",
        key="details",
        form=form,
        call=call,
        success="Course details saved.",
    )


TRANSITION_SERVICES = {
    "activate": (services.course_activate, "Course started."),
    "pause": (services.course_pause, "Course paused."),
    "resume": (services.course_resume, "Course resumed."),
    "complete": (services.course_complete, "Course completed."),
    "discontinue": (services.course_discontinue, "Course discontinued."),
}


@permission_required("courses.change_course")
@require_POST
def course_transition(request, patient_id: int, course_id: int, action: str):
    service, success = TRANSITION_SERVICES[action]
    form = TRANSITION_FORMS[action](request.POST, prefix=action)

    def call(course, data):
        arguments = {name: value for name, value in data.items() if name != "version"}
        service(actor=request.user, course_id=course.pk, expected_version=data["version"], **arguments)

    return _post(
        request,
        patient_id,
        course_id,
        permission="courses.change_course",
        key=action,
        form=form,
        call=call,
        success=success,
    )
