"""The stored status: the facts adapter feeds the rules, the status follows every change in
the same request, and the hourly sweep follows the calendar (acceptance 4)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Course
from ipledge import status, tasks
from ipledge.facts import BUNDLE_QUERIES, course_bundles, course_facts, rule_settings
from ipledge.models import ContraceptionMethod, CourseStatus, IpledgeSettings
from ipledge.rule_facts import MethodKind, RiskCategory, TestResult, TestSetting
from ipledge.rules import checklist
from tests.courses.factories import CourseFactory

from .records import NOON, TODAY, days_before, enrolled_course, negative_test, ready_course

pytestmark = pytest.mark.django_db


def at(day):
    return time_machine.travel(datetime.combine(day, NOON.timetz()), tick=False)


def test_the_facts_adapter_gives_the_rules_what_was_recorded(
    prescriber, clinical_staff, django_capture_on_commit_callbacks
):
    with at(TODAY):
        course = ready_course(prescriber, clinical_staff)
        facts = course_facts(course.pk, TODAY)
    assert facts.course_id == course.pk
    assert facts.course.first_dose_on == days_before(50) and facts.course.last_dose_on is None
    assert [r.category for r in facts.risk_categories] == [RiskCategory.CAN_GET_PREGNANT]
    assert facts.enrollment.patient_id_recorded and facts.enrollment.prescriber_certified
    assert facts.enrollment.birth_defects_consent_signed_on == days_before(90)
    assert [(m.method, m.kind) for m in facts.contraception] == [
        ("iud_copper", MethodKind.PRIMARY),
        ("male_condom", MethodKind.SECONDARY),
    ]
    (test,) = facts.pregnancy_tests
    assert (test.collected_on, test.result, test.setting, test.counts_as_valid) == (
        days_before(2),
        TestResult.NEGATIVE,
        TestSetting.OFFICE,
        True,
    )
    (month,) = facts.confirmations
    assert month.office_methods == month.patient_methods == ("iud_copper", "male_condom")
    result = checklist(facts, TODAY, rule_settings())
    assert result.ready_to_prescribe
    assert result.prescribe_by == days_before(2) + timedelta(days=6)


def test_the_rule_settings_come_from_the_admin_row(db):
    row = IpledgeSettings.current()
    row.days_between_pretreatment_tests = 19
    row.save()
    assert rule_settings().days_between_pretreatment_tests == 19
    assert rule_settings().rems_2026_effective_on.isoformat() == "2026-08-08"


@pytest.mark.parametrize("courses", [3, 30])
def test_the_facts_of_many_courses_cost_a_fixed_number_of_queries(prescriber, courses):
    ids = [CourseFactory(prescriber=prescriber).pk for _ in range(courses)]
    with CaptureQueriesContext(connection) as queries:
        bundles = course_bundles(ids, TODAY)
    assert set(bundles) == set(ids)
    assert len(queries) == BUNDLE_QUERIES


def test_each_service_call_recomputes_the_status_in_the_same_request(
    prescriber, clinical_staff, client_for, django_capture_on_commit_callbacks
):
    client = client_for(clinical_staff)
    with at(TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            course = enrolled_course(prescriber)
        row = CourseStatus.objects.get(course=course)
        assert row.state == "action_needed"
        assert any(r["code"] == "monthly_test" for r in row.blocking_reasons)
        for code in ("iud_copper", "male_condom"):
            with django_capture_on_commit_callbacks(execute=True):
                client.post(
                    f"/ipledge/patients/{course.patient_id}/{course.pk}/contraception/",
                    {
                        "contraception-method": ContraceptionMethod.objects.get(code=code).pk,
                        "contraception-started_on": days_before(150).isoformat(),
                    },
                )
        assert not any(
            r["code"] == "contraception_in_use" for r in CourseStatus.objects.get(course=course).blocking_reasons
        )
        with django_capture_on_commit_callbacks(execute=True):
            negative_test(clinical_staff, course.patient, days_before(2))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/ipledge/patients/{course.patient_id}/{course.pk}/confirmations/",
                {
                    "confirmation-counseling_on": days_before(1).isoformat(),
                    "confirmation-office_method_1": "iud_copper",
                    "confirmation-office_method_2": "male_condom",
                    "confirmation-comprehension_on": days_before(1).isoformat(),
                    "confirmation-patient_method_1": "iud_copper",
                    "confirmation-patient_method_2": "male_condom",
                },
            )
        assert response.status_code == 302
    row = CourseStatus.objects.get(course=course)
    assert row.state == "ready" and row.blocking_reasons == []
    assert row.prescribe_by == days_before(2) + timedelta(days=6)
    assert row.computed_for == TODAY


def test_a_positive_test_blocks_the_course_at_once(prescriber, clinical_staff, django_capture_on_commit_callbacks):
    from labs import services as labs_services

    with at(TODAY), django_capture_on_commit_callbacks(execute=True):
        course = ready_course(prescriber, clinical_staff)
        labs_services.pregnancy_test_record(
            actor=clinical_staff,
            patient_id=course.patient_id,
            collected_on=TODAY,
            test_type="urine",
            setting="office",
            result="positive",
            sensitivity_miu_ml=20,
            purpose="monthly",
        )
    row = CourseStatus.objects.get(course=course)
    assert row.state == "blocked"
    assert row.blocking_reasons[0]["code"] == "pregnancy"


def test_the_sweep_turns_ready_into_action_needed_when_the_window_closes_and_a_second_run_changes_nothing(
    prescriber, clinical_staff
):
    with at(TODAY):
        course = ready_course(prescriber, clinical_staff)
        assert tasks.sweep_course_statuses() == 1
        assert CourseStatus.objects.get(course=course).state == "ready"
        assert tasks.sweep_course_statuses() == 0
    last_day = days_before(2) + timedelta(days=6)
    with at(last_day):
        assert tasks.sweep_course_statuses() in (0, 1)  # the next due date may move, the state not
        assert CourseStatus.objects.get(course=course).state == "ready"
    with at(last_day + timedelta(days=1)):
        assert tasks.sweep_course_statuses() == 1
        row = CourseStatus.objects.get(course=course)
        assert row.state == "action_needed"
        assert {"monthly_test", "pickup_window"} <= {r["code"] for r in row.blocking_reasons}
        before = (row.computed_at, row.checklist)
        assert tasks.sweep_course_statuses() == 0
        row.refresh_from_db()
        assert (row.computed_at, row.checklist) == before


def test_the_sweep_drops_the_rows_of_courses_no_longer_tracked(prescriber, clinical_staff):
    with at(TODAY):
        course = ready_course(prescriber, clinical_staff)
        status.sweep()
        Course.objects.filter(pk=course.pk).update(
            state="completed", end_date=days_before(1), end_reason="target_reached"
        )
        status.sweep()
        assert CourseStatus.objects.filter(course=course).exists()  # the month after the last dose
    with at(TODAY + timedelta(days=status.AFTER_TREATMENT_DAYS + 5)):
        status.sweep()
        assert not CourseStatus.objects.filter(course=course).exists()


def test_the_sweep_works_in_batches(prescriber, clinical_staff):
    with at(TODAY):
        ids = [enrolled_course(prescriber).pk for _ in range(3)]
        assert status.sweep(batch=2) == 3
        assert set(CourseStatus.objects.values_list("course_id", flat=True)) == set(ids)
        assert status.sweep(batch=2) == 0
