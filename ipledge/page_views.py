"""The iPLEDGE pages around a course: what to enter on iPLEDGE (per course and clinic-wide),
the therapy calendar and its .ics file, the history of past months and the printable summary.

Thin: ``page_data`` reads (a fixed number of queries per page), the pure modules
(``entries``, ``display``, ``ics``, the rules) shape, the templates show. Ticks go through
the ``entry_tick`` / ``entry_untick`` services.
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import permission_required, sensitive
from patients.services import chart_view_record

from . import page_data, services
from .calendar_rules import calendar_events
from .display import calendar_rows, item_rows, month_history, with_visits
from .entries import cycle_start, entry_sheet, month_key
from .facts import course_facts, rule_settings
from .ics import calendar_ics
from .monthly_rules import ipledge_entries
from .page_data import TICK, VIEW
from .rules import checklist

ENTRIES_PER_PAGE = 50


def _course_page(request, patient_id: int, course_id: int):
    patient, course = page_data.patient_course(request.user, patient_id, course_id, VIEW)
    chart_view_record(user=request.user, patient_id=patient.pk, path=request.path)
    return patient, course


def _sheet(course, today, settings):
    entries = ipledge_entries(course_facts(course.pk, today, settings), today, settings)
    ticks = page_data.ticks_for({course.pk: cycle_start(entries)}).get(course.pk)
    return entry_sheet(entries, course_id=course.pk, ticks=ticks)


@permission_required(VIEW)
@require_GET
def course_entries(request, patient_id: int, course_id: int):
    """What to enter on iPLEDGE this month for one course, with a tick button per entry."""
    patient, course = _course_page(request, patient_id, course_id)
    today = timezone.localdate()
    sheet = _sheet(course, today, rule_settings())
    context = {
        "patient": patient,
        "course": course,
        "sheet": sheet,
        "today": today,
        "can_tick": request.user.has_perm(TICK),
    }
    return render(request, "ipledge/entries.html", context)


@permission_required(TICK)
@require_POST
def entry_mark(request, patient_id: int, course_id: int):
    """Tick (or untick) one entry as typed into iPLEDGE. htmx swaps the entry's row; without
    JavaScript the course's entries page comes back. A tampered key or action changes nothing
    and answers 400 with the page."""
    patient, course = page_data.patient_course(request.user, patient_id, course_id, TICK)
    today = timezone.localdate()
    settings = rule_settings()
    sheet = _sheet(course, today, settings)
    key, action = request.POST.get("key", ""), request.POST.get("action", "")
    row = next((r for r in sheet.rows if r.key == key), None)
    error = ""
    if row is None or action not in ("tick", "untick") or (action == "tick" and not row.ready):
        error = "That entry is not on this month's list (it may have changed): reload the page."
    else:
        try:
            if action == "tick":
                services.entry_tick(
                    actor=request.user, course_id=course.pk, cycle_start=sheet.cycle_start, code=key, entered_on=today
                )
            else:
                services.entry_untick(actor=request.user, course_id=course.pk, cycle_start=sheet.cycle_start, code=key)
        except ValidationError as e:
            error = " ".join(e.messages)
    if not error:
        sheet = _sheet(course, today, settings)
        row = next((r for r in sheet.rows if r.key == key), row)
    context = {"patient": patient, "course": course, "sheet": sheet, "today": today, "can_tick": True}
    if request.htmx and row is not None:
        # htmx swaps only 2xx answers: the refusal comes back as the row with its message.
        return render(request, "ipledge/_entry_row.html", {**context, "row": row, "error": error})
    if error:
        return render(request, "ipledge/entries.html", {**context, "error": error}, status=400)
    return redirect("ipledge:course_entries", patient_id=patient.pk, course_id=course.pk)


@permission_required(VIEW)
@require_GET
def clinic_entries(request):
    """Every open course with something left to enter on iPLEDGE this month. A fixed number of
    queries: the open courses' facts in bulk, their ticks in one query."""
    today = timezone.localdate()
    settings = rule_settings()
    courses = page_data.open_course_facts(today, settings)
    month_entries = {c.pk: ipledge_entries(c.facts, today, settings) for c in courses}
    ticks = page_data.ticks_for({pk: cycle_start(entries) for pk, entries in month_entries.items()})
    sheets = []
    for course in courses:
        sheet = entry_sheet(month_entries[course.pk], course_id=course.pk, ticks=ticks.get(course.pk))
        if sheet.has_open:
            sheets.append((course, sheet))
    # Mismatches first (they block the month), then the courses with the most left to enter.
    sheets.sort(key=lambda pair: (pair[1].mismatch is None, -len(pair[1].open_rows), pair[0].last_name, pair[0].pk))
    page = Paginator(sheets, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "today": today, "month": month_key(today), "total": len(sheets)}
    return render(request, "ipledge/clinic_entries.html", context)


def _events(course, today, settings):
    facts = course_facts(course.pk, today, settings)
    return with_visits(calendar_events(facts, today, settings), page_data.visits(course.pk))


@permission_required(VIEW)
@require_GET
def course_calendar(request, patient_id: int, course_id: int):
    patient, course = _course_page(request, patient_id, course_id)
    today = timezone.localdate()
    past, upcoming = calendar_rows(_events(course, today, rule_settings()), today)
    context = {"patient": patient, "course": course, "past": past, "upcoming": upcoming, "today": today}
    return render(request, "ipledge/calendar.html", context)


@sensitive(VIEW)
@require_GET
def course_calendar_ics(request, patient_id: int, course_id: int):
    """The therapy calendar as an .ics file: dates and kinds of events only (see ipledge.ics)."""
    _, course = _course_page(request, patient_id, course_id)
    today = timezone.localdate()
    body = calendar_ics(
        _events(course, today, rule_settings()),
        course_id=course.pk,
        stamp=timezone.now(),
        name="Isotretinoin course calendar",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="course-{course.pk}.ics"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required(VIEW)
@require_GET
def course_months(request, patient_id: int, course_id: int):
    """How each past month of the course ended (recomputed from the facts, not stored)."""
    patient, course = _course_page(request, patient_id, course_id)
    today = timezone.localdate()
    settings = rule_settings()
    facts = course_facts(course.pk, today, settings)
    since = course.start_date or course.planned_start or today
    first = min([since, *(t.collected_on for t in facts.pregnancy_tests)])
    context = {
        "patient": patient,
        "course": course,
        "today": today,
        "months": month_history(facts, since=first, on=today, settings=settings),
    }
    return render(request, "ipledge/months.html", context)


@permission_required(VIEW)
@require_GET
def course_summary(request, patient_id: int, course_id: int):
    """A printable summary of the course (the browser's print: no navigation, no buttons)."""
    patient, course = _course_page(request, patient_id, course_id)
    today = timezone.localdate()
    settings = rule_settings()
    facts = course_facts(course.pk, today, settings)
    result = checklist(facts, today, settings)
    context = {
        "patient": patient,
        "course": course,
        "today": today,
        "checklist": result,
        "rows": item_rows(result.items),
        "dose": page_data.dose_summary(request.user, course, today),
        "prescriptions": page_data.prescriptions(course.pk),
        "authorizations": page_data.authorizations(course.pk),
    }
    return render(request, "ipledge/summary.html", context)
