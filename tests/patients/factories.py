"""Factories for the outbox."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from patients.outbox.models import MessageKind, OutboxMessage
from tests.factories import PatientFactory


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """A pending labs reminder; each one about another day, so batches never share a key."""

    class Meta:
        model = OutboxMessage

    patient = factory.SubFactory(PatientFactory)
    kind = MessageKind.LABS_DUE
    channel = "email"
    due_date = factory.Sequence(lambda n: date(2026, 1, 1) + timedelta(days=n))
    send_after = factory.LazyFunction(timezone.now)
    next_attempt_at = factory.LazyAttribute(lambda m: m.send_after)
