"""The acting user for audit history outside a web request.

In a request, pghistory's middleware records the logged-in user and the path with every change.
Services also wrap their writes in ``acting(actor)`` so that the same holds when they run from a
Celery task, a management command or a test.
"""

import pghistory


def acting(actor, **extra):
    return pghistory.context(user=actor.pk if actor is not None else None, **extra)
