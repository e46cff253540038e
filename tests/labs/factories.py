"""Factories for labs. Results get their flag and threshold action from ``ranges.evaluate`` with
the clinic's current thresholds, exactly as the service computes them."""

from datetime import date
from decimal import Decimal

import factory

from labs import ranges
from labs.models import Analyte, LabResult, LabSpecimen, PregnancyTest
from labs.pregnancy import Purpose, Result, Setting, TestType
from labs.selectors import threshold_rules
from tests.factories import PatientFactory, UserFactory


def analyte(code: str) -> Analyte:
    return Analyte.objects.get(code=code)


class SpecimenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabSpecimen

    patient = factory.SubFactory(PatientFactory)
    collected_on = date(2026, 3, 2)
    fasting = True
    performing_lab = "Quest Diagnostics"
    recorded_by = factory.SubFactory(UserFactory)


class LabResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabResult

    specimen = factory.SubFactory(SpecimenFactory)
    patient = factory.LazyAttribute(lambda r: r.specimen.patient)
    analyte = factory.LazyFunction(lambda: analyte("tg"))
    value = Decimal("120")
    unit = factory.LazyAttribute(lambda r: r.analyte.canonical_unit)
    reference_low = None
    reference_high = Decimal("149")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        result = model_class(*args, **kwargs)
        evaluation = ranges.evaluate(
            result.analyte.rule,
            threshold_rules(),
            value=result.value,
            unit=result.unit,
            low=result.reference_low,
            high=result.reference_high,
        )
        worst = evaluation.worst
        result.flag = evaluation.flag
        result.action = worst.action if worst else ""
        result.action_severity = worst.severity if worst else ""
        result.abnormal = evaluation.abnormal
        result.save()
        return result


class PregnancyTestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PregnancyTest

    patient = factory.SubFactory(PatientFactory)
    collected_on = date(2026, 3, 2)
    test_type = TestType.URINE
    setting = Setting.OFFICE
    result = Result.NEGATIVE
    sensitivity_miu_ml = 25
    purpose = Purpose.MONTHLY
    recorded_by = factory.SubFactory(UserFactory)
