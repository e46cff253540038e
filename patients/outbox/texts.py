"""Message texts: which placeholders each kind may use, what a text must never say, rendering.

Pure (no database): texts are ``string.Template`` strings (``$first_name``), which can only
substitute the values given, never reach attributes or run code, so an admin editing a text
cannot make it reveal more than the placeholders below. The values themselves are the minimum
necessary: the patient's first name, a date, a visit time, the clinic's name.
"""

import re
from collections.abc import Mapping
from datetime import date, datetime
from string import Template

COMMON_PLACEHOLDERS = frozenset({"first_name", "date", "clinic"})
# Placeholders beyond the common ones; for patient kinds they are also the context keys that
# scheduling requires (a visit reminder without the visit's time would read badly).
EXTRA_PLACEHOLDERS_BY_KIND: dict[str, frozenset[str]] = {
    "visit_2_days": frozenset({"time"}),
    "visit_1_day": frozenset({"time"}),
    "staff_digest": frozenset({"summary"}),
}
CONTEXT_FORMATS = {"time": re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")}
SMS_TEMPLATE_MAX_LENGTH = 300

# A reminder can be read by anyone who sees the recipient's phone or inbox (a parent, a
# partner, a lock screen), so its text must not reveal the treatment, a diagnosis or a result.
FORBIDDEN_WORDS = (
    "isotretinoin",
    "accutane",
    "absorica",
    "amnesteem",
    "claravis",
    "myorisan",
    "zenatane",
    "sotret",
    "ipledge",
    "acne",
    "pregnan",
    "contracept",
    "positive",
    "negative",
    "result",
    "diagnos",
)


def allowed_placeholders(kind: str) -> frozenset[str]:
    return COMMON_PLACEHOLDERS | EXTRA_PLACEHOLDERS_BY_KIND.get(kind, frozenset())


def required_context(kind: str) -> frozenset[str]:
    return frozenset() if kind == "staff_digest" else EXTRA_PLACEHOLDERS_BY_KIND.get(kind, frozenset())


def forbidden_word_in(text: str) -> str | None:
    lowered = text.lower()
    return next((word for word in FORBIDDEN_WORDS if word in lowered), None)


def template_problem(text: str, kind: str) -> str | None:
    """Why ``text`` cannot be a template for ``kind``, or None when it can."""
    template = Template(text)
    if not template.is_valid():
        return "Write placeholders as $name or ${name}, and a dollar sign as $$."
    unknown = set(template.get_identifiers()) - allowed_placeholders(kind)
    if unknown:
        allowed = ", ".join(f"${name}" for name in sorted(allowed_placeholders(kind)))
        return f"Unknown placeholder ${sorted(unknown)[0]}. This kind of message may use {allowed}."
    word = forbidden_word_in(text)
    if word:
        return f'Reminders must not mention the treatment, a diagnosis or a result (found "{word}").'
    return None


def clean_context(kind: str, context: Mapping[str, str] | None) -> dict[str, str]:
    """The context a message of ``kind`` is scheduled with; ValueError says what is wrong."""
    context = dict(context or {})
    missing = required_context(kind) - set(context)
    if missing:
        raise ValueError(f"A {kind} message needs {', '.join(sorted(missing))}.")
    unknown = set(context) - required_context(kind)
    if unknown:
        raise ValueError(f"A {kind} message takes no {', '.join(sorted(unknown))}.")
    for key, value in context.items():
        if not isinstance(value, str) or not CONTEXT_FORMATS[key].match(value):
            raise ValueError(f"{key} must be written HH:MM (24-hour clock).")
    return context


def format_date(day: date) -> str:
    """'Tuesday, March 10' (US style, no year: reminders are about the coming days)."""
    return f"{day:%A}, {day:%B} {day.day}"


def format_time(hhmm: str) -> str:
    """'14:30' -> '2:30 PM'."""
    moment = datetime.strptime(hhmm, "%H:%M")
    return f"{(moment.hour % 12) or 12}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


def placeholder_values(*, first_name: str, due_date: date, clinic: str, context: Mapping[str, str]) -> dict[str, str]:
    values = {"first_name": first_name, "date": format_date(due_date), "clinic": clinic}
    if "time" in context:
        values["time"] = format_time(context["time"])
    return values


def render(text: str, values: Mapping[str, str]) -> str:
    return Template(text).substitute(values)
