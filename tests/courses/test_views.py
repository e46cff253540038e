"""The course pages: who reaches what, every refusal shown in its form, the what-if planner, the
chart panel, and what the page says about weights, warnings and formulations."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils.html import format_html

from accounts.models import Role
from courses import panels
from courses.models import Course, CourseState, DosePeriod, MissedDose
from tests.factories import PatientFactory, WeightFactory

from .factories import SIXTY, course_in_state, days_ago, plan_course, start_course, today, with_weight

ALL_ROLES = [Role.PRESCRIBER, Role.CLINICAL_STAFF, Role.FRONT_DESK, Role.ADMIN]
DOSE_ROLES = [Role.PRESCRIBER, Role.CLINICAL_STAFF, Role.ADMIN]


@pytest.fixture
def patient(patient):
    return with_weight(patient)


@pytest.fixture
def course(prescriber, patient):
    return start_course(prescriber, patient, start=days_ago(40))


def url(course, suffix=""):
    return f"/courses/patients/{course.patient_id}/{course.pk}/{suffix}"


def html_of(response) -> str:
    return response.content.decode()


# --- Who reaches what -----------------------------------------------------------------------

GET_PAGES = {"": DOSE_ROLES, "what-if/": DOSE_ROLES}
POST_PAGES = {
    "dose/": [Role.PRESCRIBER],
    "missed/": [Role.PRESCRIBER, Role.CLINICAL_STAFF],
    "holds/": [Role.PRESCRIBER],
    "details/": [Role.PRESCRIBER],
    "activate/": [Role.PRESCRIBER],
    "pause/": [Role.PRESCRIBER],
    "resume/": [Role.PRESCRIBER],
    "complete/": [Role.PRESCRIBER],
    "discontinue/": [Role.PRESCRIBER],
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("suffix", list(GET_PAGES))
def test_the_course_page_and_planner_are_for_roles_that_see_doses(personas, client_for, course, role, suffix):
    response = client_for(personas[role]).get(url(course, suffix))
    assert response.status_code == (200 if role in GET_PAGES[suffix] else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_prescribers_start_courses(personas, client_for, patient, role):
    response = client_for(personas[role]).get(f"/courses/patients/{patient.pk}/new/")
    assert response.status_code == (200 if role == Role.PRESCRIBER else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("suffix", list(POST_PAGES))
def test_each_form_is_posted_only_by_its_roles_and_never_by_get(personas, client_for, course, role, suffix):
    client = client_for(personas[role])
    allowed = role in POST_PAGES[suffix]
    assert client.get(url(course, suffix)).status_code == (405 if allowed else 403)
    response = client.post(url(course, suffix), {})
    assert response.status_code == (200 if allowed else 403)  # an empty form comes back with its errors


def test_a_course_of_another_patient_or_a_missing_one_is_404(prescriber, client_for, course):
    other = with_weight(PatientFactory())
    client = client_for(prescriber)
    assert client.get(f"/courses/patients/{other.pk}/{course.pk}/").status_code == 404
    assert client.get(f"/courses/patients/{course.patient_id}/999999/").status_code == 404
    assert client.post(f"/courses/patients/{other.pk}/{course.pk}/pause/", {}).status_code == 404


def test_admins_read_the_course_page_without_any_form(admin_user, client_for, course):
    html = html_of(client_for(admin_user).get(url(course)))
    assert "mg/kg" in html
    assert "Save the new dose" not in html
    assert "Record missed day" not in html


def test_clinical_staff_see_only_the_missed_day_form(clinical_staff, client_for, course):
    html = html_of(client_for(clinical_staff).get(url(course)))
    assert "Record missed day" in html
    for button in ("Save the new dose", "Record hold", "Pause course", "Complete course"):
        assert button not in html


# --- Starting a course from the chart -------------------------------------------------------

START = {
    "status": "start",
    "first_day": "",
    "indication": "severe_nodular",
    "formulation": "conventional",
    "dose": "30",
    "target_low": "120",
    "target_high": "150",
}


def post_start(client, patient, prescriber, **changes):
    data = {**START, "first_day": today().isoformat(), "prescriber": prescriber.pk, **changes}
    return client.post(f"/courses/patients/{patient.pk}/new/", data)


def test_a_prescriber_starts_a_course_and_lands_on_its_page(prescriber, client_for, patient):
    response = post_start(client_for(prescriber), patient, prescriber, dose="2 x 30")
    course = Course.objects.get()
    assert response["Location"] == url(course)
    assert course.state == CourseState.ACTIVE
    assert DosePeriod.objects.get(course=course).regimen == SIXTY


def test_an_alternating_regimen_is_entered_as_two_doses(prescriber, client_for, patient):
    post_start(client_for(prescriber), patient, prescriber, dose="40", alternate_dose="60")
    assert DosePeriod.objects.get().regimen == [[[40, 1]], [[30, 2]]]
    html = html_of(client_for(prescriber).get(url(Course.objects.get())))
    assert "40 mg and 2 \u00d7 30 mg (60 mg) on alternate days" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"dose": "15"}, "dose", "15 mg cannot be made"),
        ({"dose": "abc"}, "dose", "is not a dose"),
        ({"alternate_dose": "2 x 32"}, "alternate_dose", "no 32 mg capsule"),
        ({"dose": "200"}, "dose", "above the maximum"),
        ({"first_day": "2099-01-01"}, "first_day", "cannot be in the future"),
        ({"status": "plan", "first_day": "2020-01-01"}, "first_day", "cannot be in the past"),
        ({"indication": "other"}, "indication_other", "Describe the indication"),
        ({"target_low": "160"}, "target_high", "cannot be below"),
        ({"target_high": "500"}, "target_high", "less than or equal to 400"),
    ],
)
def test_a_refused_course_is_explained_next_to_the_field(prescriber, client_for, patient, changes, field, message):
    response = post_start(client_for(prescriber), patient, prescriber, **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors.get(field, [])), errors
    assert f'id="id_{field}_error"' in html_of(response)
    assert not Course.objects.exists()


def test_a_second_open_course_is_refused_in_the_form(prescriber, client_for, patient):
    plan_course(prescriber, patient)
    response = post_start(client_for(prescriber), patient, prescriber)
    assert "already has an open course" in str(response.context["form"].non_field_errors())
    assert Course.objects.count() == 1


def test_the_gap_override_is_asked_for_in_the_form(prescriber, client_for, patient):
    course = start_course(prescriber, patient, start=days_ago(200))
    client = client_for(prescriber)
    client.post(
        url(course, "complete/"),
        {"complete-version": 1, "complete-end_date": days_ago(20), "complete-end_reason": "target_reached"},
    )
    response = post_start(client, patient, prescriber)
    assert "needs 56 days off" in response.context["form"].errors["gap_override_reason"][0]
    response = post_start(client, patient, prescriber, gap_override_reason="Early relapse")
    assert response.status_code == 302
    html = html_of(client.get(response["Location"]))
    assert "Started sooner than 56 days after the previous course" in html
    assert "Early relapse" in html


# --- Every refusal on the course page is shown in its form ----------------------------------


def form_errors(response, key: str) -> str:
    form = response.context["forms"][key]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@pytest.mark.parametrize(
    ("suffix", "key", "data", "message"),
    [
        ("dose/", "dose", {"start": "{today}", "formulation": "conventional", "dose": "15"}, "cannot be made"),
        ("dose/", "dose", {"start": "{today}", "formulation": "conventional", "dose": "160"}, "above the maximum"),
        ("dose/", "dose", {"start": "{d50}", "formulation": "conventional", "dose": "60"}, "The course starts on"),
        ("dose/", "dose", {"start": "{today}", "formulation": "absorica_ld", "dose": "2 x 30"}, "no 30 mg capsule"),
        ("missed/", "missed", {"day": "{tomorrow}"}, "cannot be in the future"),
        ("missed/", "missed", {"day": "{d50}"}, "outside the course"),
        ("holds/", "hold", {"start": "{d5}", "end": "{d10}", "reason": "TG"}, "cannot end before"),
        ("holds/", "hold", {"start": "{d10}", "end": "{d5}", "reason": ""}, "This field is required"),
        ("pause/", "pause", {"on": "{today}", "reason": " "}, "This field is required"),
        ("pause/", "pause", {"on": "{d50}", "reason": "TG"}, "started on"),
        ("complete/", "complete", {"end_date": "{today}", "end_reason": "side_effects"}, "Select a valid choice"),
        ("complete/", "complete", {"end_date": "{d50}", "end_reason": "clear"}, "cannot be earlier"),
        ("discontinue/", "discontinue", {"end_date": "{today}", "end_reason": "other"}, "Describe the reason"),
        ("details/", "details", {"indication": "other", "target_low": "120", "target_high": "150"}, "Describe"),
    ],
)
def test_every_refusal_shows_its_message_in_its_form(prescriber, client_for, course, suffix, key, data, message):
    dates = {
        "today": today(),
        "tomorrow": today() + timedelta(days=1),
        "d5": days_ago(5),
        "d10": days_ago(10),
        "d50": days_ago(50),
    }
    posted = {f"{key}-{name}": value.format(**dates) for name, value in data.items()}
    posted.update({f"{key}-version": course.version, f"{key}-prescriber": prescriber.pk})
    response = client_for(prescriber).post(url(course, suffix), posted)
    assert response.status_code == 200
    assert message in form_errors(response, key)
    assert message in html_of(response)
    course.refresh_from_db()
    assert course.version == 1
    assert DosePeriod.objects.filter(course=course).count() == 1
    assert not MissedDose.objects.exists()


@pytest.mark.parametrize(
    ("state", "suffix", "data", "message"),
    [
        (CourseState.ACTIVE, "activate/", {"start_date": "{today}"}, "Only a planned course can be started"),
        (CourseState.PAUSED, "pause/", {"on": "{today}", "reason": "x"}, "Only an active course can be paused"),
        (CourseState.ACTIVE, "resume/", {"on": "{today}"}, "Only a paused course can be resumed"),
        (CourseState.PLANNED, "complete/", {"end_date": "{today}", "end_reason": "clear"}, "Only an active or paused"),
        (
            CourseState.COMPLETED,
            "discontinue/",
            {"end_date": "{today}", "end_reason": "side_effects"},
            "Only a planned, active or paused course can be discontinued; this one is completed.",
        ),
    ],
)
def test_an_invalid_transition_is_explained_above_its_form(
    prescriber, client_for, patient, state, suffix, data, message
):
    course = course_in_state(state, prescriber, patient)
    key = suffix.rstrip("/")
    posted = {f"{key}-{name}": value.format(today=today()) for name, value in data.items()}
    posted[f"{key}-version"] = course.version
    response = client_for(prescriber).post(url(course, suffix), posted)
    assert response.status_code == 200
    assert message in str(response.context["forms"][key].non_field_errors())
    assert message in html_of(response)
    course.refresh_from_db()
    assert course.state == state


def test_a_stale_dose_change_is_explained_and_the_form_is_ready_to_resend(prescriber, client_for, course):
    client = client_for(prescriber)
    data = {"dose-version": 1, "dose-start": days_ago(5), "dose-formulation": "conventional", "dose-dose": "40"}
    assert client.post(url(course, "dose/"), data).status_code == 302
    response = client.post(url(course, "dose/"), {**data, "dose-dose": "50"})
    assert "Someone else changed this course" in form_errors(response, "dose")
    assert 'name="dose-version" value="2"' in html_of(response)
    assert client.post(url(course, "dose/"), {**data, "dose-version": 2, "dose-dose": "50"}).status_code == 302
    # Both changes start on the same day: the second corrects the first.
    latest = DosePeriod.objects.filter(course=course).order_by("start").last()
    assert (latest.start, latest.regimen) == (days_ago(5), [[[25, 2]]])


def test_a_dose_change_through_the_page_updates_the_figures(prescriber, client_for, course):
    client = client_for(prescriber)
    before = html_of(client.get(url(course)))
    response = client.post(
        url(course, "dose/"),
        {"dose-version": 1, "dose-start": days_ago(10), "dose-formulation": "conventional", "dose-dose": "60"},
    )
    assert response.status_code == 302
    after = html_of(client.get(url(course)))
    # Before: 41 days (today included) x 30 mg = 1,230 mg / 65 kg. After: 30 days x 30 mg and
    # 11 days x 60 mg = 1,560 mg / 65 kg.
    assert 'id="mg-per-kg-to-date">18.9 mg/kg' in before
    assert 'id="mg-per-kg-to-date">24.0 mg/kg' in after
    assert "2 \u00d7 30 mg (60 mg) daily" in after


# --- What the page says ---------------------------------------------------------------------


def test_the_page_states_the_weight_method_and_shows_both_when_they_differ(prescriber, client_for, patient, course):
    html = html_of(client_for(prescriber).get(url(course)))
    assert "mg/kg shown: <strong>total mg ÷ baseline weight</strong>" in html
    assert 'id="other-method"' not in html
    WeightFactory(patient=patient, measured_on=days_ago(20), weight_kg=Decimal(80), entered_value=Decimal(80))
    html = html_of(client_for(prescriber).get(url(course)))
    assert 'id="other-method"' in html
    assert "sum over periods of mg ÷ the weight in force then" in html


def test_a_dose_outside_the_usual_band_carries_a_visible_warning(prescriber, client_for, patient):
    course = start_course(prescriber, patient, regimen=[[[40, 2]]])  # 80 mg at 65 kg = 1.23 mg/kg/day
    html = html_of(client_for(prescriber).get(url(course)))
    assert 'id="dose-warning"' in html
    assert "Above the usual 0.25 to 1.00 mg/kg/day" in html


def test_a_formulation_change_is_flagged(prescriber, client_for, course):
    client_for(prescriber).post(
        url(course, "dose/"),
        {"dose-version": 1, "dose-start": days_ago(5), "dose-formulation": "absorica_ld", "dose-dose": "32"},
    )
    html = html_of(client_for(prescriber).get(url(course)))
    assert "Mixed formulations." in html
    assert "Formulation changed" in html


def test_the_chart_and_progress_bar_are_inline_svg_without_style_attributes(prescriber, client_for, course):
    html = html_of(client_for(prescriber).get(url(course)))
    assert '<svg class="chart-svg"' in html
    assert 'class="chart-band"' in html
    assert 'class="chart-projected"' in html
    assert '<svg class="progress-svg"' in html
    assert "style=" not in html
    assert "<script" not in html.split("</head>", 1)[1]


def test_user_text_is_escaped_on_the_course_page(prescriber, client_for, course):
    client_for(prescriber).post(
        url(course, "holds/"), {"hold-start": days_ago(3), "hold-end": days_ago(2), "hold-reason": "<b>x</b>"}
    )
    html = html_of(client_for(prescriber).get(url(course)))
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_other_app_panels_appear_on_the_course_page(prescriber, client_for, course, settings):
    settings.COURSE_PANELS = ["tests.courses.test_views.dispensed_panel"]
    panels._course_panel_functions.cache_clear()
    try:
        html = html_of(client_for(prescriber).get(url(course)))
    finally:
        panels._course_panel_functions.cache_clear()
    assert f'<section class="panel">Dispensed for course {course.pk}</section>' in html


def dispensed_panel(request, course):
    return format_html('<section class="panel">Dispensed for course {}</section>', course.pk)


# --- The what-if planner --------------------------------------------------------------------


def test_the_planner_answers_with_a_dose_for_a_date_and_a_date_for_a_dose(prescriber, client_for, course):
    by = today() + timedelta(days=100)
    response = client_for(prescriber).get(
        url(course, "what-if/"),
        {"whatif-target": "150", "whatif-by": by.isoformat(), "whatif-daily_dose": "60"},
        headers={"HX-Request": "true"},
    )
    html = html_of(response)
    assert html.lstrip().startswith('<div id="what-if-result"')
    assert "<html" not in html
    result = response.context["what_if"]
    # 150 mg/kg x 65 kg = 9,750 mg; 41 days x 30 mg = 1,230 taken -> 8,520 mg in 100 days = 85.2 -> 90 mg
    assert result["dose"].dose_mg == 90
    assert 'id="what-if-dose">90 mg a day' in html
    assert result["date"] == today() + timedelta(days=142)  # 8,520 / 60 = 142
    assert 'id="what-if-date"' in html


def test_the_planner_explains_bad_input_and_saves_nothing(prescriber, client_for, course):
    response = client_for(prescriber).get(
        url(course, "what-if/"), {"whatif-target": "150", "whatif-daily_dose": "15"}, headers={"HX-Request": "true"}
    )
    assert "15 mg cannot be made" in html_of(response)
    course.refresh_from_db()
    assert course.version == 1
    assert DosePeriod.objects.count() == 1


def test_the_planner_works_without_javascript(prescriber, client_for, course):
    response = client_for(prescriber).get(url(course, "what-if/"), {"whatif-target": "150", "whatif-daily_dose": "60"})
    html = html_of(response)
    assert "<html" in html
    assert 'id="what-if-date"' in html


# --- The chart panel ------------------------------------------------------------------------


def test_the_chart_panel_shows_the_open_course_and_earlier_courses_separately(prescriber, client_for, patient):
    first = course_in_state(CourseState.COMPLETED, prescriber, patient)
    start_course(prescriber, patient, start=today(), gap_override_reason="Relapse")
    html = html_of(client_for(prescriber).get(f"/patients/{patient.pk}/"))
    panel = html.split('id="course-panel-heading"', 1)[1].split("</section>", 1)[0]
    assert 'id="panel-course-state">Active' in panel
    assert 'id="panel-mg-per-kg">0.5<' in panel  # 30 mg / 65 kg today
    assert "Projected end" in panel
    assert "Earlier courses" in panel
    assert f'/courses/patients/{patient.pk}/{first.pk}/">Course 1' in panel
    assert "Start or plan a course" not in panel


@pytest.mark.parametrize("role", [Role.FRONT_DESK])
def test_front_desk_sees_course_states_and_dates_but_no_doses(personas, client_for, prescriber, patient, role):
    course_in_state(CourseState.COMPLETED, prescriber, patient)
    start_course(prescriber, patient, start=today(), gap_override_reason="Relapse")
    html = html_of(client_for(personas[role]).get(f"/patients/{patient.pk}/"))
    panel = html.split('id="course-panel-heading"', 1)[1].split("</section>", 1)[0]
    assert "Active" in panel
    assert "First dose" in panel
    assert "Completed" in panel
    for clinical in ("mg/kg", " mg", "Projected end", "/courses/patients/"):
        assert clinical not in panel


def test_prescribers_can_start_a_course_from_the_chart(prescriber, clinical_staff, client_for, patient):
    assert "Start or plan a course" in html_of(client_for(prescriber).get(f"/patients/{patient.pk}/"))
    assert "Start or plan a course" not in html_of(client_for(clinical_staff).get(f"/patients/{patient.pk}/"))
