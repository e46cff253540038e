"""Email through Django's email backend (``EMAIL_URL``: SMTP in production, console in the demo)."""

import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from . import Outgoing, PermanentError, RetryableError


def message_id_header(key: str) -> str:
    """A Message-ID that stays the same across attempts of one message, so a resend after a
    worker crash can be recognised as the same message by mail systems that deduplicate."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "isotrack.invalid"
    return f"<{key}@{domain}>"


def _smtp_error(code: int, text: bytes | str) -> PermanentError | RetryableError:
    detail = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    error_class = PermanentError if code >= 500 else RetryableError
    return error_class(f"SMTP {code}: {detail}"[:500])


def send_email(outgoing: Outgoing) -> str:
    message_id = message_id_header(outgoing.key)
    email = EmailMessage(
        subject=outgoing.subject,
        body=outgoing.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outgoing.address],
        headers={"Message-ID": message_id},
    )
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise _smtp_error(code, text) from error
    except smtplib.SMTPResponseException as error:
        raise _smtp_error(error.smtp_code, error.smtp_error) from error
    except (smtplib.SMTPException, OSError) as error:  # disconnected, refused, timed out
        raise RetryableError(f"{type(error).__name__}: {error}"[:500]) from error
    return message_id
