"""Patients, their iPLEDGE risk category over time, weights, and who looked at their chart."""

from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from .validators import age_on, validate_date_of_birth, validate_not_future, validate_phone

KG_PER_LB = Decimal("0.45359237")


class RiskCategory(models.TextChoices):
    """iPLEDGE patient risk categories in force since 13 Dec 2021."""

    CAN_GET_PREGNANT = "can_get_pregnant", "Can get pregnant"
    CANNOT_GET_PREGNANT = "cannot_get_pregnant", "Cannot get pregnant"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Not recorded"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message (SMS)"


@pghistory.track()
class Patient(models.Model):
    mrn = models.CharField("medical record number", max_length=32, unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)

    phone = models.CharField(max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(blank=True)
    preferred_channel = models.CharField(max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    reminder_opt_out = models.BooleanField("no reminders", default=False)
    quiet_hours_start = models.TimeField(null=True, blank=True, help_text="No reminders from this time ...")
    quiet_hours_end = models.TimeField(null=True, blank=True, help_text="... until this time (clinic time).")

    guardian_name = models.CharField(max_length=150, blank=True)
    guardian_relationship = models.CharField(max_length=50, blank=True)
    guardian_phone = models.CharField(max_length=20, blank=True, validators=[validate_phone])
    guardian_email = models.EmailField(blank=True)
    guardian_consent_on = models.DateField("guardian consent signed on", null=True, blank=True)

    ipledge_patient_id = models.CharField("iPLEDGE patient ID", max_length=20, blank=True)
    notes = models.TextField(blank=True)

    # The current category, kept in step with RiskCategoryChange by services.risk_category_change
    # (in one transaction) so lists can show it without a per-row query. Empty: not yet assessed.
    risk_category = models.CharField(max_length=20, choices=RiskCategory.choices, blank=True)

    # Optimistic concurrency: an edit form carries the version it was read at, and the update
    # is refused if someone saved in between, instead of silently overwriting their change.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        permissions = [
            ("change_risk_category", "Can change a patient's iPLEDGE risk category"),
            ("view_patient_history", "Can view a patient's audit history"),
        ]
        indexes = [
            # Prefix search on names ("smi" finds Smith) uses these; see selectors.patient_search.
            models.Index(OpClass(Upper("last_name"), name="text_pattern_ops"), name="patient_last_name_prefix"),
            models.Index(OpClass(Upper("first_name"), name="text_pattern_ops"), name="patient_first_name_prefix"),
            models.Index(fields=["last_name", "first_name", "id"], name="patient_list_order"),
            models.Index(fields=["date_of_birth"], name="patient_dob"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ipledge_patient_id"],
                condition=~models.Q(ipledge_patient_id=""),
                name="patient_ipledge_id_unique",
                violation_error_message="Another patient already has this iPLEDGE patient ID.",
            ),
            models.CheckConstraint(condition=~models.Q(mrn=""), name="patient_mrn_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Patient {self.pk}"  # names stay out of logs and admin action messages

    def clean(self):
        if self.date_of_birth and self.is_minor and not self.guardian_name:
            raise ValidationError({"guardian_name": "A patient under 18 needs a parent or guardian contact."})
        if self.date_of_birth and self.is_minor and not (self.guardian_phone or self.guardian_email):
            raise ValidationError({"guardian_phone": "Give the guardian's phone number or email."})

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, timezone.localdate())

    @property
    def is_minor(self) -> bool:
        return self.age < 18

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def list_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@pghistory.track()
class RiskCategoryChange(models.Model):
    """One assignment of the iPLEDGE risk category, kept forever: a category can change during
    a course (e.g. menarche), and rules for a past date need the category in force then."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="risk_category_changes")
    category = models.CharField(max_length=20, choices=RiskCategory.choices)
    effective_on = models.DateField(validators=[validate_not_future])
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_on", "-id"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="risk_change_has_reason")]

    def __str__(self) -> str:
        return f"{self.get_category_display()} from {self.effective_on}"


class WeightUnit(models.TextChoices):
    KG = "kg", "kg"
    LB = "lb", "lb"


@pghistory.track()
class WeightMeasurement(models.Model):
    MIN_KG = Decimal("20")
    MAX_KG = Decimal("300")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="weights")
    measured_on = models.DateField(validators=[validate_not_future])
    weight_kg = models.DecimalField(max_digits=6, decimal_places=2)
    # What was typed, so a weight entered in pounds can be shown exactly as entered.
    entered_value = models.DecimalField(max_digits=6, decimal_places=2)
    entered_unit = models.CharField(max_length=2, choices=WeightUnit.choices, default=WeightUnit.KG)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-measured_on", "-id"]
        indexes = [models.Index(fields=["patient", "-measured_on"], name="weight_patient_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight_kg__gte=20) & models.Q(weight_kg__lte=300), name="weight_kg_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weight_kg} kg on {self.measured_on}"

    @property
    def weight_lb(self) -> Decimal:
        return (self.weight_kg / KG_PER_LB).quantize(Decimal("0.1"))


class AccessKind(models.TextChoices):
    CHART_VIEW = "chart_view", "Viewed chart"
    HISTORY_VIEW = "history_view", "Viewed audit history"
    DENIED = "denied", "Access denied"
    EXPORT = "export", "Exported data"


class AccessEvent(models.Model):
    """Who looked at (or was refused) which patient's data, and when. Append-only.

    ``patient_id`` is a plain number, not a foreign key: a refused request may name a patient
    that does not exist, and the log must outlive any patient row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    patient_id = models.BigIntegerField(null=True, db_index=True)
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField(default=200)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        triggers = [pgtrigger.Protect(name="access_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} patient {self.patient_id} by user {self.user_id}"


# The outbox's models live in their own package (patients/outbox/) and belong to this app.
from .outbox.models import MessageTemplate, OutboxMessage  # noqa: E402, F401
