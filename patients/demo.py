"""Synthetic demo patients (no real person's data): names from common-name lists, MRNs with a
D prefix, phone numbers in the fictional 555-01xx range, addresses at example.com."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from .models import Channel, Patient, RiskCategory, RiskCategoryChange, Sex, WeightMeasurement, WeightUnit
from .outbox.models import MessageKind
from .reminders import Reminder, schedule_reminders

FIRST_FEMALE = [
    "Emma",
    "Olivia",
    "Ava",
    "Sophia",
    "Mia",
    "Isabella",
    "Amelia",
    "Harper",
    "Evelyn",
    "Abigail",
    "Emily",
    "Ella",
    "Grace",
    "Chloe",
    "Zoe",
    "Nora",
    "Lily",
    "Hannah",
    "Layla",
    "Aria",
    "Maya",
    "Leah",
    "Sara",
    "Ana",
    "Rosa",
]
FIRST_MALE = [
    "Liam",
    "Noah",
    "Oliver",
    "Elijah",
    "James",
    "William",
    "Benjamin",
    "Lucas",
    "Henry",
    "Mason",
    "Ethan",
    "Logan",
    "Jacob",
    "Jack",
    "Owen",
    "Ryan",
    "Caleb",
    "Nathan",
    "Aaron",
    "Diego",
    "Omar",
    "Kai",
    "Luis",
    "Sam",
    "Theo",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Kim",
    "Patel",
    "Chen",
    "Okafor",
    "Novak",
    "Silva",
    "Cohen",
]


def _date_of_birth(rng: random.Random, today: date) -> date:
    # Isotretinoin patients are mostly teenagers and young adults.
    age = rng.choice([14, 15, 16, 16, 17, 17, 18, 19, 20, 21, 22, 24, 26, 29, 33, 38, 44])
    return today - timedelta(days=age * 365 + rng.randrange(365))


def build_patients(count: int, rng: random.Random, start_index: int = 0) -> list[Patient]:
    today = timezone.localdate()
    patients = []
    for i in range(start_index, start_index + count):
        sex = Sex.FEMALE if rng.random() < 0.55 else Sex.MALE
        first = rng.choice(FIRST_FEMALE if sex == Sex.FEMALE else FIRST_MALE)
        last = rng.choice(LAST)
        dob = _date_of_birth(rng, today)
        minor = (today - dob).days < 18 * 365
        channel = Channel.SMS if rng.random() < 0.4 else Channel.EMAIL
        patients.append(
            Patient(
                mrn=f"D{100000 + i}",
                first_name=first,
                last_name=last,
                date_of_birth=dob,
                sex=sex,
                phone=f"+1617555{rng.randrange(100, 200):04d}",
                email=f"{first.lower()}.{last.lower()}{i}@example.com",
                preferred_channel=channel,
                guardian_name=f"{rng.choice(FIRST_FEMALE + FIRST_MALE)} {last}" if minor else "",
                guardian_relationship="Parent" if minor else "",
                guardian_phone=f"+1617555{rng.randrange(100, 200):04d}" if minor else "",
                guardian_consent_on=today - timedelta(days=rng.randrange(10, 200)) if minor else None,
                ipledge_patient_id=f"{7000000000 + i}",
                risk_category=(
                    RiskCategory.CAN_GET_PREGNANT
                    if sex == Sex.FEMALE and rng.random() < 0.9
                    else RiskCategory.CANNOT_GET_PREGNANT
                ),
            )
        )
    return patients


def seed_patients(*, count: int, rng: random.Random, prescriber, batch_size: int = 2000) -> list[Patient]:
    """Insert ``count`` synthetic patients with their risk-category assignment and a weight."""
    start = Patient.objects.count()
    patients = Patient.objects.bulk_create(build_patients(count, rng, start), batch_size=batch_size)
    today = timezone.localdate()
    RiskCategoryChange.objects.bulk_create(
        [
            RiskCategoryChange(
                patient=p,
                category=p.risk_category,
                effective_on=today - timedelta(days=rng.randrange(30, 400)),
                reason="Initial assessment at registration",
                changed_by=prescriber,
            )
            for p in patients
        ],
        batch_size=batch_size,
    )
    WeightMeasurement.objects.bulk_create(
        [
            WeightMeasurement(
                patient=p,
                measured_on=today - timedelta(days=rng.randrange(0, 60)),
                weight_kg=kg,
                entered_value=kg,
                entered_unit=WeightUnit.KG,
                recorded_by=prescriber,
            )
            for p in patients
            for kg in [Decimal(rng.randrange(48, 95)) + Decimal(rng.randrange(0, 10)) / 10]
        ],
        batch_size=batch_size,
    )
    return patients


def seed_reminders(*, patients: list[Patient], rng: random.Random) -> int:
    """Upcoming reminders for some demo patients: visits (two days and one day before) and a
    monthly test. In ``make run`` the worker delivers them to the console at the send hour."""
    today = timezone.localdate()
    reminders = []
    for patient in patients[::3]:
        visit_day = today + timedelta(days=rng.randrange(1, 21))
        context = {"time": f"{rng.choice([9, 10, 11, 14, 15, 16]):02d}:{rng.choice(['00', '30'])}"}
        reminders += [
            Reminder(patient.pk, MessageKind.VISIT_2_DAYS, visit_day, visit_day - timedelta(days=2), context),
            Reminder(patient.pk, MessageKind.VISIT_1_DAY, visit_day, visit_day - timedelta(days=1), context),
        ]
    for patient in patients[1::4]:
        if patient.risk_category == RiskCategory.CAN_GET_PREGNANT:
            due = today + timedelta(days=rng.randrange(2, 10))
            reminders.append(Reminder(patient.pk, MessageKind.PREGNANCY_TEST_DUE, due, due - timedelta(days=2)))
    return schedule_reminders(reminders)
