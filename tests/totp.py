"""The current TOTP code for the personas' shared test secret."""

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from .factories import TOTP_SECRET


def current_code(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2] + offset))
