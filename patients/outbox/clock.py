"""Time maths for messages: clinic-local wall-clock times to UTC instants, quiet hours, back-off.

Pure (no database, no settings): callers pass the clinic's ``ZoneInfo``. Local times are
combined with their date through zoneinfo, never by adding 24 hours to a UTC instant, so
"9:00 on Sunday 8 March" is 9:00 on the clock on the wall even on the day the clocks change.

A wall-clock time that does not exist (2:30 on the spring-forward Sunday in New York) means the
instant the clocks jump past it (3:00 on the new clock): "at 2:30" and "until 2:30" both happen
as soon as 2:30 has been passed. A time that happens twice (1:30 on the fall-back Sunday) means
its first occurrence.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_RETRY_DELAY = timedelta(hours=6)


def clinic_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant at which clocks in ``tz`` show ``at`` on ``day`` (see the module docstring
    for the times a daylight-saving change skips or repeats)."""
    wall = datetime.combine(day, at)
    instant = wall.replace(tzinfo=tz).astimezone(UTC)
    if _reading(instant, tz) == wall:
        return instant
    # Skipped by a forward jump. Read with the offset after the change, the wall time gives an
    # instant before the jump; with the offset before it, one after. Transitions fall on whole
    # seconds: find the first second whose reading is at or past ``wall``.
    before = int(wall.replace(tzinfo=tz, fold=1).astimezone(UTC).timestamp())
    after = int(instant.timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        if _reading(datetime.fromtimestamp(middle, UTC), tz) >= wall:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def _reading(instant: datetime, tz: ZoneInfo) -> datetime:
    """What a clock in ``tz`` shows at ``instant`` (naive)."""
    return instant.astimezone(tz).replace(tzinfo=None)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def quiet_until(instant: datetime, start: time | None, end: time | None, tz: ZoneInfo) -> datetime | None:
    """When the quiet hours that ``instant`` falls in end (UTC), or None outside quiet hours.

    Quiet hours run from ``start`` (included) to ``end`` (excluded) in clinic time and may span
    midnight (21:00 to 08:00). Equal or missing bounds mean no quiet hours. Each night's quiet
    period is compared as a pair of instants, not as wall-clock times, so the answer holds on
    the nights the clocks change.
    """
    if start is None or end is None or start == end:
        return None
    nights = 0 if start < end else 1
    today = local_date(instant, tz)
    # A period containing ``instant`` began on its local day or (spanning midnight) the day before.
    for began in (today - timedelta(days=1), today):
        opens = clinic_instant(began, start, tz)
        closes = clinic_instant(began + timedelta(days=nights), end, tz)
        if opens <= instant < closes:
            # On the spring-forward night both bounds can fall in the skipped hour, so the next
            # period opens the very instant this one closes: then the quiet goes on until it ends.
            return quiet_until(closes, start, end, tz) or closes
    return None


def retry_delay(attempt: int, base: timedelta) -> timedelta:
    """Exponential back-off after failed attempt number ``attempt`` (1, 2, ...): base, 2x, 4x, ...
    capped at MAX_RETRY_DELAY."""
    if attempt < 1:
        raise ValueError("attempts are numbered from 1")
    return min(base * 2 ** min(attempt - 1, 32), MAX_RETRY_DELAY)
