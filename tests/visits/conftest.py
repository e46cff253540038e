from datetime import UTC, date, datetime

import pytest
import time_machine

from accounts.models import Role
from tests.courses.factories import CourseFactory
from tests.factories import UserFactory

MONDAY = date(2026, 3, 2)  # clinic time (America/New_York); DST starts Sunday 8 March


@pytest.fixture
def monday_morning():
    """Monday 2 March 2026, 03:00 in New York."""
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def doctor(db):
    return UserFactory(role=Role.PRESCRIBER, full_name="Dr. Dana Doctor")


@pytest.fixture
def course(db, doctor, monday_morning):
    """An active course that started 30 days ago: its monthly window is 28 to 35 days after."""
    from datetime import timedelta

    return CourseFactory(prescriber=doctor, planned_start=MONDAY - timedelta(days=30))
