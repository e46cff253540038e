"""Checks on uploaded evidence photos: a real image (by its first bytes, not its name or the
browser's declared type) and at most 5 MB."""

import uuid

from django.core.exceptions import ValidationError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
# Formats every browser displays; the signature is checked, so a renamed file is refused.
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def image_kind(head: bytes) -> str | None:
    """'jpg', 'png' or 'webp' from a file's first 12 bytes; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def read_head(file, size: int = 12) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(size)
    file.seek(position)
    return head


def validate_evidence_photo(file) -> None:
    if file.size > MAX_PHOTO_BYTES:
        raise ValidationError(f"The photo is {file.size / 1024 / 1024:.1f} MB; the limit is 5 MB.")
    if image_kind(read_head(file)) is None:
        raise ValidationError("Upload a photo as a JPEG, PNG or WebP image.")


def evidence_upload_to(instance, filename: str) -> str:
    """A random name under the patient's folder: no patient name or original file name on disk."""
    kind = image_kind(read_head(instance.photo.file)) or "bin"
    return f"pregnancy-tests/{instance.patient_id}/{uuid.uuid4().hex}.{kind}"
