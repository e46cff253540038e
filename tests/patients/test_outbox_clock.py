"""Clinic-local times to UTC, quiet hours and back-off (patients/outbox/clock.py): pure maths."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from patients.outbox.clock import MAX_RETRY_DELAY, clinic_instant, quiet_until, retry_delay

NY = ZoneInfo("America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "at", "expected"),
    [
        # The Saturday before spring forward is on EST (UTC-5), the Sunday itself on EDT (UTC-4).
        (date(2026, 3, 7), time(9), utc(2026, 3, 7, 14)),
        (date(2026, 3, 8), time(9), utc(2026, 3, 8, 13)),
        # 2:30 does not exist on 8 Mar 2026: it is passed when the clocks jump to 3:00 EDT.
        (date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        # The Saturday before fall back is on EDT, the Sunday on EST.
        (date(2026, 10, 31), time(9), utc(2026, 10, 31, 13)),
        (date(2026, 11, 1), time(9), utc(2026, 11, 1, 14)),
        # 1:30 happens twice on 1 Nov 2026: the first one (EDT) is meant.
        (date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        (date(2026, 7, 4), time(0), utc(2026, 7, 4, 4)),
    ],
)
def test_a_clinic_wall_clock_time_becomes_the_right_utc_instant(day, at, expected):
    assert clinic_instant(day, at, NY) == expected


def test_nine_on_the_wall_clock_is_nine_on_both_daylight_saving_sundays_unlike_adding_24_hours():
    saturday = clinic_instant(date(2026, 3, 7), time(9), NY)
    sunday = clinic_instant(date(2026, 3, 8), time(9), NY)
    assert sunday - saturday == timedelta(hours=23)
    assert (saturday + timedelta(hours=24)).astimezone(NY).hour == 10  # the naive way is an hour late
    assert sunday.astimezone(NY).hour == 9


@pytest.mark.parametrize(
    ("local_now", "start", "end", "ends_at_local"),
    [
        # Not configured, or empty.
        (datetime(2026, 5, 5, 23, 0), None, None, None),
        (datetime(2026, 5, 5, 23, 0), time(21), None, None),
        (datetime(2026, 5, 5, 23, 0), time(8), time(8), None),
        # A window across midnight, 21:00-08:00.
        (datetime(2026, 5, 5, 20, 59), time(21), time(8), None),
        (datetime(2026, 5, 5, 21, 0), time(21), time(8), datetime(2026, 5, 6, 8, 0)),
        (datetime(2026, 5, 5, 23, 30), time(21), time(8), datetime(2026, 5, 6, 8, 0)),
        (datetime(2026, 5, 6, 7, 59), time(21), time(8), datetime(2026, 5, 6, 8, 0)),
        (datetime(2026, 5, 6, 8, 0), time(21), time(8), None),
        # A window inside one day, 12:00-14:00.
        (datetime(2026, 5, 5, 11, 59), time(12), time(14), None),
        (datetime(2026, 5, 5, 12, 0), time(12), time(14), datetime(2026, 5, 5, 14, 0)),
        (datetime(2026, 5, 5, 14, 0), time(12), time(14), None),
        # Across the spring-forward night: quiet ends at 8:00 EDT, only 6 real hours after 1:00 EST.
        (datetime(2026, 3, 8, 1, 0), time(21), time(8), datetime(2026, 3, 8, 8, 0)),
        # Across the fall-back night.
        (datetime(2026, 10, 31, 22, 0), time(21), time(8), datetime(2026, 11, 1, 8, 0)),
    ],
)
def test_quiet_hours_end_at_their_end_time_on_the_clinic_clock(local_now, start, end, ends_at_local):
    result = quiet_until(local_now.replace(tzinfo=NY), start, end, NY)
    if ends_at_local is None:
        assert result is None
    else:
        assert result == ends_at_local.replace(tzinfo=NY).astimezone(UTC)


def test_a_bound_in_the_skipped_hour_means_the_instant_the_clocks_jump_past_it():
    # Quiet until 2:30 on 8 Mar 2026 ends when the clocks jump from 1:59:59 EST to 3:00 EDT.
    ends = quiet_until(datetime(2026, 3, 8, 1, 0, tzinfo=NY), time(22), time(2, 30), NY)
    assert ends == datetime(2026, 3, 8, 3, 0, tzinfo=NY)


def test_quiet_hours_whose_free_time_is_skipped_that_night_continue_to_the_next_end():
    # Free only from 2:30:00 to 2:30:01, a second that does not exist on 8 Mar 2026.
    ends = quiet_until(datetime(2026, 3, 7, 12, 0, tzinfo=NY), time(2, 30, 1), time(2, 30), NY)
    assert ends == datetime(2026, 3, 9, 2, 30, tzinfo=NY)


def test_the_spring_forward_night_is_one_hour_shorter():
    start = datetime(2026, 3, 8, 1, 0, tzinfo=NY)
    assert quiet_until(start, time(21), time(8), NY) - start == timedelta(hours=6)


instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC))
times = st.times().map(lambda t: t.replace(microsecond=0))


@given(instant=instants, start=times, end=times)
# Both bounds inside the hour skipped on 9 Mar 2025: the period must still end where it says.
@example(instant=datetime(2025, 3, 8, 7, 0, 1, tzinfo=UTC), start=time(2, 0, 1), end=time(2, 0))
def test_quiet_hours_always_end_later_outside_the_window_at_the_end_time(instant, start, end):
    result = quiet_until(instant, start, end, NY)
    if result is None:
        return
    assert result > instant
    assert quiet_until(result, start, end, NY) is None
    # 24 h at most plus a daylight-saving hour, except when the whole of a day's free time falls
    # in the hour the clocks skip: then the quiet runs on to the next night's end.
    assert result - instant <= timedelta(hours=49)
    assert result == clinic_instant(result.astimezone(NY).date(), end, NY)  # the end time, that day


@pytest.mark.parametrize(
    ("attempt", "expected_minutes"), [(1, 5), (2, 10), (3, 20), (4, 40), (5, 80), (6, 160), (7, 320), (8, 360)]
)
def test_retries_back_off_exponentially_up_to_six_hours(attempt, expected_minutes):
    assert retry_delay(attempt, timedelta(minutes=5)) == timedelta(minutes=expected_minutes)


@given(attempt=st.integers(min_value=1, max_value=10_000), base=st.integers(min_value=1, max_value=3600))
def test_back_off_never_shrinks_and_never_exceeds_the_cap(attempt, base):
    base = timedelta(seconds=base)
    assert retry_delay(attempt, base) <= retry_delay(attempt + 1, base) <= MAX_RETRY_DELAY


def test_attempts_are_numbered_from_one():
    with pytest.raises(ValueError, match="from 1"):
        retry_delay(0, timedelta(minutes=5))
