"""Delivering one rendered message on one channel.

A channel either returns the provider's id for the message or raises ``DeliveryError``:
``RetryableError`` when trying again later may work (timeouts, connection failures, SMTP 4xx,
HTTP 5xx and 429), ``PermanentError`` when it will not (SMTP 5xx, HTTP 4xx).
"""

from dataclasses import dataclass


class DeliveryError(Exception):
    retryable = False


class RetryableError(DeliveryError):
    retryable = True


class PermanentError(DeliveryError):
    retryable = False


@dataclass(frozen=True)
class Outgoing:
    key: str  # the same for every attempt of one message: receivers may deduplicate on it
    address: str
    subject: str
    body: str


def deliver(channel: str, outgoing: Outgoing) -> str:
    """Send ``outgoing`` on ``channel`` ("email" or "sms"); returns the provider message id."""
    from . import email, sms  # here, not at the top: both import the classes above from this module

    senders = {"email": email.send_email, "sms": sms.send_sms}
    return senders[channel](outgoing)
