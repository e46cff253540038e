"""Inclusive date ranges, day-1 windows and calendar months."""

import pytest

from ipledge.rule_dates import DateRange, add_months, fmt, pickup_window

from .builders import d


@pytest.mark.parametrize(
    ("collected", "first", "last"),
    [
        ("2026-03-02", "2026-03-02", "2026-03-08"),  # DOMAIN.md: Mon 2 Mar -> 2-8 Mar
        ("2026-01-28", "2026-01-28", "2026-02-03"),  # across a month end
        ("2026-12-28", "2026-12-28", "2027-01-03"),  # across a year end
        ("2027-02-25", "2027-02-25", "2027-03-03"),  # February of a common year
        ("2028-02-25", "2028-02-25", "2028-03-02"),  # 29 Feb 2028 is day 5
        ("2028-02-29", "2028-02-29", "2028-03-06"),  # collected on the leap day
    ],
)
def test_the_pickup_window_counts_the_collection_day_as_day_one_of_seven(collected, first, last):
    window = pickup_window(d(collected))
    assert (window.start, window.end) == (d(first), d(last))


def test_the_day_after_the_window_is_outside_it():
    window = pickup_window(d("2026-03-02"))
    assert d("2026-03-08") in window
    assert d("2026-03-09") not in window
    assert d("2026-03-01") not in window


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-01-15", 1, "2026-02-15"),
        ("2026-01-31", 1, "2026-02-28"),  # clipped to the shorter month
        ("2028-01-31", 1, "2028-02-29"),  # leap year
        ("2028-03-31", -1, "2028-02-29"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2027-01-10", -1, "2026-12-10"),
        ("2026-08-31", 6, "2027-02-28"),
    ],
)
def test_months_are_calendar_months_clipped_to_the_end_of_a_shorter_month(day, months, expected):
    assert add_months(d(day), months) == d(expected)


def test_an_open_range_contains_every_later_day_and_reads_from_its_start():
    open_range = DateRange(d("2026-03-21"))
    assert d("2030-01-01") in open_range
    assert d("2026-03-20") not in open_range
    assert str(open_range) == "from 21 Mar 2026"


def test_a_range_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="cannot end"):
        DateRange(d("2026-03-02"), d("2026-03-01"))


def test_dates_read_without_leading_zero_or_locale():
    assert fmt(d("2026-03-02")) == "2 Mar 2026"
    assert str(pickup_window(d("2026-03-02"))) == "2 Mar 2026 to 8 Mar 2026"
