"""factory-boy factories for the models every app's tests need. App-specific factories live in
tests/<app>/factories.py."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from patients.models import Patient, RiskCategory, RiskCategoryChange, Sex, WeightMeasurement

# Tests that log in through the real login form use this password. Its Argon2 hash is computed
# once per test run: hashing it for every user would cost ~0.1 s each.
PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF"
_PASSWORD_HASH = None


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(PASSWORD)
    return _PASSWORD_HASH


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@clinic.test")
    full_name = factory.Sequence(lambda n: f"Staff Member {n}")
    role = Role.CLINICAL_STAFF
    ipledge_prescriber_id = factory.LazyAttribute(lambda u: "P9000001" if u.role == Role.PRESCRIBER else "")
    password = factory.LazyFunction(password_hash)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = "Testcase"
    date_of_birth = date(2000, 5, 17)
    sex = Sex.FEMALE
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    risk_category = RiskCategory.CAN_GET_PREGNANT


class RiskCategoryChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskCategoryChange

    patient = factory.SubFactory(PatientFactory)
    category = factory.LazyAttribute(lambda c: c.patient.risk_category or RiskCategory.CAN_GET_PREGNANT)
    effective_on = date(2026, 1, 5)
    reason = "Initial assessment"
    changed_by = factory.SubFactory(UserFactory, role=Role.PRESCRIBER)


class WeightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeightMeasurement

    patient = factory.SubFactory(PatientFactory)
    measured_on = date(2026, 1, 5)
    weight_kg = Decimal("65.00")
    entered_value = Decimal("65.00")
    entered_unit = "kg"
    recorded_by = factory.SubFactory(UserFactory)
