"""The compliance reminder sweep: what each tracked course's checklist calls for, into the outbox.

It reads the checklist stored on each ``CourseStatus`` row instead of recomputing it, so it
costs a few queries per thousand courses. The snapshot is current because the sweep runs right
after the status sweep, in the same task (``ipledge.tasks.sweep_course_statuses``), and because
every change of a course's facts recomputes its row in the request that made it.

Steps, per batch of patients:
1. read their status rows (patient id, checklist),
2. turn each checklist into reminders with ``reminder_rules.reminders_due`` and hand them to
   ``patients.reminders.schedule_reminders`` (idempotent: one row per patient, kind, due date),
3. cancel the compliance reminders of these patients that have not gone out and that no
   checklist asks for any more (a test done early, a window moved by a new test), so that no
   patient is told to do what is already done (``patients.reminders.cancel_reminders_except``).
   A cancelled reminder comes back if it is due again (``schedule_reminders`` revives it).
"""

from __future__ import annotations

import logging
from itertools import groupby, islice
from operator import itemgetter

from patients.outbox.models import MessageKind
from patients.reminders import Reminder, cancel_reminders_except, schedule_reminders

from .models import CourseStatus
from .reminder_rules import reminders_due
from .status import item_from_json

logger = logging.getLogger(__name__)

COMPLIANCE_KINDS = (
    MessageKind.LABS_DUE,
    MessageKind.PREGNANCY_TEST_DUE,
    MessageKind.PICKUP_WINDOW_CLOSING,
    MessageKind.POST_TREATMENT_TEST,
)
PATIENTS_PER_BATCH = 1000


def reminders_for(patient_id: int, checklist: list[dict]) -> list[Reminder]:
    items = tuple(item_from_json(data) for data in checklist)
    return [Reminder(patient_id, due.kind, due.due_date, due.send_on) for due in reminders_due(items)]


def sweep(batch: int = PATIENTS_PER_BATCH) -> dict[str, int]:
    """Schedule the reminders every stored checklist calls for and cancel those no longer
    called for; returns counts. Call it outside any transaction (each batch commits alone)."""
    rows = CourseStatus.objects.order_by("patient_id").values_list("patient_id", "checklist")
    # A patient's courses (an open one and one that ended last month) stay in one batch, so
    # step 3 sees every reminder the patient's checklists want.
    by_patient = (
        (pid, [checklist for _, checklist in group]) for pid, group in groupby(rows.iterator(2000), itemgetter(0))
    )
    scheduled = cancelled = patients = 0
    while chunk := list(islice(by_patient, batch)):
        reminders = [r for pid, checklists in chunk for checklist in checklists for r in reminders_for(pid, checklist)]
        scheduled += schedule_reminders(reminders)
        cancelled += cancel_reminders_except(
            patient_ids=[pid for pid, _ in chunk],
            kinds=COMPLIANCE_KINDS,
            keep={(r.patient_id, r.kind, r.due_date) for r in reminders},
        )
        patients += len(chunk)
    logger.info("compliance reminder sweep: %s patients, %s scheduled, %s cancelled", patients, scheduled, cancelled)
    return {"patients": patients, "scheduled": scheduled, "cancelled": cancelled}
