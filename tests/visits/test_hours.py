"""Visit slots are clinic wall-clock times, right on the Sundays the clocks change
(America/New_York: 8 March 2026 spring forward, 1 November 2026 fall back)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from courses.visits import hours

SPRING_SUNDAY = date(2026, 3, 8)
FALL_SUNDAY = date(2026, 11, 1)


@pytest.fixture
def sunday_hours(settings):
    settings.CLINIC_DAYS = [6]
    settings.CLINIC_OPENS, settings.CLINIC_CLOSES, settings.VISIT_SLOT_MINUTES = "08:00", "10:00", 30


def local_times(slots) -> list[str]:
    return [hours.local(slot).strftime("%H:%M %Z") for slot in slots]


def test_slots_on_the_spring_forward_sunday_are_at_the_right_local_times(sunday_hours):
    slots = hours.day_slots(SPRING_SUNDAY)
    assert local_times(slots) == ["08:00 EDT", "08:30 EDT", "09:00 EDT", "09:30 EDT"]
    # 08:00 EDT is 12:00 UTC, not 13:00 as on the Sunday before.
    assert slots[0] == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert hours.day_slots(SPRING_SUNDAY - timedelta(days=7))[0] == datetime(2026, 3, 1, 13, 0, tzinfo=UTC)


def test_slots_on_the_fall_back_sunday_are_at_the_right_local_times(sunday_hours):
    slots = hours.day_slots(FALL_SUNDAY)
    assert local_times(slots) == ["08:00 EST", "08:30 EST", "09:00 EST", "09:30 EST"]
    assert slots[0] == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)


def test_a_clinic_open_through_the_night_of_the_change_lists_each_wall_time_once(settings):
    settings.CLINIC_DAYS = [6]
    settings.CLINIC_OPENS, settings.CLINIC_CLOSES, settings.VISIT_SLOT_MINUTES = "00:00", "04:00", 60
    # 02:00 does not exist on the spring-forward Sunday; 01:00 happens twice in the autumn (the first counts).
    assert local_times(hours.day_slots(SPRING_SUNDAY)) == ["00:00 EST", "01:00 EST", "03:00 EDT"]
    assert local_times(hours.day_slots(FALL_SUNDAY)) == ["00:00 EDT", "01:00 EDT", "02:00 EST", "03:00 EST"]


def test_the_clinic_day_lasts_23_hours_in_spring_and_25_in_autumn():
    start, end = hours.day_bounds(SPRING_SUNDAY)
    assert end - start == timedelta(hours=23)
    start, end = hours.day_bounds(FALL_SUNDAY)
    assert end - start == timedelta(hours=25)


def test_closed_days_have_no_slots(settings):
    settings.CLINIC_DAYS = [0, 1, 2, 3, 4]
    assert hours.day_slots(SPRING_SUNDAY) == []
    assert len(hours.day_slots(SPRING_SUNDAY + timedelta(days=1))) == 17  # 08:30 to 16:30


def test_the_first_free_slot_skips_busy_time_and_slots_that_would_run_past_closing(sunday_hours):
    slots = hours.day_slots(SPRING_SUNDAY)
    busy = [(slots[0], slots[0] + timedelta(minutes=45))]
    found = hours.first_free_slot(busy, SPRING_SUNDAY, SPRING_SUNDAY, minutes=30, after=slots[0] - timedelta(days=1))
    assert found == slots[2]  # 08:30 overlaps the visit that runs to 08:45
    assert hours.first_free_slot([], SPRING_SUNDAY, SPRING_SUNDAY, minutes=60, after=slots[3]) is None
    assert hours.local(found).time() == time(9, 0)


def test_a_long_visit_blocks_every_slot_it_covers(settings):
    settings.CLINIC_DAYS = [6]
    settings.CLINIC_OPENS, settings.CLINIC_CLOSES, settings.VISIT_SLOT_MINUTES = "08:00", "14:00", 30
    slots = hours.day_slots(FALL_SUNDAY)
    long_visit = (slots[0], slots[0] + timedelta(hours=4))
    short_later = (slots[9], slots[9] + timedelta(minutes=30))  # 12:30
    found = hours.first_free_slot(
        [short_later, long_visit], FALL_SUNDAY, FALL_SUNDAY, minutes=30, after=slots[0] - timedelta(days=1)
    )
    assert hours.local(found).time() == time(12, 0)
    found = hours.first_free_slot(
        [short_later, long_visit], FALL_SUNDAY, FALL_SUNDAY, minutes=60, after=slots[0] - timedelta(days=1)
    )
    assert hours.local(found).time() == time(13, 0)
