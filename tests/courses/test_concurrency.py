"""Concurrent writes on one course, in real transactions on separate connections: periods never
overlap and no change is lost silently (each one is either saved or refused with a reason)."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from courses import services
from courses.models import Course, DosePeriod
from tests.concurrency import run_in_threads

from .factories import SIXTY, days_ago, start_course, with_weight


def periods_of(course) -> list[tuple]:
    return list(DosePeriod.objects.filter(course=course).order_by("start").values_list("start", "end", "regimen"))


def assert_no_overlap(periods):
    for (_, end, _), (next_start, _, _) in itertools.pairwise(periods):
        assert end is not None and end < next_start


def test_two_dose_changes_made_on_the_same_version_cannot_both_apply(transactional_db, prescriber, patient):
    with_weight(patient)
    course = start_course(prescriber, patient, start=days_ago(40))

    def change(start, regimen):
        return lambda: services.dose_period_change(
            actor=prescriber,
            course_id=course.pk,
            expected_version=1,
            start=start,
            formulation="conventional",
            regimen=regimen,
        )

    outcomes = run_in_threads(change(days_ago(20), [[[40, 1]]]), change(days_ago(10), SIXTY))
    saved = [o for o in outcomes if isinstance(o, DosePeriod)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(saved) == 1 and len(refused) == 1
    assert "Someone else changed this course" in refused[0].messages[0]
    periods = periods_of(course)
    assert_no_overlap(periods)
    assert periods[-1] == (saved[0].start, None, saved[0].regimen)  # the winner's change is intact
    assert Course.objects.get(pk=course.pk).version == 2


def test_concurrent_dose_changes_retried_on_the_new_version_are_all_saved_or_refused_with_a_reason(
    transactional_db, prescriber, patient
):
    """Four prescribers change the dose at once; each one told "someone else changed it" looks
    again and resends (as the page lets them). Every change ends up either in the history or
    refused with a reason; nothing overlaps and nothing disappears."""
    with_weight(patient)
    course = start_course(prescriber, patient, start=days_ago(40))
    wanted = {days_ago(30): [[[40, 1]]], days_ago(20): [[[25, 2]]], days_ago(10): SIXTY, days_ago(5): [[[35, 2]]]}

    def change(start, regimen):
        def attempt():
            while True:
                version = Course.objects.get(pk=course.pk).version
                try:
                    return services.dose_period_change(
                        actor=prescriber,
                        course_id=course.pk,
                        expected_version=version,
                        start=start,
                        formulation="conventional",
                        regimen=regimen,
                    )
                except ValidationError as error:
                    if getattr(error, "code", None) != "stale":
                        raise

        return attempt

    outcomes = run_in_threads(*(change(start, regimen) for start, regimen in wanted.items()))
    periods = periods_of(course)
    assert_no_overlap(periods)
    saved = {o.start: o.regimen for o in outcomes if isinstance(o, DosePeriod)}
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(saved) + len(refused) == 4
    assert saved  # the first to lock always succeeds
    assert {start: regimen for start, _, regimen in periods[1:]} == saved
    for error in refused:  # a change dated before one saved meanwhile is refused, and says why
        assert "is already recorded; a change must start on or after that date" in error.messages[0]
    assert Course.objects.get(pk=course.pk).version == 1 + len(saved)


def test_the_database_itself_refuses_overlapping_periods_and_a_second_open_course(prescriber, patient):
    with_weight(patient)
    course = start_course(prescriber, patient, start=days_ago(40))
    with pytest.raises(IntegrityError, match="doseperiod_no_overlap"), transaction.atomic():
        DosePeriod.objects.create(
            course=course,
            patient=patient,
            start=days_ago(10),
            formulation="conventional",
            regimen=SIXTY,
            recorded_by=prescriber,
        )
    with pytest.raises(IntegrityError, match="course_one_open_per_patient"), transaction.atomic():
        Course.objects.create(
            patient=patient,
            prescriber=prescriber,
            created_by=prescriber,
            indication="scarring",
            formulation="conventional",
            planned_start=days_ago(1),
            state="planned",
        )
