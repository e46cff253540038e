"""The worklist and the compliance page of a course (record iPLEDGE facts). Views are thin:
forms parse, services validate, lock, write and recompute the status."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import permission_required
from accounts.models import Role
from courses.forms import add_service_error
from courses.models import Course

from . import services
from .display import item_rows
from .facts import course_bundles, rule_settings
from .forms import (
    AbstinenceForm,
    AuthorizationForm,
    ConfirmationForm,
    ContraceptionForm,
    DispenseForm,
    EndForm,
    EnrollmentForm,
    MedicationForm,
    PrescriptionForm,
    ReverseForm,
    StopForm,
    WorklistFilter,
)
from .models import (
    AbstinenceCommitment,
    Authorization,
    AuthorizationStatus,
    ConcomitantMedication,
    ContraceptionUse,
    Enrollment,
    IpledgeSettings,
    MonthlyConfirmation,
    Prescription,
)
from .page_data import patient_course
from .presenters import STATE_BADGES, method_labels
from .rules import checklist
from .status import state_of
from .worklist import FILTER_LABELS, counts, rows_for
from .worklist import filters as worklist_filters

VIEW = "ipledge.view_coursestatus"
PAGE_SIZE = 50


def _course_for(user, patient_id: int, course_id: int, permission: str) -> Course:
    return patient_course(user, patient_id, course_id, permission)[1]


def _page_url(course):
    return redirect("ipledge:course", patient_id=course.patient_id, course_id=course.pk)


# --- The compliance page of a course ----------------------------------------------------------


def _with_forms(rows, key: str, form_class, bound: dict, enabled: bool):
    for row in rows:
        row.action_form = None
        if enabled:
            row.action_form = bound.get((key, row.pk)) or form_class(prefix=f"{key}-{row.pk}")
    return rows


def _render_page(request, course: Course, bound: dict | None = None):
    bound = bound or {}
    user = request.user
    today = timezone.localdate()
    patient = course.patient
    settings = rule_settings()
    bundle = course_bundles([course.pk], today, settings)[course.pk]
    result = checklist(bundle.facts, today, settings)
    enrollment = Enrollment.objects.filter(course=course).first()
    uses = list(ContraceptionUse.objects.filter(patient=patient).select_related("method", "recorded_by"))
    abstinence = list(AbstinenceCommitment.objects.filter(patient=patient).select_related("recorded_by"))
    medications = list(
        ConcomitantMedication.objects.filter(patient=patient).select_related("medication", "recorded_by")
    )
    confirmations = list(MonthlyConfirmation.objects.filter(course=course).select_related("recorded_by"))
    prescriptions = list(Prescription.objects.filter(course=course).select_related("prescriber"))
    authorizations = list(Authorization.objects.filter(course=course).select_related("replaces", "recorded_by"))
    names = method_labels()
    for row in confirmations:
        row.office_labels = [names.get(code, code) for code in row.office_methods]
        row.patient_labels = [names.get(code, code) for code in row.patient_methods]
    can = {
        "enroll": user.has_perm("ipledge.add_enrollment"),
        "contraception": user.has_perm("ipledge.add_contraceptionuse"),
        "end_contraception": user.has_perm("ipledge.change_contraceptionuse"),
        "abstinence": user.has_perm("ipledge.add_abstinencecommitment"),
        "end_abstinence": user.has_perm("ipledge.change_abstinencecommitment"),
        "medication": user.has_perm("ipledge.add_concomitantmedication"),
        "stop_medication": user.has_perm("ipledge.change_concomitantmedication"),
        "confirm": user.has_perm("ipledge.add_monthlyconfirmation"),
        "prescribe": user.has_perm("ipledge.add_prescription") and course.is_open,
        "override": user.has_perm(services.OVERRIDE_PERMISSION) and user.role == Role.PRESCRIBER,
        "authorize": user.has_perm("ipledge.add_authorization"),
        "change_authorization": user.has_perm("ipledge.change_authorization"),
    }
    forms = {}
    if can["enroll"]:
        initial = {"ipledge_patient_id": patient.ipledge_patient_id}
        if enrollment:
            initial.update(
                enrolled_on=enrollment.enrolled_on,
                consent_signed_on=enrollment.consent_signed_on,
                birth_defects_consent_signed_on=enrollment.birth_defects_consent_signed_on,
                counseled_on=enrollment.counseled_on,
                prescriber_certified=enrollment.prescriber_certified,
            )
        forms["enrollment"] = EnrollmentForm(prefix="enrollment", initial=initial)
    if can["contraception"]:
        forms["contraception"] = ContraceptionForm(prefix="contraception")
    if can["abstinence"]:
        forms["abstinence"] = AbstinenceForm(prefix="abstinence")
    if can["medication"]:
        forms["medication"] = MedicationForm(prefix="medication")
    if can["confirm"]:
        forms["confirmation"] = ConfirmationForm(prefix="confirmation")
    if can["prescribe"]:
        forms["prescription"] = PrescriptionForm(prefix="prescription", can_override=can["override"])
    if can["authorize"]:
        forms["authorization"] = AuthorizationForm(prefix="authorization", course=course)
    forms.update({key: form for key, form in bound.items() if isinstance(key, str)})
    open_uses = [u for u in uses if u.ended_on is None]
    _with_forms(open_uses, "end-use", EndForm, bound, can["end_contraception"])
    open_abstinence = [a for a in abstinence if a.ended_on is None]
    _with_forms(open_abstinence, "end-abstinence", EndForm, bound, can["end_abstinence"])
    taking = [m for m in medications if m.stopped_on is None]
    _with_forms(taking, "stop-medication", StopForm, bound, can["stop_medication"])
    for row in authorizations:
        row.dispense_form = row.reverse_form = None
        if can["change_authorization"] and row.status == AuthorizationStatus.AUTHORIZED:
            row.dispense_form = bound.get(("dispense", row.pk)) or DispenseForm(prefix=f"dispense-{row.pk}")
        if can["change_authorization"] and row.status != AuthorizationStatus.REVERSED:
            row.reverse_form = bound.get(("reverse", row.pk)) or ReverseForm(prefix=f"reverse-{row.pk}")
    context = {
        "patient": patient,
        "course": course,
        "today": today,
        "result": result,
        "state": (state := state_of(result, bundle)),
        "state_badge": STATE_BADGES[state],
        "rows": item_rows(result.items),
        "bundle": bundle,
        "enrollment": enrollment,
        "uses": uses,
        "abstinence": abstinence,
        "medications": medications,
        "confirmations": confirmations,
        "prescriptions": prescriptions,
        "authorizations": authorizations,
        "forms": forms,
        "open_forms": {key if isinstance(key, str) else key[0] for key in bound},
        "can": can,
    }
    return render(request, "ipledge/course.html", context)


@permission_required(VIEW)
@require_GET
def course_compliance(request, patient_id: int, course_id: int):
    course = _course_for(request.user, patient_id, course_id, VIEW)
    return _render_page(request, course)


def _post(request, patient_id, course_id, *, permission, key, form, call, success, record=None):
    """Validate, call the service, go back to the page; or show the page with the refusal
    next to the field it names (nothing saved). ``record``: (model, lookup) of the row the
    action is about, 404 when it is missing or not this course's patient's."""
    course = _course_for(request.user, patient_id, course_id, permission)
    if record is not None:
        model, lookup = record
        get_object_or_404(model, **lookup, patient_id=course.patient_id)
    if form.is_valid():
        try:
            call(course, form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, success)
            return _page_url(course)
    return _render_page(request, course, bound={key: form})


@permission_required("ipledge.add_enrollment")
@require_POST
def enrollment(request, patient_id: int, course_id: int):
    def call(course, data):
        services.enrollment_record(actor=request.user, course_id=course.pk, **data)

    form = EnrollmentForm(request.POST, prefix="enrollment")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.add_enrollment",
        key="enrollment",
        form=form,
        call=call,
        success="iPLEDGE registration saved.",
    )


@permission_required("ipledge.add_contraceptionuse")
@require_POST
def contraception_add(request, patient_id: int, course_id: int):
    def call(course, data):
        services.contraception_method_add(
            actor=request.user,
            course_id=course.pk,
            method_id=data["method"].pk,
            started_on=data["started_on"],
            note=data["note"],
        )

    form = ContraceptionForm(request.POST, prefix="contraception")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.add_contraceptionuse",
        key="contraception",
        form=form,
        call=call,
        success="Contraception method recorded.",
    )


@permission_required("ipledge.change_contraceptionuse")
@require_POST
def contraception_end(request, patient_id: int, course_id: int, use_id: int):
    def call(course, data):
        services.contraception_method_end(
            actor=request.user, course_id=course.pk, use_id=use_id, ended_on=data["ended_on"]
        )

    form = EndForm(request.POST, prefix=f"end-use-{use_id}")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.change_contraceptionuse",
        key=("end-use", use_id),
        record=(ContraceptionUse, {"pk": use_id}),
        form=form,
        call=call,
        success="Method ended.",
    )


@permission_required("ipledge.add_abstinencecommitment")
@require_POST
def abstinence_add(request, patient_id: int, course_id: int):
    def call(course, data):
        services.abstinence_record(
            actor=request.user, course_id=course.pk, committed_on=data["committed_on"], note=data["note"]
        )

    form = AbstinenceForm(request.POST, prefix="abstinence")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.add_abstinencecommitment",
        key="abstinence",
        form=form,
        call=call,
        success="Commitment to abstinence recorded.",
    )


@permission_required("ipledge.change_abstinencecommitment")
@require_POST
def abstinence_end(request, patient_id: int, course_id: int, commitment_id: int):
    def call(course, data):
        services.abstinence_end(
            actor=request.user, course_id=course.pk, commitment_id=commitment_id, ended_on=data["ended_on"]
        )

    form = EndForm(request.POST, prefix=f"end-abstinence-{commitment_id}")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.change_abstinencecommitment",
        key=("end-abstinence", commitment_id),
        record=(AbstinenceCommitment, {"pk": commitment_id}),
        form=form,
        call=call,
        success="Commitment ended.",
    )


@permission_required("ipledge.add_concomitantmedication")
@require_POST
def medication_add(request, patient_id: int, course_id: int):
    def call(course, data):
        services.medication_add(
            actor=request.user,
            course_id=course.pk,
            medication_id=data["medication"].pk,
            started_on=data["started_on"],
            note=data["note"],
        )

    form = MedicationForm(request.POST, prefix="medication")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.add_concomitantmedication",
        key="medication",
        form=form,
        call=call,
        success="Medication recorded.",
    )


@permission_required("ipledge.change_concomitantmedication")
@require_POST
def medication_stop(request, patient_id: int, course_id: int, medication_use_id: int):
    def call(course, data):
        services.medication_stop(
            actor=request.user, course_id=course.pk, medication_use_id=medication_use_id, stopped_on=data["stopped_on"]
        )

    form = StopForm(request.POST, prefix=f"stop-medication-{medication_use_id}")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.change_concomitantmedication",
        key=("stop-medication", medication_use_id),
        record=(ConcomitantMedication, {"pk": medication_use_id}),
        form=form,
        call=call,
        success="Medication stopped.",
    )


@permission_required("ipledge.add_monthlyconfirmation")
@require_POST
def confirmation_add(request, patient_id: int, course_id: int):
    def call(course, data):
        services.confirmation_record(
            actor=request.user,
            course_id=course.pk,
            counseling_on=data["counseling_on"],
            comprehension_on=data["comprehension_on"],
            office_methods=data["office_methods"],
            patient_methods=data["patient_methods"],
            visit_on=data["visit_on"],
        )

    form = ConfirmationForm(request.POST, prefix="confirmation")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.add_monthlyconfirmation",
        key="confirmation",
        form=form,
        call=call,
        success="Monthly confirmation recorded.",
    )


@permission_required("ipledge.add_prescription")
@require_POST
def prescription_add(request, patient_id: int, course_id: int):
    user = request.user
    can_override = user.has_perm(services.OVERRIDE_PERMISSION) and user.role == Role.PRESCRIBER

    def call(course, data):
        services.prescription_record(
            actor=user,
            course_id=course.pk,
            written_on=data["written_on"],
            strength_mg=data["strength_mg"],
            capsules_per_day=data["capsules_per_day"],
            quantity=data["quantity"],
            days_supply=data["days_supply"],
            refills=data["refills"],
            override_reason=data.get("override_reason", ""),
        )

    form = PrescriptionForm(request.POST, prefix="prescription", can_override=can_override)
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.add_prescription",
        key="prescription",
        form=form,
        call=call,
        success="Prescription recorded.",
    )


@permission_required("ipledge.add_authorization")
@require_POST
def authorization_add(request, patient_id: int, course_id: int):
    course = _course_for(request.user, patient_id, course_id, "ipledge.add_authorization")

    def call(course, data):
        services.authorization_record(
            actor=request.user,
            course_id=course.pk,
            rma_number=data["rma_number"],
            obtained_on=data["obtained_on"],
            do_not_dispense_after=data["do_not_dispense_after"],
            days_supply=data["days_supply"],
            quantity=data["quantity"],
            pharmacy=data["pharmacy"],
            replaces_id=data["replaces"].pk if data["replaces"] else None,
        )

    form = AuthorizationForm(request.POST, prefix="authorization", course=course)
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.add_authorization",
        key="authorization",
        form=form,
        call=call,
        success="Authorization recorded.",
    )


@permission_required("ipledge.change_authorization")
@require_POST
def authorization_dispense(request, patient_id: int, course_id: int, authorization_id: int):
    def call(course, data):
        services.authorization_dispense(
            actor=request.user,
            course_id=course.pk,
            authorization_id=authorization_id,
            dispensed_on=data["dispensed_on"],
        )

    form = DispenseForm(request.POST, prefix=f"dispense-{authorization_id}")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.change_authorization",
        key=("dispense", authorization_id),
        record=(Authorization, {"pk": authorization_id, "course_id": course_id}),
        form=form,
        call=call,
        success="Dispensing recorded.",
    )


@permission_required("ipledge.change_authorization")
@require_POST
def authorization_reverse(request, patient_id: int, course_id: int, authorization_id: int):
    def call(course, data):
        services.authorization_reverse(
            actor=request.user,
            course_id=course.pk,
            authorization_id=authorization_id,
            reversed_on=data["reversed_on"],
            reason=data["reason"],
        )

    form = ReverseForm(request.POST, prefix=f"reverse-{authorization_id}")
    return _post(
        request,
        patient_id,
        course_id,
        permission="ipledge.change_authorization",
        key=("reverse", authorization_id),
        record=(Authorization, {"pk": authorization_id, "course_id": course_id}),
        form=form,
        call=call,
        success="Reversal recorded.",
    )


# --- The worklist -----------------------------------------------------------------------------


@permission_required(VIEW)
@require_GET
def worklist(request):
    """Every tracked course from its stored status: filters with counts, soonest due first.
    A fixed number of queries whatever the number of courses (pinned in the tests)."""
    form = WorklistFilter(request.GET)
    chosen, mine = ("", False)
    if form.is_valid():
        chosen, mine = form.cleaned_data["state"], form.cleaned_data["mine"]
    today = timezone.localdate()
    closing_days = IpledgeSettings.current().pickup_closing_days
    conditions = worklist_filters(today, closing_days)
    rows = rows_for(request.user, mine)
    totals = counts(rows, conditions)
    listed = (
        rows.filter(conditions[chosen])
        .select_related("patient", "prescriber")
        .order_by(F("next_due_on").asc(nulls_last=True), "course_id")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    closes_by = today + timedelta(days=closing_days)
    for row in page:
        row.closing_soon = row.prescribe_by is not None and today <= row.prescribe_by <= closes_by
        row.overdue = row.next_due_on is not None and row.next_due_on < today
        row.badge = STATE_BADGES[row.state]
    tabs = [(key, label, totals[key]) for key, label in FILTER_LABELS]
    extra = "&".join(part for part in (f"state={chosen}" if chosen else "", "mine=on" if mine else "") if part)
    context = {
        "page": page,
        "tabs": tabs,
        "chosen": chosen,
        "mine": mine,
        "is_prescriber": request.user.role == Role.PRESCRIBER,
        "today": today,
        "closing_days": closing_days,
        "extra_query": f"{extra}&" if extra else "",
    }
    return render(request, "ipledge/worklist.html", context)
