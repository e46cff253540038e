"""Which patient reminders a course's checklist calls for (pure: no Django, no database).

The reminder sweep (``ipledge.tasks``) computes each open course's checklist and hands these to
``patients.reminders.schedule_reminders``, which keeps each (patient, kind, due date) once, so
the sweep can run as often as it likes. Reminders are for what is still ahead: an item that is
already overdue is the staff's to chase (it is on the worklist), not a message to the patient.

- Pregnancy test due: the test of the month (or before treatment) has a date to have it by;
  the message goes out ``TEST_NOTICE_DAYS`` before it, never before its window opens.
- Pickup window closing: on day 5 of a 7-day window (the issue's rule: two days left), and two
  days before the end of the 30-day window of a patient who cannot get pregnant.
- Labs due: ``LABS_NOTICE_DAYS`` before the next monitoring labs are due.
- Post-treatment test: on the first day it can be collected (30 days after the last dose).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .rule_items import Code, Item, Status

TEST_NOTICE_DAYS = 2
LABS_NOTICE_DAYS = 3
PICKUP_NOTICE_DAYS = 2  # days left in the window when the reminder goes: day 5 of 7

TEST_CODES = (Code.SCREENING_TEST, Code.CONFIRMATION_TEST, Code.MONTHLY_TEST)


@dataclass(frozen=True, slots=True)
class Due:
    """One reminder: its kind (a ``patients.outbox.models.MessageKind`` value), the day it is
    about (the message's due date) and the clinic-local day to send it."""

    kind: str
    due_date: date
    send_on: date


def reminders_due(items: tuple[Item, ...]) -> list[Due]:
    found = []
    for item in items:
        due = _for_item(item)
        if due is not None and due.send_on <= due.due_date:
            found.append(due)
    return found


def _for_item(item: Item) -> Due | None:
    if item.code in TEST_CODES and item.status is Status.DUE and item.due_on:
        window = item.window
        have_by = window.end if window and window.end else item.due_on
        send_on = have_by - timedelta(days=TEST_NOTICE_DAYS)
        if window:
            send_on = max(send_on, window.start)
        return Due("pregnancy_test_due", have_by, send_on)
    if item.code is Code.PICKUP_WINDOW and item.status is Status.DONE and item.window and item.window.end:
        # DONE here means a window is open and waiting for its pickup (see pregnancy_rules).
        window = item.window
        return Due("pickup_window_closing", window.end, window.end - timedelta(days=PICKUP_NOTICE_DAYS))
    if item.code is Code.LABS_DUE and item.status is Status.DUE and item.due_on:
        return Due("labs_due", item.due_on, item.due_on - timedelta(days=LABS_NOTICE_DAYS))
    if item.code is Code.POST_TREATMENT_TEST and item.status is Status.DUE and item.window:
        return Due("post_treatment_test", item.window.start, item.window.start)
    return None
