"""Date arithmetic for the iPLEDGE rules: inclusive ranges, calendar months, day-1 windows.

Pure (stdlib only). Every range is inclusive at both ends, as iPLEDGE states its windows
("day 1 is the collection day; the last day is day 7").
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

PICKUP_WINDOW_DAYS = 7
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class DateRange:
    """Days ``start`` to ``end`` inclusive; ``end`` None means open-ended."""

    start: date
    end: date | None = None

    def __post_init__(self):
        if self.end is not None and self.end < self.start:
            raise ValueError(f"A date range cannot end ({self.end}) before it starts ({self.start}).")

    def __contains__(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def __str__(self) -> str:
        if self.end is None:
            return f"from {fmt(self.start)}"
        if self.end == self.start:
            return fmt(self.start)
        return f"{fmt(self.start)} to {fmt(self.end)}"


def days(n: int) -> timedelta:
    return timedelta(days=n)


def day_n_window(first_day: date, length: int) -> DateRange:
    """A window of ``length`` days in which ``first_day`` is day 1 (so it ends on day ``length``)."""
    return DateRange(first_day, first_day + days(length - 1))


def pickup_window(collected_on: date) -> DateRange:
    """The 7-day prescription and pickup window of a pregnancy test: the specimen collection day
    is day 1, so the last day to prescribe and dispense is the collection date + 6."""
    return day_n_window(collected_on, PICKUP_WINDOW_DAYS)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier if negative), clipped to the last
    day of a shorter month: 31 Jan + 1 month = 28 Feb (29 Feb in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def fmt(day: date) -> str:
    """How dates read in reasons: ``2 Mar 2026`` (no locale, no leading zero)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
