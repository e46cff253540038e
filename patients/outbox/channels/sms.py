"""Text messages through a small backend interface chosen by ``settings.SMS_BACKEND``.

A backend is a class whose instances have ``send(*, to, body, key) -> provider message id``
and raise ``RetryableError`` / ``PermanentError``. Two ship here: the console (the demo) and a
generic HTTP JSON provider. Adding a provider means one class and one setting.
"""

import json
import sys
import urllib.error
import urllib.request
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import Outgoing, PermanentError, RetryableError


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, key: str) -> str: ...


class ConsoleSmsBackend:
    """Writes each text to standard output (``make run``), like Django's console email backend."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, body: str, key: str) -> str:
        self.stream.write(f"SMS to {to} (reference {key})\n{body}\n{'-' * 60}\n")
        self.stream.flush()
        return f"console:{key}"


class HttpSmsBackend:
    """POSTs ``{"to", "body", "reference"}`` as JSON to ``SMS_HTTP_URL`` with the bearer token
    ``SMS_HTTP_TOKEN`` and an ``Idempotency-Key`` header; expects a JSON answer with ``id``.

    5xx answers, 429 (rate limited), timeouts and connection failures are worth retrying; any
    other 4xx (bad number, bad token) will fail the same way again.
    """

    MAX_RESPONSE_BYTES = 64 * 1024

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.url = url if url is not None else settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.timeout = timeout if timeout is not None else settings.SMS_HTTP_TIMEOUT
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("SMS_HTTP_URL must be an http:// or https:// URL for the HTTP SMS backend.")

    def send(self, *, to: str, body: str, key: str) -> str:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=json.dumps({"to": to, "body": body, "reference": key}).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read(self.MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as error:
            detail = error.read(300).decode(errors="replace")
            error_class = RetryableError if error.code >= 500 or error.code == 429 else PermanentError
            raise error_class(f"HTTP {error.code}: {detail}"[:500]) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise RetryableError(f"{type(error).__name__}: {getattr(error, 'reason', error)}"[:500]) from error
        try:
            answer = json.loads(payload or b"{}")
        except ValueError:
            answer = {}
        # Accepted (2xx): never retry, even without an id, or the text would go out twice.
        return str(answer.get("id", "")) if isinstance(answer, dict) else ""


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(outgoing: Outgoing) -> str:
    return sms_backend().send(to=outgoing.address, body=outgoing.body, key=outgoing.key)
