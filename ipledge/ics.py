"""The therapy calendar as an iCalendar (.ics) file (RFC 5545), written with ``icalendar``.

Pure: events in, bytes out. Every event is an all-day event (DTEND is the day after the last
day: iCalendar's end is exclusive, our ranges are inclusive). Each event's UID is stable, so
re-importing the file updates the events a calendar already holds instead of duplicating them:
``<kind>-<start>.course-<id>@<domain>`` (a second event of the same kind and start gets a
``-2`` suffix, in the order the events come, which ``calendar_events`` keeps stable).

The file carries event kinds and dates only: no patient name, no result, no clinical value,
so a forwarded file discloses no more than "a course has a test on this day".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from .calendar_rules import CalendarEvent

PRODID = "-//Isotrack//iPLEDGE therapy calendar//EN"
UID_DOMAIN = "isotrack"


def event_uids(events: Iterable[CalendarEvent], course_id: int) -> list[str]:
    seen: dict[str, int] = {}
    uids = []
    for event in events:
        base = f"{event.uid}.course-{course_id}"
        seen[base] = seen.get(base, 0) + 1
        suffix = "" if seen[base] == 1 else f"-{seen[base]}"
        uids.append(f"{base}{suffix}@{UID_DOMAIN}")
    return uids


def calendar_ics(events: Iterable[CalendarEvent], *, course_id: int, stamp: datetime, name: str) -> bytes:
    """The events as an .ics file. ``stamp`` (an aware datetime) is every event's DTSTAMP."""
    events = list(events)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event, uid in zip(events, event_uids(events, course_id), strict=True):
        vevent = Event()
        vevent.add("uid", uid)
        vevent.add("dtstamp", stamp)
        vevent.add("summary", event.title)
        vevent.add("dtstart", event.start)
        vevent.add("dtend", _exclusive_end(event.end))
        vevent.add("categories", [event.kind.value])
        vevent.add("transp", "TRANSPARENT")  # an all-day reminder, not a busy block
        cal.add_component(vevent)
    return cal.to_ical()


def _exclusive_end(last_day: date) -> date:
    return last_day + timedelta(days=1)
