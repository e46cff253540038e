"""Course services: creating courses, every state transition (valid and invalid), dose changes,
missed days and holds, and the rules each one enforces."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from courses import services
from courses.models import Course, CourseState, DoseHold, DosePeriod, MissedDose
from patients import facts
from tests.factories import UserFactory

from .factories import (
    SIXTY,
    THIRTY,
    course_in_state,
    days_ago,
    details,
    plan_course,
    start_course,
    today,
    with_weight,
)

STATES = list(CourseState)


@pytest.fixture
def patient(patient):
    return with_weight(patient)


def messages(error: ValidationError) -> dict:
    return error.value.message_dict if hasattr(error.value, "error_dict") else {None: error.value.messages}


# --- Creating courses -----------------------------------------------------------------------


def test_starting_a_course_creates_an_active_course_with_its_first_dose_period(prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(3), regimen=SIXTY)
    assert (course.state, course.start_date, course.planned_start) == (CourseState.ACTIVE, days_ago(3), days_ago(3))
    period = DosePeriod.objects.get(course=course)
    assert (period.start, period.end, period.regimen, period.patient_id) == (days_ago(3), None, SIXTY, patient.pk)
    assert course.created_by == prescriber


def test_planning_a_course_leaves_it_planned_with_the_planned_dose(prescriber, patient):
    course = plan_course(prescriber, patient, planned_start=today() + timedelta(days=10))
    assert (course.state, course.start_date) == (CourseState.PLANNED, None)
    assert DosePeriod.objects.get(course=course).start == today() + timedelta(days=10)


@pytest.mark.parametrize(
    ("make", "field", "message"),
    [
        (lambda p, pt: plan_course(p, pt, planned_start=days_ago(1)), "first_day", "cannot be in the past"),
        (lambda p, pt: start_course(p, pt, start=today() + timedelta(days=1)), "first_day", "cannot be in the future"),
        (lambda p, pt: start_course(p, pt, regimen=[[[15, 1]]]), "dose", "no 15 mg capsule"),
        (lambda p, pt: start_course(p, pt, regimen=[[[32, 1]]], formulation="absorica"), "dose", "no 32 mg capsule"),
        (lambda p, pt: start_course(p, pt, regimen=[[[40, 4]]]), "dose", "above the maximum of 2.00 mg/kg/day"),
        (lambda p, pt: start_course(p, pt, indication="other"), "indication_other", "Describe"),
        (lambda p, pt: start_course(p, pt, target_low=Decimal(150), target_high=Decimal(120)), "target_high", "below"),
        (lambda p, pt: start_course(p, pt, target_low=Decimal(0)), "target_low", "above 0"),
        (
            lambda p, pt: start_course(p, pt, prescriber_id=UserFactory(role="clinical_staff").pk),
            "prescriber",
            "active prescriber",
        ),
    ],
)
def test_a_course_with_bad_details_is_refused_with_a_message_for_the_field(prescriber, patient, make, field, message):
    with pytest.raises(ValidationError) as error:
        make(prescriber, patient)
    assert any(message in m for m in messages(error)[field]), messages(error)
    assert not Course.objects.exists()


def test_a_dose_up_to_two_mg_per_kg_per_day_is_allowed(prescriber, patient):
    course = start_course(prescriber, patient, regimen=[[[40, 3], [10, 1]]])  # 130 mg at 65 kg = 2.0
    assert course.pk


def test_a_course_needs_a_weight(prescriber, patient):
    patient.weights.all().delete()
    with pytest.raises(ValidationError) as error:
        start_course(prescriber, patient)
    assert "Record the patient's weight" in messages(error)["dose"][0]


def test_a_second_open_course_is_refused(prescriber, patient):
    plan_course(prescriber, patient)
    with pytest.raises(ValidationError, match="already has an open course"):
        start_course(prescriber, patient)
    assert Course.objects.count() == 1


def _previous_course(prescriber, patient, ended_days_ago: int) -> Course:
    course = start_course(prescriber, patient, start=days_ago(ended_days_ago + 150))
    return services.course_complete(
        actor=prescriber,
        course_id=course.pk,
        expected_version=course.version,
        end_date=days_ago(ended_days_ago),
        end_reason="target_reached",
    )


def test_a_course_sooner_than_eight_weeks_after_the_last_needs_an_override_reason(prescriber, patient):
    _previous_course(prescriber, patient, ended_days_ago=30)
    with pytest.raises(ValidationError) as error:
        start_course(prescriber, patient, start=days_ago(1))
    assert "needs 56 days off" in messages(error)["gap_override_reason"][0]
    assert Course.objects.count() == 1


def test_the_override_is_recorded_with_its_reason_author_and_time(prescriber, patient):
    _previous_course(prescriber, patient, ended_days_ago=30)
    course = start_course(prescriber, patient, start=days_ago(1), gap_override_reason="  Early severe relapse ")
    assert (course.gap_override_reason, course.gap_override_by) == ("Early severe relapse", prescriber)
    assert course.gap_override_at is not None


def test_after_eight_weeks_no_override_is_needed_or_recorded(prescriber, patient):
    _previous_course(prescriber, patient, ended_days_ago=57)
    course = start_course(prescriber, patient, start=days_ago(1), gap_override_reason="not needed")
    assert (course.gap_override_reason, course.gap_override_by) == ("", None)


def test_a_course_cannot_start_inside_the_previous_one(prescriber, patient):
    _previous_course(prescriber, patient, ended_days_ago=10)
    with pytest.raises(ValidationError) as error:
        start_course(prescriber, patient, start=days_ago(20), gap_override_reason="anything")
    assert "start after it" in messages(error)["first_day"][0]


def test_a_plan_called_off_before_its_first_dose_does_not_count_for_the_gap(prescriber, patient):
    course = plan_course(prescriber, patient)
    services.course_discontinue(
        actor=prescriber, course_id=course.pk, expected_version=course.version, end_date=today(), end_reason="pregnancy"
    )
    assert start_course(prescriber, patient, start=today()).state == CourseState.ACTIVE


# --- State transitions ----------------------------------------------------------------------

ALLOWED = {
    "activate": {CourseState.PLANNED},
    "pause": {CourseState.ACTIVE},
    "resume": {CourseState.PAUSED},
    "complete": {CourseState.ACTIVE, CourseState.PAUSED},
    "discontinue": {CourseState.PLANNED, CourseState.ACTIVE, CourseState.PAUSED},
}
RESULT = {
    "activate": CourseState.ACTIVE,
    "pause": CourseState.PAUSED,
    "resume": CourseState.ACTIVE,
    "complete": CourseState.COMPLETED,
    "discontinue": CourseState.DISCONTINUED,
}


def transition(action: str, actor, course: Course, **overrides):
    arguments = {
        "activate": {"start_date": today()},
        "pause": {"on": today(), "reason": "Triglycerides 620 mg/dL"},
        "resume": {"on": today() + timedelta(days=1)},
        "complete": {"end_date": today(), "end_reason": "target_reached"},
        "discontinue": {"end_date": today(), "end_reason": "side_effects"},
    }[action]
    service = getattr(services, f"course_{action}")
    return service(actor=actor, course_id=course.pk, expected_version=course.version, **{**arguments, **overrides})


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_every_transition_from_every_state(prescriber, patient, action, state):
    course = course_in_state(state, prescriber, patient)
    if state in ALLOWED[action]:
        transition(action, prescriber, course)
        course.refresh_from_db()
        assert course.state == RESULT[action]
    else:
        with pytest.raises(ValidationError, match=r"^\['Only an? .* course can be .*; this one is .*\.'\]$"):
            transition(action, prescriber, course)
        course.refresh_from_db()
        assert course.state == state


def test_an_invalid_transition_names_the_states(prescriber, patient):
    course = course_in_state(CourseState.COMPLETED, prescriber, patient)
    with pytest.raises(ValidationError) as error:
        transition("pause", prescriber, course)
    assert error.value.messages == ["Only an active course can be paused; this one is completed."]


def test_a_transition_made_on_a_stale_version_is_refused(prescriber, patient):
    course = start_course(prescriber, patient)
    stale_version = course.version
    transition("pause", prescriber, course)
    course.version = stale_version
    with pytest.raises(ValidationError, match="Someone else changed this course"):
        transition("complete", prescriber, course)


def test_starting_a_planned_course_moves_its_first_dose_to_the_actual_day(prescriber, patient):
    course = plan_course(prescriber, patient, planned_start=today() + timedelta(days=5))
    transition("activate", prescriber, course, start_date=days_ago(1))
    course.refresh_from_db()
    assert (course.state, course.start_date, course.planned_start) == (
        CourseState.ACTIVE,
        days_ago(1),
        today() + timedelta(days=5),
    )
    assert DosePeriod.objects.get(course=course).start == days_ago(1)


def test_a_planned_course_cannot_start_on_or_after_its_planned_dose_change(prescriber, patient):
    planned_on, planned_start, change_on = days_ago(60), days_ago(55), days_ago(25)
    with time_machine.travel(datetime.combine(planned_on, time(12), tzinfo=UTC), tick=False):
        course = plan_course(prescriber, patient, planned_start=planned_start)
        change(prescriber, course, change_on)
    course.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        transition("activate", prescriber, course, start_date=change_on)
    assert "the first dose must come before that date" in messages(error)["start_date"][0]
    transition("activate", prescriber, course, start_date=days_ago(30))
    assert list(DosePeriod.objects.filter(course=course).values_list("start", "end")) == [
        (days_ago(30), days_ago(26)),
        (change_on, None),
    ]


def test_activation_applies_the_gap_rule_to_the_actual_first_day(prescriber, patient):
    _previous_course(prescriber, patient, ended_days_ago=50)
    course = plan_course(prescriber, patient, planned_start=today() + timedelta(days=10))
    with pytest.raises(ValidationError) as error:
        transition("activate", prescriber, course, start_date=today())
    assert "needs 56 days off" in messages(error)["gap_override_reason"][0]
    transition("activate", prescriber, course, start_date=today(), gap_override_reason="Patient travelling abroad")
    course.refresh_from_db()
    assert course.gap_override_by == prescriber


def test_pausing_opens_a_hold_and_resuming_closes_it_the_day_before(prescriber, patient):
    course = start_course(prescriber, patient)
    hold = transition("pause", prescriber, course, on=days_ago(5))
    assert (hold.start, hold.end, hold.reason) == (days_ago(5), None, "Triglycerides 620 mg/dL")
    course.refresh_from_db()
    transition("resume", prescriber, course, on=days_ago(1))
    hold.refresh_from_db()
    assert hold.end == days_ago(2)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reason": "  "}, "reason", "Say why"),
        ({"on": today() + timedelta(days=1)}, "on", "cannot be in the future"),
        ({"on": days_ago(60)}, "on", "started on"),
    ],
)
def test_a_pause_is_refused_with_a_message_for_the_field(prescriber, patient, changes, field, message):
    course = start_course(prescriber, patient, start=days_ago(40))
    with pytest.raises(ValidationError) as error:
        transition("pause", prescriber, course, **changes)
    assert message in messages(error)[field][0]
    assert not DoseHold.objects.exists()


def test_resuming_on_or_before_the_pause_is_refused(prescriber, patient):
    course = course_in_state(CourseState.PAUSED, prescriber, patient)
    with pytest.raises(ValidationError) as error:
        transition("resume", prescriber, course, on=days_ago(5))
    assert "resume after that day" in messages(error)["on"][0]


def test_completing_cuts_the_dose_facts_at_the_last_dose(prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(60))
    later = services.dose_period_change(
        actor=prescriber,
        course_id=course.pk,
        expected_version=course.version,
        start=today() + timedelta(days=5),
        formulation="conventional",
        regimen=SIXTY,
    )
    course.refresh_from_db()
    transition("complete", prescriber, course, end_date=days_ago(2))
    periods = list(DosePeriod.objects.filter(course=course))
    assert [(p.start, p.end) for p in periods] == [(days_ago(60), days_ago(2))]
    assert not DosePeriod.objects.filter(pk=later.pk).exists()  # the planned change never happened


def test_completing_a_paused_course_ends_its_open_hold(prescriber, patient):
    course = course_in_state(CourseState.PAUSED, prescriber, patient)  # paused 5 days ago
    transition("complete", prescriber, course, end_date=days_ago(1), end_reason="clear")
    assert DoseHold.objects.get(course=course).end == days_ago(1)


def test_discontinuing_a_planned_course_removes_the_untaken_plan(prescriber, patient):
    course = plan_course(prescriber, patient)
    transition("discontinue", prescriber, course, end_reason="patient_choice")
    course.refresh_from_db()
    assert (course.state, course.start_date, course.end_date) == (CourseState.DISCONTINUED, None, today())
    assert not DosePeriod.objects.filter(course=course).exists()


@pytest.mark.parametrize(
    ("action", "changes", "field", "message"),
    [
        ("complete", {"end_reason": "side_effects"}, "end_reason", "Choose a reason"),
        ("discontinue", {"end_reason": "target_reached"}, "end_reason", "Choose a reason"),
        ("discontinue", {"end_reason": "other"}, "end_reason_text", "Describe"),
        ("complete", {"end_date": today() + timedelta(days=1)}, "end_date", "cannot be in the future"),
        ("complete", {"end_date": days_ago(50)}, "end_date", "cannot be earlier"),
    ],
)
def test_ending_a_course_is_refused_with_a_message_for_the_field(prescriber, patient, action, changes, field, message):
    course = start_course(prescriber, patient, start=days_ago(40))
    with pytest.raises(ValidationError) as error:
        transition(action, prescriber, course, **changes)
    assert message in messages(error)[field][0]
    course.refresh_from_db()
    assert course.state == CourseState.ACTIVE


def test_course_details_can_change_while_open_and_are_final_after(prescriber, patient):
    course = start_course(prescriber, patient)
    arguments = {
        key: value
        for key, value in details(prescriber, target_low=Decimal(150), target_high=Decimal(220)).items()
        if key not in ("formulation", "regimen")
    }
    services.course_update(actor=prescriber, course_id=course.pk, expected_version=course.version, **arguments)
    course.refresh_from_db()
    assert (course.target_low_mg_per_kg, course.target_high_mg_per_kg, course.version) == (150, 220, 2)
    transition("complete", prescriber, course)
    course.refresh_from_db()
    with pytest.raises(ValidationError, match="details are final"):
        services.course_update(actor=prescriber, course_id=course.pk, expected_version=course.version, **arguments)


# --- Dose changes ---------------------------------------------------------------------------


def change(prescriber, course, start, regimen=SIXTY, formulation="conventional", version=None):
    return services.dose_period_change(
        actor=prescriber,
        course_id=course.pk,
        expected_version=course.version if version is None else version,
        start=start,
        formulation=formulation,
        regimen=regimen,
    )


def test_a_dose_change_closes_the_current_period_the_day_before(prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(40))
    new = change(prescriber, course, days_ago(10))
    periods = list(DosePeriod.objects.filter(course=course).values_list("start", "end", "regimen"))
    assert periods == [(days_ago(40), days_ago(11), THIRTY), (days_ago(10), None, SIXTY)]
    course.refresh_from_db()
    assert course.version == 2
    assert new.recorded_by == prescriber


def test_a_change_on_the_current_periods_first_day_corrects_it(prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(40))
    change(prescriber, course, days_ago(40))
    assert list(DosePeriod.objects.filter(course=course).values_list("start", "end", "regimen")) == [
        (days_ago(40), None, SIXTY)
    ]


def test_a_future_dose_change_is_planned_and_the_current_dose_runs_until_then(prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(10))
    change(prescriber, course, today() + timedelta(days=20))
    first, second = DosePeriod.objects.filter(course=course)
    assert (first.end, second.start, second.end) == (today() + timedelta(days=19), today() + timedelta(days=20), None)


def test_a_formulation_change_is_recorded_on_the_new_period_and_checked_against_its_capsules(prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(40))
    with pytest.raises(ValidationError) as error:
        change(prescriber, course, days_ago(5), regimen=[[[30, 2]]], formulation="absorica_ld")
    assert "no 30 mg capsule" in messages(error)["dose"][0]
    period = change(prescriber, course, days_ago(5), regimen=[[[24, 2]]], formulation="absorica_ld")
    assert period.formulation == "absorica_ld"


@pytest.mark.parametrize(
    ("start", "regimen", "field", "message"),
    [
        (lambda: days_ago(41), SIXTY, "start", "The course starts on"),
        (lambda: days_ago(20), [[[40, 4]]], "dose", "above the maximum"),
    ],
)
def test_a_dose_change_is_refused_with_a_message_for_the_field(prescriber, patient, start, regimen, field, message):
    course = start_course(prescriber, patient, start=days_ago(40))
    with pytest.raises(ValidationError) as error:
        change(prescriber, course, start(), regimen=regimen)
    assert message in messages(error)[field][0]
    assert DosePeriod.objects.filter(course=course).count() == 1


def test_a_dose_change_before_the_latest_period_is_refused(prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(40))
    change(prescriber, course, days_ago(10))
    course.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        change(prescriber, course, days_ago(20))
    assert "already recorded" in messages(error)["start"][0]


def test_an_ended_courses_doses_cannot_change(prescriber, patient):
    course = course_in_state(CourseState.COMPLETED, prescriber, patient)
    with pytest.raises(ValidationError, match="can no longer change"):
        change(prescriber, course, days_ago(1))


def test_a_dose_change_on_a_stale_version_is_refused(prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(40))
    change(prescriber, course, days_ago(10))
    with pytest.raises(ValidationError, match="Someone else changed this course"):
        change(prescriber, course, days_ago(5), version=1)


# --- Missed days and holds ------------------------------------------------------------------


def test_a_missed_day_is_recorded_once(clinical_staff, prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(40))
    missed = services.missed_dose_record(actor=clinical_staff, course_id=course.pk, day=days_ago(3), note="Forgot")
    assert (missed.day, missed.patient_id, missed.recorded_by) == (days_ago(3), patient.pk, clinical_staff)
    with pytest.raises(ValidationError) as error:
        services.missed_dose_record(actor=clinical_staff, course_id=course.pk, day=days_ago(3))
    assert "already recorded" in messages(error)["day"][0]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (lambda: today() + timedelta(days=1), "cannot be in the future"),
        (lambda: days_ago(41), "outside the course"),
        (lambda: days_ago(8), "on hold"),
    ],
)
def test_a_missed_day_is_refused_with_a_message_for_the_field(prescriber, patient, day, message):
    course = start_course(prescriber, patient, start=days_ago(40))
    services.dose_hold_record(actor=prescriber, course_id=course.pk, start=days_ago(10), end=days_ago(6), reason="ALT")
    with pytest.raises(ValidationError) as error:
        services.missed_dose_record(actor=prescriber, course_id=course.pk, day=day())
    assert message in messages(error)["day"][0]
    assert not MissedDose.objects.exists()


def test_a_planned_course_has_no_dose_to_miss_or_hold(prescriber, patient):
    course = plan_course(prescriber, patient)
    with pytest.raises(ValidationError, match="has not started"):
        services.missed_dose_record(actor=prescriber, course_id=course.pk, day=today())
    with pytest.raises(ValidationError, match="has not started"):
        services.dose_hold_record(actor=prescriber, course_id=course.pk, start=today(), end=today(), reason="x")


def test_a_hold_is_recorded_with_its_reason(prescriber, patient):
    course = start_course(prescriber, patient, start=days_ago(40))
    hold = services.dose_hold_record(
        actor=prescriber, course_id=course.pk, start=days_ago(10), end=days_ago(6), reason=" Triglycerides 620 "
    )
    assert (hold.start, hold.end, hold.reason, hold.patient_id) == (
        days_ago(10),
        days_ago(6),
        "Triglycerides 620",
        patient.pk,
    )


@pytest.mark.parametrize(
    ("start", "end", "reason", "field", "message"),
    [
        (12, 8, "ALT", "start", "already held"),
        (5, 1, "ALT", "start", "already held"),
        (3, 4, "ALT", "end", "cannot end before"),
        (45, 30, "ALT", "start", "started on"),
        (3, 1, " ", "reason", "Say why"),
    ],
)
def test_a_hold_is_refused_with_a_message_for_the_field(prescriber, patient, start, end, reason, field, message):
    course = start_course(prescriber, patient, start=days_ago(40))
    services.dose_hold_record(actor=prescriber, course_id=course.pk, start=days_ago(10), end=days_ago(5), reason="TG")
    with pytest.raises(ValidationError) as error:
        services.dose_hold_record(
            actor=prescriber, course_id=course.pk, start=days_ago(start), end=days_ago(end), reason=reason
        )
    assert message in messages(error)[field][0]
    assert DoseHold.objects.count() == 1


def test_a_hold_cannot_overlap_the_pause_of_a_paused_course(prescriber, patient):
    course = course_in_state(CourseState.PAUSED, prescriber, patient)
    with pytest.raises(ValidationError) as error:
        services.dose_hold_record(actor=prescriber, course_id=course.pk, start=days_ago(2), end=days_ago(1), reason="x")
    assert "until the course is resumed" in messages(error)["start"][0]


# --- Every service tells higher apps -------------------------------------------------------

NOTIFIED: list[int] = []


def record_notification(patient_id: int) -> None:
    NOTIFIED.append(patient_id)


@pytest.fixture
def listener(settings):
    settings.PATIENT_FACTS_LISTENERS = ["tests.courses.test_services.record_notification"]
    facts._listeners.cache_clear()
    NOTIFIED.clear()
    yield NOTIFIED
    facts._listeners.cache_clear()


def test_starting_and_planning_report_the_patients_facts_changed_after_commit(
    prescriber, patient, listener, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        course = plan_course(prescriber, patient)
    assert listener == [patient.pk]
    with django_capture_on_commit_callbacks(execute=True):
        transition("activate", prescriber, course)
    assert listener == [patient.pk, patient.pk]


@pytest.mark.parametrize(
    "write",
    [
        lambda p, c: change(p, c, days_ago(3)),
        lambda p, c: services.missed_dose_record(actor=p, course_id=c.pk, day=days_ago(2)),
        lambda p, c: services.dose_hold_record(actor=p, course_id=c.pk, start=days_ago(3), end=days_ago(2), reason="x"),
        lambda p, c: transition("pause", p, c),
        lambda p, c: transition("complete", p, c),
        lambda p, c: transition("discontinue", p, c),
    ],
    ids=["dose_period_change", "missed_dose_record", "dose_hold_record", "pause", "complete", "discontinue"],
)
def test_every_write_reports_the_patients_facts_changed_after_commit(
    prescriber, patient, listener, django_capture_on_commit_callbacks, write
):
    course = start_course(prescriber, patient, start=days_ago(20))
    with django_capture_on_commit_callbacks(execute=True):
        write(prescriber, course)
    assert listener == [patient.pk]
