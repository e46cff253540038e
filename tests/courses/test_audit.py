"""Every change to a course is audited with who made it and through which page: dose periods,
state changes, holds, missed days and gap overrides with their reasons."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from pghistory.models import Events

from courses.models import Course, DosePeriod

from .factories import course_in_state, days_ago, start_course, today, with_weight


@pytest.fixture
def course(prescriber, patient):
    with_weight(patient)
    return start_course(prescriber, patient, start=days_ago(40))


def events(model, **filters):
    label = f"{model._meta.app_label}.{model.__name__}"
    return list(Events.objects.filter(pgh_obj_model=label, **filters).order_by("pgh_created_at", "pgh_id"))


def url(course, suffix=""):
    return f"/courses/patients/{course.patient_id}/{course.pk}/{suffix}"


def test_a_dose_change_records_the_closed_period_and_the_new_one_with_the_user_and_page(prescriber, client_for, course):
    data = {"dose-version": 1, "dose-start": days_ago(10), "dose-formulation": "conventional", "dose-dose": "60"}
    assert client_for(prescriber).post(url(course, "dose/"), data).status_code == 302
    first, second = DosePeriod.objects.filter(course=course).order_by("start")
    closed = [e for e in events(DosePeriod, pgh_obj_id=str(first.pk)) if e.pgh_label == "update"]
    assert closed[-1].pgh_diff["end"] == [None, str(days_ago(11))]
    inserted = events(DosePeriod, pgh_obj_id=str(second.pk))[0]
    assert inserted.pgh_label == "insert"
    for event in (closed[-1], inserted):
        assert event.pgh_context["user"] == prescriber.pk
        assert event.pgh_context["url"] == url(course, "dose/")


def test_a_state_change_is_recorded_with_its_reason(prescriber, client_for, course):
    data = {
        "discontinue-version": 1,
        "discontinue-end_date": today(),
        "discontinue-end_reason": "other",
        "discontinue-end_reason_text": "Moved abroad",
    }
    assert client_for(prescriber).post(url(course, "discontinue/"), data).status_code == 302
    update = [e for e in events(Course, pgh_obj_id=str(course.pk)) if e.pgh_label == "update"][-1]
    assert update.pgh_diff["state"] == ["active", "discontinued"]
    assert update.pgh_diff["end_reason_text"] == ["", "Moved abroad"]
    assert update.pgh_context["user"] == prescriber.pk


def test_an_override_of_the_gap_is_recorded_with_its_reason_and_author(prescriber, patient):
    with_weight(patient)
    course_in_state("completed", prescriber, patient)
    second = start_course(prescriber, patient, start=today(), gap_override_reason="Relapse with nodules")
    inserted = events(Course, pgh_obj_id=str(second.pk))[0]
    assert inserted.pgh_data["gap_override_reason"] == "Relapse with nodules"
    assert inserted.pgh_data["gap_override_by_id"] == prescriber.pk
    assert inserted.pgh_context["user"] == prescriber.pk


def test_holds_missed_days_and_removed_plans_are_on_the_patients_audit_page(
    prescriber, clinical_staff, admin_user, client_for, reauthenticate, course
):
    client_for(clinical_staff).post(url(course, "missed/"), {"missed-day": days_ago(3)})
    client_for(prescriber).post(
        url(course, "holds/"), {"hold-start": days_ago(9), "hold-end": days_ago(7), "hold-reason": "TG 640"}
    )
    admin = client_for(admin_user)
    reauthenticate(admin)
    html = admin.get(f"/patients/{course.patient_id}/history/").content.decode()
    for record in ("Course", "Dose period", "Missed dose", "Dose hold"):
        assert f"<td>{record}</td>" in html
    assert f"<code>{url(course, 'holds/')}</code>" in html
    assert f"<td>{clinical_staff.full_name}</td><td><code>{url(course, 'missed/')}</code>" in html


def test_a_planned_dose_removed_when_a_course_ends_stays_in_the_history(prescriber, client_for, course):
    client = client_for(prescriber)
    future = {
        "dose-version": 1,
        "dose-start": today() + timedelta(days=3),
        "dose-formulation": "conventional",
        "dose-dose": "60",
    }
    client.post(url(course, "dose/"), future)
    planned = DosePeriod.objects.filter(course=course).order_by("start").last()
    client.post(
        url(course, "complete/"), {"complete-version": 2, "complete-end_date": today(), "complete-end_reason": "clear"}
    )
    assert not DosePeriod.objects.filter(pk=planned.pk).exists()
    assert [e.pgh_label for e in events(DosePeriod, pgh_obj_id=str(planned.pk))] == ["insert", "delete"]


def test_the_course_history_tables_are_append_only(course):
    table = DosePeriod.events.rel.related_model._meta.db_table
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the table name comes from the model
