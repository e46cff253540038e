"""A real SMTP server (aiosmtpd) on a local port, in a thread, for the tests that send email."""

import asyncio
import socket
import threading
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Accepts mail and keeps it. ``refuse_next`` holds scripted answers to DATA ("451 ...")
    for the next messages; ``stall_after(n)`` makes the server stop answering the RCPT of the
    message after the ``n``-th accepted one, as a slow server would, until ``release()``."""

    def __init__(self):
        self.messages = []
        self.refuse_next: list[str] = []
        self.stalled = threading.Event()
        self._released = threading.Event()
        self._stall_after: int | None = None

    def stall_after(self, accepted: int) -> None:
        self._stall_after = accepted

    def release(self) -> None:
        self._released.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self._stall_after is not None and len(self.messages) == self._stall_after and not self.stalled.is_set():
            self.stalled.set()
            while not self._released.is_set():
                await asyncio.sleep(0.05)
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_next:
            return self.refuse_next.pop(0)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "message": message, "at": time.time()})
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    handler.release()
    controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Django in this process sends through the local SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_server
