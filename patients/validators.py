"""Field rules shared by the model (for every caller) and the forms (for the message)."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

OLDEST_PLAUSIBLE_AGE = 120
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalize_phone(raw: str) -> str:
    """Turn what staff type into international form: US numbers may omit +1 and use any
    punctuation; other countries need their +code. Raises ValidationError when impossible."""
    raw = raw.strip()
    if not raw:
        return ""
    digits = re.sub(r"[\s().\-]", "", raw)
    if not re.fullmatch(r"\+?\d+", digits):
        raise ValidationError("Enter a phone number using digits, e.g. (617) 555-0100 or +44 20 7946 0958.")
    if not digits.startswith("+"):
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) != 10:
            raise ValidationError("A US phone number has 10 digits; add the country code (+…) for other countries.")
        digits = "+1" + digits
    validate_phone(digits)
    return digits


def validate_phone(value: str) -> None:
    if value and not _E164.match(value):
        raise ValidationError("Enter a valid phone number, e.g. (617) 555-0100 or +44 20 7946 0958.")


def validate_date_of_birth(value: date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError("The date of birth cannot be in the future.")
    if today.year - value.year > OLDEST_PLAUSIBLE_AGE:
        raise ValidationError(f"This date of birth gives an age over {OLDEST_PLAUSIBLE_AGE}; check the year.")


def validate_not_future(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError("This date is in the future.")


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
