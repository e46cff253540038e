"""The outbox of messages: reminders to patients and the daily digest to staff.

One row per message (``models.OutboxMessage``) with a unique key (recipient, kind, due date,
channel): scheduling the same reminder twice, or two sweeps at once, inserts it once
(``INSERT ... ON CONFLICT DO NOTHING``; see ``patients.reminders``, the API other apps call).

Sending (``sender``) is driven by the rows, not by queued tasks: every minute beat runs
``patients.tasks.dispatch_due_messages``, which picks due rows in batches and enqueues one
``send_message(id)`` task per row. A send task claims its row with a conditional update (one
claimant wins), checks the patient's preferences, sends through the channel (``channels``),
and records the outcome. No task ever waits in the queue with an ETA: a row that must wait
(quiet hours, a retry after back-off) keeps the time in ``next_attempt_at``.

Delivery guarantee: at least once, with duplicates confined to one narrow window.
- A worker killed before it claimed a row loses nothing: the row is still due and the next
  dispatch enqueues it again (a queued task that vanished with its worker is re-enqueued
  once ``REMINDER_LEASE_SECONDS`` passed since it was enqueued).
- A worker killed after claiming (status ``sending``) leaves the row to be reclaimed once the
  lease expires, and it is sent again. If the worker died before the provider accepted the
  message (the usual case: sending is mostly waiting for the network), the message goes out
  exactly once. If it died in the milliseconds between the provider's acceptance and our
  commit, the message goes out twice: neither SMTP nor an HTTP SMS API lets a sender make the
  hand-over and its own bookkeeping atomic. Every attempt of a message carries the same
  ``Message-ID`` header (email) or ``Idempotency-Key`` (SMS), so a mail system or provider
  that deduplicates on them shows the recipient one message.
- We chose at-least-once over at-most-once because a lost reminder (a missed pregnancy test
  locks the patient out of that month's prescription) costs more than an occasional double.
- An attempt whose lease expired cannot overwrite the outcome recorded by the attempt that
  reclaimed the row: outcomes are written with the attempt number as a fencing token.
"""
