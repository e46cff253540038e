"""Visits of a course. Imported at the end of ``courses/models.py``, so the model belongs to the
``courses`` app and its migrations.

A clinician cannot be double-booked: the exclusion constraint ``visit_clinician_not_double_booked``
refuses two overlapping visits of one clinician (cancelled and no-show visits free their time).
Only the database can settle two bookings made at the same moment; ``full_clean`` cannot.
"""

from datetime import timedelta

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q

from patients.models import Patient


class VisitType(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    MONTHLY = "monthly", "Monthly follow-up"
    TELEHEALTH = "telehealth", "Telehealth"
    POST_TREATMENT = "post_treatment", "Post-treatment"


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


# Visits that hold the clinician's time (a no-show or cancelled visit frees it).
BOOKED_STATUSES = (VisitStatus.SCHEDULED, VisitStatus.CHECKED_IN, VisitStatus.COMPLETED)
# Visits that happened: the monthly window counts from the last of these.
ATTENDED_STATUSES = (VisitStatus.CHECKED_IN, VisitStatus.COMPLETED)


class SideEffect(models.TextChoices):
    DRY_LIPS = "dry_lips", "Dry lips"
    DRY_SKIN = "dry_skin", "Dry skin"
    NOSEBLEEDS = "nosebleeds", "Nosebleeds"
    DRY_EYES = "dry_eyes", "Dry eyes"
    JOINT_MUSCLE_BACK_PAIN = "joint_muscle_back_pain", "Joint, muscle or back pain"
    HEADACHE_VISION = "headache_vision", "Headache with vision changes"
    NIGHT_VISION = "night_vision", "Night vision"
    ABDOMINAL = "abdominal", "Abdominal symptoms"
    MOOD = "mood", "Mood"


PHQ2_MAX = 6
PHQ9_MAX = 27


class VisitEnd(Func):
    """visit_end(starts_at, minutes): starts_at plus the duration. A SQL function declared
    IMMUTABLE (migration 0005): adding a number of minutes does not depend on the session's
    time zone, but PostgreSQL marks ``timestamptz + interval`` only STABLE (a day or month part
    would depend on it), and an index or exclusion constraint accepts only immutable ones."""

    function = "visit_end"
    output_field = models.DateTimeField()


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


@pghistory.track()
class Visit(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="visits")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        limit_choices_to={"role__in": ["prescriber", "clinical_staff"]},
    )
    starts_at = models.DateTimeField(help_text="Stored in UTC; shown in the clinic's time zone.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    type = models.CharField(max_length=20, choices=VisitType.choices, default=VisitType.MONTHLY)
    status = models.CharField(max_length=15, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=100, blank=True)

    # Clinical findings: prescribers and clinical staff only (permission record_visit_findings).
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(300)],
    )
    side_effects = ArrayField(models.CharField(max_length=30, choices=SideEffect.choices), default=list, blank=True)
    side_effect_notes = models.TextField(blank=True)
    phq2_score = models.PositiveSmallIntegerField(
        "PHQ-2 score", null=True, blank=True, validators=[MaxValueValidator(PHQ2_MAX)]
    )
    phq9_score = models.PositiveSmallIntegerField(
        "PHQ-9 score", null=True, blank=True, validators=[MaxValueValidator(PHQ9_MAX)]
    )

    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        permissions = [("record_visit_findings", "Can record weight, side effects and PHQ scores at a visit")]
        indexes = [
            models.Index(fields=["clinician", "starts_at"], name="visit_clinician_start"),
            models.Index(fields=["course", "-starts_at"], name="visit_course_start"),
            models.Index(fields=["patient", "-starts_at"], name="visit_patient_start"),
            # The reminder sweep: scheduled visits of the next days.
            models.Index(fields=["starts_at"], condition=Q(status="scheduled"), name="visit_scheduled_start"),
        ]
        constraints = [
            ExclusionConstraint(
                name="visit_clinician_not_double_booked",
                expressions=[
                    (F("clinician"), RangeOperators.EQUAL),
                    (
                        TsTzRange(F("starts_at"), VisitEnd(F("starts_at"), F("duration_minutes"))),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=BOOKED_STATUSES),
                violation_error_message="The clinician is already booked at that time.",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=240), name="visit_duration_plausible"
            ),
            models.CheckConstraint(
                condition=Q(phq2_score__isnull=True) | Q(phq2_score__lte=PHQ2_MAX), name="visit_phq2_in_range"
            ),
            models.CheckConstraint(
                condition=Q(phq9_score__isnull=True) | Q(phq9_score__lte=PHQ9_MAX), name="visit_phq9_in_range"
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | (Q(weight_kg__gte=20) & Q(weight_kg__lte=300)),
                name="visit_weight_plausible",
            ),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.CANCELLED) | ~Q(cancel_reason=""), name="visit_cancelled_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Visit {self.pk} of patient {self.patient_id}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_live(self) -> bool:
        """Still to happen (scheduled) or happening (checked in)."""
        return self.status in (VisitStatus.SCHEDULED, VisitStatus.CHECKED_IN)

    @property
    def side_effect_labels(self) -> list[str]:
        return [SideEffect(value).label for value in self.side_effects if value in SideEffect.values]

    @property
    def badge(self) -> str:
        return {
            VisitStatus.SCHEDULED: "badge-info",
            VisitStatus.CHECKED_IN: "badge-warn",
            VisitStatus.COMPLETED: "badge-ok",
            VisitStatus.NO_SHOW: "badge-bad",
            VisitStatus.CANCELLED: "badge-neutral",
        }[self.status]
