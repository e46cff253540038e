"""Scheduled audit-integrity work (beat entries in config/celery.py)."""

import logging

from celery import shared_task

from .seal import seal_all, verify_all

logger = logging.getLogger(__name__)


@shared_task
def audit_seal() -> int:
    """Seal the audit rows written since the last run."""
    return sum(seal_all().values())


class AuditTampered(Exception):
    """The audit verification found deleted or altered rows (the message names them)."""


@shared_task
def audit_verify() -> int:
    """Verify every seal; a failure is logged as an error and fails the task, naming the rows."""
    result = verify_all()
    if result.problems:
        logger.error("audit verification failed: %s", "; ".join(result.problems))
        raise AuditTampered("; ".join(result.problems))
    logger.info("audit verification passed: %d sealed rows intact", result.checked)
    return result.checked
