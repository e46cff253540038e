"""The stored compliance status of each tracked course (``CourseStatus``), kept in step with
the checklist.

- ``recompute(course_ids, on)``: the checklist of each course on ``on`` turned into its status
  row, in bulk: a fixed number of queries per call (the facts adapter's, one read of the
  existing rows, at most one INSERT, one UPDATE and one DELETE). A row is written only when
  its content changed, so recomputing twice writes nothing the second time.
- ``on_facts_changed(patient_id)``: the ``PATIENT_FACTS_LISTENERS`` entry: after any service
  (of any app) commits a change of a patient's facts, that patient's courses are recomputed in
  the same request, so the next page shows the new status.
- ``courses_to_track(on)``: the courses that have a status row: every open course (planned,
  active, paused) and a course whose last dose was at most ``AFTER_TREATMENT_DAYS`` ago (the
  post-treatment test and month of contraception are still to follow). The hourly sweep
  (``tasks.sweep_course_statuses``) recomputes them all, because windows open and close with
  the calendar, and deletes the rows of courses no longer tracked.

The state of a course, from its checklist:
``completed`` treatment over and nothing after it left to do; ``blocked`` an item stops the
prescription until something changes (a positive test, a tetracycline, the 2021 lockout, the
methods not matching); ``ready`` every blocking item done; ``not_started`` nothing recorded
yet (not enrolled, treatment not started); ``action_needed`` anything else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.models import OPEN_STATES, Course

from .facts import CourseBundle, course_bundles, rule_settings
from .models import CourseStatus, Prescription, StatusState
from .monthly_rules import VisitWindow, next_visit_window
from .rule_context import Phase
from .rule_dates import DateRange
from .rule_facts import RuleSettings
from .rule_items import Code, Item, Status
from .rule_sets import RuleSet
from .rules import Checklist, checklist

logger = logging.getLogger(__name__)

AFTER_TREATMENT_DAYS = 120
OPEN_VISIT_WINDOW_DAYS = 7
CONTENT_FIELDS = (
    "patient_id",
    "prescriber_id",
    "state",
    "rule_set",
    "blocking_reasons",
    "next_due_on",
    "prescribe_by",
    "labs_awaiting_review",
    "mg_per_kg",
    "projected_end",
    "checklist",
    "visit_from",
    "visit_until",
    "overrides",
)


def state_of(result: Checklist, bundle: CourseBundle) -> StatusState:
    if result.completed:
        return StatusState.COMPLETED
    if any(item.blocking and item.status is Status.BLOCKED for item in result.items):
        return StatusState.BLOCKED
    if result.ready_to_prescribe:
        return StatusState.READY
    if result.phase is Phase.NOT_STARTED and bundle.facts.enrollment.enrolled_on is None:
        return StatusState.NOT_STARTED
    return StatusState.ACTION_NEEDED


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def item_json(item: Item) -> dict:
    return {
        "code": str(item.code),
        "title": item.title,
        "status": str(item.status),
        "due": _iso(item.due_on),
        "window": [_iso(item.window.start), _iso(item.window.end)] if item.window else None,
        "reason": item.reason,
        "rule_set": str(item.rule_set),
        "blocks": item.blocks_prescribing,
    }


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def item_from_json(data: dict) -> Item:
    """The inverse of ``item_json`` (the reminder sweep reads stored checklists)."""
    window = None
    if data.get("window"):
        start, end = data["window"]
        window = DateRange(_day(start), _day(end))
    return Item(
        code=Code(data["code"]),
        title=data["title"],
        status=Status(data["status"]),
        reason=data["reason"],
        blocks_prescribing=data["blocks"],
        rule_set=RuleSet(data["rule_set"]),
        due_on=_day(data.get("due")),
        window=window,
    )


def status_row(
    bundle: CourseBundle, result: Checklist, on: date, visit: VisitWindow | None, overrides: list[dict]
) -> CourseStatus:
    # An open-ended visit window (the first visit, a confirmation test from a day on) is shown
    # to the front desk as its first week, so the due list can suggest a slot in it.
    visit_until = None if visit is None else visit.end or visit.start + timedelta(days=OPEN_VISIT_WINDOW_DAYS - 1)
    return CourseStatus(
        course_id=bundle.course_id,
        patient_id=bundle.patient_id,
        prescriber_id=bundle.prescriber_id,
        state=state_of(result, bundle),
        rule_set=str(result.rule_set),
        blocking_reasons=[{"code": str(i.code), "title": i.title, "reason": i.reason} for i in result.blocking_items],
        next_due_on=result.next_due_on,
        prescribe_by=result.prescribe_by if result.ready_to_prescribe else None,
        labs_awaiting_review=min(bundle.labs_awaiting_review(on), 32767),
        mg_per_kg=bundle.mg_per_kg,
        projected_end=bundle.projected_end,
        checklist=[item_json(i) for i in result.items],
        visit_from=visit.start if visit else None,
        visit_until=visit_until,
        overrides=overrides,
        computed_for=on,
    )


def tracked(course_state: str, last_dose_on: date | None, on: date) -> bool:
    if course_state in OPEN_STATES:
        return True
    return last_dose_on is not None and last_dose_on >= on - timedelta(days=AFTER_TREATMENT_DAYS)


def _tracked_q(on: date) -> Q:
    return Q(state__in=OPEN_STATES) | Q(
        start_date__isnull=False, end_date__gte=on - timedelta(days=AFTER_TREATMENT_DAYS)
    )


def overrides_by_course(course_ids: list[int]) -> dict[int, list[dict]]:
    """The prescriptions written despite blocking items, per course, newest first (one query)."""
    found: dict[int, list[dict]] = {}
    rows = (
        Prescription.objects.filter(course_id__in=course_ids, overridden=True)
        .order_by("-written_on", "-id")
        .values_list("course_id", "written_on", "prescriber__full_name", "override_reason")
    )
    for course_id, written_on, prescriber, reason in rows:
        found.setdefault(course_id, []).append({"on": written_on.isoformat(), "by": prescriber, "reason": reason})
    return found


def courses_to_track(on: date) -> list[int]:
    """Ids of the courses that keep a status row on ``on`` (one query), by id."""
    return list(Course.objects.filter(_tracked_q(on)).order_by("id").values_list("id", flat=True))


def recompute(course_ids: Iterable[int], on: date | None = None, settings: RuleSettings | None = None) -> int:
    """Bring the status rows of ``course_ids`` up to date for ``on`` (default: today); return
    how many rows were inserted, updated or deleted."""
    on = on or timezone.localdate()
    ids = list(dict.fromkeys(course_ids))
    if not ids:
        return 0
    settings = settings or rule_settings()
    bundles = course_bundles(ids, on, settings)
    existing = {row.course_id: row for row in CourseStatus.objects.filter(course_id__in=ids)}
    overrides = overrides_by_course(ids)
    now = timezone.now()
    inserts, updates, gone = [], [], []
    for course_id in ids:
        bundle = bundles.get(course_id)
        if bundle is None or not tracked(bundle.course_state, bundle.facts.course.last_dose_on, on):
            if course_id in existing:
                gone.append(course_id)
            continue
        visit = next_visit_window(bundle.facts, on, settings)
        row = status_row(bundle, checklist(bundle.facts, on, settings), on, visit, overrides.get(course_id, []))
        row.computed_at = now
        old = existing.get(course_id)
        if old is None:
            inserts.append(row)
        elif any(getattr(old, name) != getattr(row, name) for name in CONTENT_FIELDS):
            updates.append(row)
    with transaction.atomic():
        if inserts:
            # INSERT ... ON CONFLICT DO UPDATE: a concurrent recompute of the same course (two
            # requests, or a request and the sweep) may have inserted the row since we read.
            CourseStatus.objects.bulk_create(
                inserts,
                update_conflicts=True,
                unique_fields=["course"],
                update_fields=[*CONTENT_FIELDS, "computed_for", "computed_at"],
            )
        if updates:
            CourseStatus.objects.bulk_update(updates, [*CONTENT_FIELDS, "computed_for", "computed_at"])
        if gone:
            CourseStatus.objects.filter(course_id__in=gone).delete()
    return len(inserts) + len(updates) + len(gone)


def recompute_patient(patient_id: int, on: date | None = None) -> int:
    """Recompute every course of the patient (the open one and recently ended ones)."""
    ids = list(Course.objects.filter(patient_id=patient_id).values_list("id", flat=True))
    return recompute(ids, on)


def on_facts_changed(patient_id: int) -> None:
    """``PATIENT_FACTS_LISTENERS`` entry: runs after the commit of the change, in the request.

    The change is already committed: a failure here must not turn the staff member's saved
    entry into an error page. It is logged (ids only) and the hourly sweep catches up."""
    try:
        recompute_patient(patient_id)
    except Exception:
        logger.exception("course status recompute failed for patient %s; the sweep will retry", patient_id)


SWEEP_BATCH = 500


def sweep(on: date | None = None, batch: int = SWEEP_BATCH) -> int:
    """Recompute every tracked course in batches of ``batch`` ids and delete the rows of
    courses no longer tracked; return the number of rows written."""
    on = on or timezone.localdate()
    settings = rule_settings()
    ids = courses_to_track(on)
    written = 0
    for first in range(0, len(ids), batch):
        chunk = ids[first : first + batch]
        try:
            written += recompute(chunk, on, settings)
        except Exception:
            # One course whose facts the rules cannot read must not stop every other course's
            # status from following the calendar.
            logger.exception("course status sweep: batch of %s courses from id %s failed", len(chunk), chunk[0])
    stale = CourseStatus.objects.exclude(course__in=Course.objects.filter(_tracked_q(on))).delete()[0]
    logger.info("course status sweep for %s: %s courses, %s rows written, %s removed", on, len(ids), written, stale)
    return written + stale
