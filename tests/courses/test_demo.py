"""The demo data: every stage of a course, all of it valid under the services' rules."""

import io
import random
from collections import Counter

from django.core.management import call_command
from django.utils import timezone

from courses import dosing
from courses.demo import seed_courses
from courses.models import Course, CourseState, DoseHold, DosePeriod
from courses.selectors import dose_inputs, open_course
from patients.demo import seed_patients
from tests.factories import UserFactory


def test_seed_demo_creates_courses_at_every_stage(db):
    call_command("seed_demo", patients=60, seed=7, stdout=io.StringIO())
    today = timezone.localdate()
    courses = list(Course.objects.all())
    states = Counter(c.state for c in courses)
    assert set(states) == set(CourseState)
    periods_per_course = Counter(DosePeriod.objects.values_list("course_id", flat=True))
    active = [c for c in courses if c.state == CourseState.ACTIVE]
    assert any((today - c.start_date).days < 31 for c in active)  # month 1
    assert any(periods_per_course[c.pk] >= 3 for c in active)  # mid-course, after dose changes
    assert DosePeriod.objects.filter(regimen__1__isnull=False).exists()  # an alternating regimen
    assert DoseHold.objects.filter(end__isnull=True, course__state=CourseState.PAUSED).exists()
    second = Counter(c.patient_id for c in courses)
    assert any(n >= 2 for n in second.values())  # a second course


def test_demo_courses_obey_the_rules_and_the_engine_reads_them(db):
    prescriber = UserFactory(role="prescriber")
    rng = random.Random(11)
    patients = seed_patients(count=300, rng=rng, prescriber=prescriber)
    created = seed_courses(patients=patients, rng=rng, prescribers=[prescriber])
    assert created == Course.objects.count()
    today = timezone.localdate()
    facts = dose_inputs(Course.objects.values_list("id", flat=True))
    for course in Course.objects.all():
        course.full_clean()
        summary = dosing.summarize(facts[course.pk], min(today, course.end_date or today))
        if course.state == CourseState.COMPLETED:
            assert summary.mg_per_kg >= 110, (course.pk, summary.mg_per_kg)
        if course.is_open:
            assert open_course(course.patient_id) == course
        for period in facts[course.pk].periods:
            assert period.start >= course.first_day
            assert max(period.daily_mg) / summary.baseline_kg <= 2
    open_share = Course.objects.filter(state__in=["planned", "active", "paused"]).count() / len(patients)
    assert 0.05 < open_share < 0.2
