"""The worklist: every tracked course from its stored status, filters with counts, soonest due
first, a prescriber's own; a fixed number of queries at 10 and at 500 courses (acceptance 4)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from courses.models import Course
from ipledge.models import CourseStatus
from patients.models import Patient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATES = ["not_started", "action_needed", "ready", "blocked", "completed"]
# user, permissions (role and user, one query), settings row, counts per state (one aggregate),
# paginator count, page of rows with patients and prescribers (the session is cached)
WORKLIST_QUERIES = 6
# ... plus the two-factor check of a prescriber
WORKLIST_QUERIES_PRESCRIBER = 7


def statuses(n: int, prescribers, today=None):
    """``n`` courses with status rows, states and due dates cycling (bulk inserts)."""
    today = today or timezone.localdate()
    start = Patient.objects.count()
    patients = Patient.objects.bulk_create(
        Patient(mrn=f"W{start + i:07d}", first_name=f"W{i}", last_name="Worklist", date_of_birth="1999-01-01")
        for i in range(n)
    )
    courses = Course.objects.bulk_create(
        Course(
            patient=p,
            prescriber=prescribers[i % len(prescribers)],
            created_by=prescribers[0],
            indication="severe_nodular",
            formulation="conventional",
            planned_start=today - timedelta(days=40),
            start_date=today - timedelta(days=40),
            state="active",
        )
        for i, p in enumerate(patients)
    )
    CourseStatus.objects.bulk_create(
        CourseStatus(
            course=c,
            patient=c.patient,
            prescriber=c.prescriber,
            state=STATES[i % len(STATES)],
            rule_set="rems_2026",
            blocking_reasons=[{"code": "monthly_test", "title": "Monthly pregnancy test", "reason": "Due."}]
            if STATES[i % len(STATES)] == "action_needed"
            else [],
            next_due_on=today + timedelta(days=(i * 7) % 40 - 10),
            prescribe_by=today + timedelta(days=1) if STATES[i % len(STATES)] == "ready" else None,
            labs_awaiting_review=1 if i % 7 == 0 else 0,
            checklist=[],
            computed_for=today,
            computed_at=timezone.now(),
        )
        for i, c in enumerate(courses)
    )
    return courses


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("size", [10, 500])
def test_the_worklist_uses_the_same_number_of_queries_with_10_and_500_courses(
    prescriber, clinical_staff, client_for, size
):
    statuses(size, [prescriber])
    for user in (clinical_staff, prescriber):
        client = client_for(user)
        client.get("/ipledge/worklist/")  # warm the session
        mine = "&mine=on" if user.role == Role.PRESCRIBER else ""
        for url in ("/ipledge/worklist/", f"/ipledge/worklist/?state=action_needed&page=2{mine}"):
            expected = WORKLIST_QUERIES_PRESCRIBER if user.role == Role.PRESCRIBER else WORKLIST_QUERIES
            assert count_queries(client, url)[0] == expected


def test_the_worklist_counts_each_state_and_filters_by_it(clinical_staff, prescriber, client_for):
    statuses(20, [prescriber])
    client = client_for(clinical_staff)
    response = client.get("/ipledge/worklist/")
    tabs = {key: count for key, _label, count in response.context["tabs"]}
    assert tabs == {
        "": 16,  # open = everything but completed
        "not_started": 4,
        "action_needed": 4,
        "ready": 4,
        "blocked": 4,
        "completed": 4,
        "closing": 4,
        "review": 3,
    }
    rows = list(client.get("/ipledge/worklist/?state=blocked").context["page"])
    assert {r.state for r in rows} == {"blocked"} and len(rows) == 4
    closing = list(client.get("/ipledge/worklist/?state=closing").context["page"])
    assert all(r.closing_soon for r in closing) and len(closing) == 4


def test_the_worklist_lists_the_soonest_due_first_with_undated_rows_last(clinical_staff, prescriber, client_for):
    courses = statuses(12, [prescriber])
    CourseStatus.objects.filter(course=courses[1]).update(next_due_on=None)
    rows = list(client_for(clinical_staff).get("/ipledge/worklist/?state=").context["page"])
    dates = [r.next_due_on for r in rows if r.next_due_on]
    assert dates == sorted(dates)
    assert rows[-1].next_due_on is None or rows[-1].course_id != courses[1].pk or rows[-1].next_due_on is None


def test_a_prescriber_can_show_only_their_own_patients(prescriber, client_for):
    other = UserFactory(role=Role.PRESCRIBER)
    statuses(10, [prescriber, other])
    client = client_for(prescriber)
    mine = list(client.get("/ipledge/worklist/?mine=on").context["page"])
    assert mine and {r.prescriber_id for r in mine} == {prescriber.pk}
    every = list(client.get("/ipledge/worklist/").context["page"])
    assert {r.prescriber_id for r in every} == {prescriber.pk, other.pk}


def test_the_worklist_pages_by_fifty(clinical_staff, prescriber, client_for):
    statuses(130, [prescriber])
    client = client_for(clinical_staff)
    page = client.get("/ipledge/worklist/?state=&page=3").context["page"]
    assert page.number == 3 and len(page.object_list) == 130 * 4 // 5 - 100


def test_front_desk_has_no_worklist_and_prescribers_and_nurses_start_on_it(
    front_desk, clinical_staff, prescriber, client_for
):
    assert client_for(front_desk).get("/ipledge/worklist/").status_code == 403
    for user in (clinical_staff, prescriber):
        assert client_for(user).get("/").headers["Location"] == "/ipledge/worklist/"
    assert client_for(front_desk).get("/").headers["Location"] != "/ipledge/worklist/"


def test_an_unknown_filter_shows_every_open_course_instead_of_an_error(clinical_staff, prescriber, client_for):
    statuses(5, [prescriber])
    response = client_for(clinical_staff).get("/ipledge/worklist/?state=nonsense&page=x")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 4


def test_the_staff_digest_counts_the_worklist_with_no_names(prescriber, clinical_staff):
    from ipledge.worklist import digest_counts

    other = UserFactory(role=Role.PRESCRIBER)
    statuses(20, [prescriber, other])
    today = timezone.localdate()
    nurse_lines = dict(digest_counts(clinical_staff, today))
    assert nurse_lines["Courses needing action (all patients)"] == 4
    assert nurse_lines["Courses blocked (all patients)"] == 4
    assert nurse_lines["Pickup windows closing within 2 days"] == 4
    own = dict(digest_counts(prescriber, today))
    assert own["Courses needing action (your patients)"] == 2
    assert all(isinstance(count, int) for count in own.values())
