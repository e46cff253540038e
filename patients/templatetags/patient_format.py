"""Display helpers for patient data."""

from django import template

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+16175550100 -> (617) 555-0100; other countries stay in international form."""
    if value and value.startswith("+1") and len(value) == 12:
        return f"({value[2:5]}) {value[5:8]}-{value[8:]}"
    return value
