"""Telling higher apps that a patient's clinical facts changed.

A lower app must not import a higher one (accounts <- patients <- labs, courses <- ipledge), yet
the compliance status kept by ``ipledge`` depends on facts recorded everywhere. Services call
``facts_changed(patient_id)`` after a write; once the transaction commits, each function listed
in ``settings.PATIENT_FACTS_LISTENERS`` runs with the patient id, in the same request. Listeners
are wired in settings, where the dependency is visible, instead of through model signals.
"""

from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string


@cache
def _listeners():
    return [import_string(path) for path in settings.PATIENT_FACTS_LISTENERS]


def facts_changed(patient_id: int) -> None:
    for listener in _listeners():
        transaction.on_commit(lambda listener=listener: listener(patient_id))
