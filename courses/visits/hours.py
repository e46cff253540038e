"""Clinic hours and visit slots, in the clinic's time zone.

Slots are wall-clock times (08:30, 09:00, ... on the clinic's clocks) turned into UTC instants
one by one with ``patients.outbox.clock.clinic_instant``, never by adding minutes to a UTC
instant, so on the Sundays the clocks change a 09:00 slot is still 09:00 on the wall. A wall time
the spring-forward jump skips is not a slot (it would duplicate the slot after the jump).
"""

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from patients.outbox.clock import clinic_instant

# Visits last at most 4 hours (Visit.duration_minutes); free-slot searches rely on it.
LONGEST_VISIT = timedelta(minutes=240)


def _time(value: str) -> time:
    return time.fromisoformat(value)


def clinic_tz() -> ZoneInfo:
    return timezone.get_current_timezone()


def is_open_day(day: date) -> bool:
    return day.weekday() in settings.CLINIC_DAYS


def within_opening_hours(starts_at: datetime, minutes: int) -> bool:
    """Whether a visit from ``starts_at`` for ``minutes`` falls on an open day, between opening
    and closing time (clinic wall clock)."""
    start = local(starts_at)
    end = local(starts_at + timedelta(minutes=minutes))
    return (
        is_open_day(start.date())
        and end.date() == start.date()
        and _time(settings.CLINIC_OPENS) <= start.time()
        and end.time() <= _time(settings.CLINIC_CLOSES)
    )


def day_slots(day: date, *, tz: ZoneInfo | None = None) -> list[datetime]:
    """The UTC start instants of ``day``'s slots (empty on a closed day)."""
    tz = tz or clinic_tz()
    return list(
        _slots(
            day,
            settings.CLINIC_OPENS,
            settings.CLINIC_CLOSES,
            settings.VISIT_SLOT_MINUTES,
            tuple(settings.CLINIC_DAYS),
            tz,
        )
    )


# Remembered per day and settings (the due list asks for the same days once per course).
@lru_cache(maxsize=1024)
def _slots(day: date, opens: str, closes: str, minutes: int, open_days: tuple, tz: ZoneInfo) -> tuple[datetime, ...]:
    if day.weekday() not in open_days:
        return ()
    step = timedelta(minutes=minutes)
    closing = _time(closes)
    slots, wall = [], datetime.combine(day, _time(opens))
    while wall.time() < closing and wall.date() == day:
        instant = clinic_instant(day, wall.time(), tz)
        # A skipped wall time maps to the instant after the jump: a slot already listed or one
        # the next wall time gives too; keep only times that exist.
        if instant.astimezone(tz).replace(tzinfo=None) == wall:
            slots.append(instant)
        wall += step
    return tuple(slots)


def local(instant: datetime) -> datetime:
    return timezone.localtime(instant)


def local_day(instant: datetime) -> date:
    return timezone.localtime(instant).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a clinic-local day as UTC instants (23 or 25 hours on change days)."""
    tz = clinic_tz()
    return clinic_instant(day, time(0), tz), clinic_instant(day + timedelta(days=1), time(0), tz)


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def first_free_slot(
    busy: Iterable[tuple[datetime, datetime]],
    first: date,
    last: date,
    *,
    minutes: int,
    after: datetime,
) -> datetime | None:
    """The first slot start from ``first`` to ``last`` (clinic-local days) that begins after
    ``after`` and whose ``minutes`` overlap none of the ``busy`` (start, end) intervals (each at
    most ``LONGEST_VISIT`` long)."""
    busy = sorted(busy)
    starts = [start for start, _ in busy]
    length = timedelta(minutes=minutes)
    closes = _time(settings.CLINIC_CLOSES)
    tz = clinic_tz()
    for day in days(first, last):
        closing = clinic_instant(day, closes, tz)
        for start in day_slots(day, tz=tz):
            end = start + length
            if start <= after or end > closing:
                continue
            # Only intervals that start less than the longest visit before this slot can reach it.
            nearby = busy[bisect_left(starts, start - LONGEST_VISIT) : bisect_left(starts, end)]
            if not any(start < b_end for _, b_end in nearby):
                return start
    return None
