"""The HTTP SMS backend against a real HTTP server on a local port (http.server in a thread)."""

import json
import threading
from datetime import time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from patients.outbox import sender
from patients.outbox.channels import PermanentError, RetryableError
from patients.outbox.channels.sms import HttpSmsBackend
from patients.outbox.models import MessageKind, OutboxMessage, Status
from patients.reminders import schedule_reminder
from tests.factories import PatientFactory


class FakeProvider(BaseHTTPRequestHandler):
    """Answers with ``server.answer`` = (status, body, delay in seconds); records requests."""

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "json": json.loads(self.rfile.read(length))}
        )
        status, body, delay = self.server.answer
        if delay:
            self.server.hang.wait(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def provider():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeProvider)
    server.requests, server.answer, server.hang = [], (200, '{"id": "msg-123"}', 0), threading.Event()
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/v1/messages"
    yield server
    server.hang.set()
    server.shutdown()
    server.server_close()


def backend(provider, timeout=2.0) -> HttpSmsBackend:
    return HttpSmsBackend(url=provider.url, token="s3cret-token", timeout=timeout)


def test_a_text_is_posted_as_json_with_the_token_and_an_idempotency_key(provider):
    provider_id = backend(provider).send(to="+16175550100", body="Hello", key="outbox-42")
    assert provider_id == "msg-123"
    [request] = provider.requests
    assert request["path"] == "/v1/messages"
    assert request["json"] == {"to": "+16175550100", "body": "Hello", "reference": "outbox-42"}
    assert request["headers"]["Authorization"] == "Bearer s3cret-token"
    assert request["headers"]["Idempotency-Key"] == "outbox-42"
    assert request["headers"]["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, '{"error": "internal"}', RetryableError),
        (502, "bad gateway", RetryableError),
        (503, "", RetryableError),
        (429, '{"error": "slow down"}', RetryableError),
        (400, '{"error": "invalid number"}', PermanentError),
        (401, '{"error": "bad token"}', PermanentError),
        (404, "", PermanentError),
    ],
)
def test_server_errors_and_rate_limits_are_retryable_other_client_errors_are_not(provider, status, body, error):
    provider.answer = (status, body, 0)
    with pytest.raises(error, match=f"HTTP {status}"):
        backend(provider).send(to="+16175550100", body="Hello", key="outbox-1")


def test_a_provider_that_does_not_answer_in_time_is_retryable(provider):
    provider.answer = (200, '{"id": "late"}', 5)
    with pytest.raises(RetryableError, match=r"timed out|TimeoutError"):
        backend(provider, timeout=0.5).send(to="+16175550100", body="Hello", key="outbox-1")


def test_a_provider_that_refuses_connections_is_retryable(provider):
    from tests.patients.smtp import free_port

    closed = HttpSmsBackend(url=f"http://127.0.0.1:{free_port()}/", token="t", timeout=1)
    with pytest.raises(RetryableError):
        closed.send(to="+16175550100", body="Hello", key="outbox-1")


def test_an_accepted_text_without_an_id_is_not_sent_again(provider):
    provider.answer = (202, "accepted", 0)
    assert backend(provider).send(to="+16175550100", body="Hello", key="outbox-1") == ""


def test_the_backend_refuses_a_url_that_is_not_http():
    with pytest.raises(ImproperlyConfigured, match="SMS_HTTP_URL"):
        HttpSmsBackend(url="file:///etc/passwd", token="t", timeout=1)


def test_a_reminder_by_sms_goes_through_the_configured_provider_once(db, provider, settings):
    settings.SMS_BACKEND = "patients.outbox.channels.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = provider.url, "s3cret-token"
    settings.CLINIC_NAME = "Elm Street Skin Clinic"
    patient = PatientFactory(first_name="Robin", preferred_channel="sms", phone="+16175550100", mrn="MRN55")
    message = schedule_reminder(
        patient_id=patient.pk,
        kind=MessageKind.VISIT_1_DAY,
        due_date=timezone.localdate() + timedelta(days=1),
        send_on=timezone.localdate(),
        send_at=time(0),
        context={"time": "09:15"},
    )
    assert sender.send_message(message.pk) == "sent"
    assert sender.send_message(message.pk) == "not claimable"
    [request] = provider.requests
    assert request["json"]["to"] == "+16175550100"
    assert "Robin" in request["json"]["body"] and "9:15 AM" in request["json"]["body"]
    assert "Elm Street Skin Clinic" in request["json"]["body"] and "MRN55" not in request["json"]["body"]
    sent = OutboxMessage.objects.get(pk=message.pk)
    assert (sent.status, sent.provider_message_id, sent.channel) == (Status.SENT, "msg-123", "sms")


def test_a_refused_number_is_recorded_as_not_delivered_without_a_retry(db, provider, settings):
    settings.SMS_BACKEND = "patients.outbox.channels.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = provider.url
    provider.answer = (400, '{"error": "not a mobile number"}', 0)
    patient = PatientFactory(preferred_channel="sms", phone="+16175550100")
    message = schedule_reminder(
        patient_id=patient.pk,
        kind=MessageKind.LABS_DUE,
        due_date=timezone.localdate(),
        send_on=timezone.localdate(),
        send_at=time(0),
    )
    assert sender.send_message(message.pk) == "failed: rejected"
    failed = OutboxMessage.objects.get(pk=message.pk)
    assert failed.next_attempt_at is None and "not a mobile number" in failed.last_error
