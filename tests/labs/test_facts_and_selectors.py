"""What the compliance app relies on: every write reports the patient's changed facts, and the
selectors answer for many patients in a fixed number of queries, as plain data."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from labs import services
from labs.monitoring import ResultFact
from labs.pregnancy import PregnancyTestFact
from labs.selectors import (
    monitoring_plan,
    monitoring_results,
    positive_pregnancy_tests,
    pregnancy_tests,
    unreviewed_abnormal_results,
)
from patients import facts
from tests.factories import PatientFactory

from .factories import LabResultFactory, PregnancyTestFactory, SpecimenFactory, analyte

CHANGED: list[int] = []


def remember_change(patient_id: int) -> None:
    """A facts listener, as the compliance app registers one."""
    CHANGED.append(patient_id)


@pytest.fixture
def listener(settings):
    settings.PATIENT_FACTS_LISTENERS = ["tests.labs.test_facts_and_selectors.remember_change"]
    facts._listeners.cache_clear()
    CHANGED.clear()
    yield CHANGED
    facts._listeners.cache_clear()


def test_every_lab_and_pregnancy_test_write_reports_the_patients_changed_facts(
    listener, clinical_staff, prescriber, patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        specimen = services.lab_panel_record(
            actor=clinical_staff,
            patient_id=patient.pk,
            collected_on=date(2026, 3, 2),
            fasting=True,
            performing_lab="Labcorp",
            results=[
                services.ResultEntry(
                    analyte_id=analyte("tg").pk, value=Decimal(620), unit="mg/dL", reference_high=Decimal(149)
                )
            ],
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.lab_specimen_review(actor=prescriber, specimen_id=specimen.pk, comment="Dose reduced.")
    with django_capture_on_commit_callbacks(execute=True):
        test = services.pregnancy_test_record(
            actor=clinical_staff,
            patient_id=patient.pk,
            collected_on=date(2026, 3, 2),
            test_type="urine",
            setting="home",
            result="positive",
            sensitivity_miu_ml=20,
            purpose="monthly",
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.pregnancy_test_verify(actor=prescriber, test_id=test.pk, method="video")
    assert listener == [patient.pk] * 4


def test_a_refused_write_reports_nothing(listener, clinical_staff, patient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="CLIA"):
        services.pregnancy_test_record(
            actor=clinical_staff,
            patient_id=patient.pk,
            collected_on=date(2026, 3, 2),
            test_type="serum",
            setting="clia_lab",
            result="negative",
            sensitivity_miu_ml=20,
            purpose="confirmation",
            lab_name="Quest",
        )
    assert listener == []


def _many_patients(count: int):
    patients = PatientFactory.create_batch(count)
    for p in patients:
        specimen = SpecimenFactory(patient=p, collected_on=date(2026, 3, 2))
        LabResultFactory(specimen=specimen, value=Decimal(620))  # reduce dose and recheck
        LabResultFactory(specimen=specimen, analyte=analyte("alt"), value=Decimal(20), reference_high=Decimal(44))
        PregnancyTestFactory(patient=p, collected_on=date(2026, 3, 2))
        PregnancyTestFactory(patient=p, collected_on=date(2026, 3, 30), setting="home", result="positive")
    return [p.pk for p in patients]


@pytest.mark.parametrize("count", [3, 40])
def test_each_selector_answers_for_many_patients_in_one_query(db, count):
    ids = _many_patients(count)
    calls = [
        lambda: monitoring_results(ids),
        lambda: unreviewed_abnormal_results(ids, date(2026, 4, 1)),
        lambda: pregnancy_tests(ids),
        lambda: positive_pregnancy_tests(ids, since=date(2026, 3, 1)),
    ]
    for call in calls:
        with CaptureQueriesContext(connection) as queries:
            answer = call()
        assert len(queries) == 1
        assert set(answer) == set(ids)
    with CaptureQueriesContext(connection) as queries:
        monitoring_plan()
    assert len(queries) == 2


def test_selectors_return_plain_data(db):
    [pk] = _many_patients(1)
    [tg] = unreviewed_abnormal_results([pk], date(2026, 4, 1))[pk]
    assert tg == ResultFact(
        analyte="tg",
        collected_on=date(2026, 3, 2),
        abnormal=True,
        id=tg.id,
        patient_id=pk,
        specimen_id=tg.specimen_id,
        flag="high",
        action="Reduce dose and recheck",
        action_severity="warn",
        reviewed=False,
    )
    [positive] = positive_pregnancy_tests([pk], since=date(2026, 3, 1))[pk]
    assert isinstance(positive, PregnancyTestFact)
    assert (positive.collected_on, positive.is_positive, positive.verified) == (date(2026, 3, 30), True, False)
    assert [t.collected_on for t in pregnancy_tests([pk])[pk]] == [date(2026, 3, 2), date(2026, 3, 30)]
    assert positive_pregnancy_tests([pk], since=date(2026, 3, 31)) == {}
    assert [r.analyte for r in monitoring_results([pk])[pk]] == ["tg", "alt"]
    assert monitoring_plan().required_analytes == {"tg", "chol", "alt", "ast"}


def test_unreviewed_as_of_a_date_counts_a_review_made_after_that_day_as_not_yet_made(prescriber):
    [pk] = _many_patients(1)
    specimen_id = unreviewed_abnormal_results([pk], date(2026, 4, 1))[pk][0].specimen_id
    services.lab_specimen_review(actor=prescriber, specimen_id=specimen_id, comment="Seen.")
    today = timezone.localdate()
    assert unreviewed_abnormal_results([pk], today) == {}
    assert [r.analyte for r in unreviewed_abnormal_results([pk], today - timedelta(days=1))[pk]] == ["tg"]
    # Nothing collected after as_of is open on that day.
    assert unreviewed_abnormal_results([pk], date(2026, 3, 1)) == {}


def test_a_review_late_in_the_clinic_day_belongs_to_that_day(prescriber, time_machine):
    [pk] = _many_patients(1)
    specimen_id = unreviewed_abnormal_results([pk], date(2026, 4, 1))[pk][0].specimen_id
    # 23:30 in New York is already the next day in UTC.
    time_machine.move_to(timezone.make_aware(datetime(2026, 4, 1, 23, 30)))
    services.lab_specimen_review(actor=prescriber, specimen_id=specimen_id, comment="Seen.")
    assert unreviewed_abnormal_results([pk], date(2026, 4, 1)) == {}
    assert unreviewed_abnormal_results([pk], date(2026, 3, 31))[pk]
