"""Demo data at scale keeps a realistic number of patients per prescriber."""

import pytest

from accounts.demo import ensure_demo_users, ensure_scale_prescribers
from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_twenty_thousand_demo_patients_are_shared_by_twenty_prescribers_who_cannot_log_in():
    ensure_demo_users()
    added = ensure_scale_prescribers(20_000)
    again = ensure_scale_prescribers(20_000)

    assert len(added) == 18 and [u.pk for u in again] == [u.pk for u in added]
    assert User.objects.filter(role=Role.PRESCRIBER).count() == 20
    assert not any(user.has_usable_password() for user in added)
    assert len({user.ipledge_prescriber_id for user in User.objects.filter(role=Role.PRESCRIBER)}) == 20


def test_a_small_demo_adds_no_prescriber():
    assert ensure_scale_prescribers(60) == []
