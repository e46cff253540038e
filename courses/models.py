"""Treatment courses, their dose periods, missed days and holds, and the clinic's dosing settings.

Prescribed doses are the dose periods; what was taken is the periods less missed days and holds
(``dosing.py`` does the arithmetic). Dispensed amounts belong to pharmacy authorizations in
``ipledge`` and are never mixed in here.
"""

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q

from patients.models import Patient

from .dosing import WeightMethod


class Formulation(models.TextChoices):
    CONVENTIONAL = "conventional", "Conventional (generic)"
    ABSORICA = "absorica", "Absorica"
    ABSORICA_LD = "absorica_ld", "Absorica LD"


class Indication(models.TextChoices):
    SEVERE_NODULAR = "severe_nodular", "Severe nodular / cystic acne"
    RESISTANT = "resistant", "Moderate acne resistant to other treatment"
    SCARRING = "scarring", "Acne with scarring"
    DISTRESS = "distress", "Acne causing psychological distress"
    OTHER = "other", "Other"


class CourseState(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    DISCONTINUED = "discontinued", "Discontinued"


OPEN_STATES = (CourseState.PLANNED, CourseState.ACTIVE, CourseState.PAUSED)
ENDED_STATES = (CourseState.COMPLETED, CourseState.DISCONTINUED)


class EndReason(models.TextChoices):
    TARGET_REACHED = "target_reached", "Target cumulative dose reached"
    CLEAR = "clear", "Acne cleared before the target"
    SIDE_EFFECTS = "side_effects", "Side effects"
    LAB_ABNORMALITY = "lab_abnormality", "Abnormal labs"
    PREGNANCY = "pregnancy", "Pregnancy"
    PATIENT_CHOICE = "patient_choice", "Patient choice"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", "Lost to follow-up"
    OTHER = "other", "Other"


# Which reasons end a course as completed, and which as discontinued.
COMPLETION_REASONS = (EndReason.TARGET_REACHED, EndReason.CLEAR, EndReason.OTHER)
DISCONTINUATION_REASONS = (
    EndReason.SIDE_EFFECTS,
    EndReason.LAB_ABNORMALITY,
    EndReason.PREGNANCY,
    EndReason.PATIENT_CHOICE,
    EndReason.LOST_TO_FOLLOW_UP,
    EndReason.OTHER,
)


class DateRange(Func):
    """daterange(start, end, '[]'): both ends included; a NULL end is unbounded (open)."""

    function = "DATERANGE"
    output_field = DateRangeField()


def _both_ends_included(start: str, end: str) -> DateRange:
    return DateRange(start, end, RangeBoundary(inclusive_lower=True, inclusive_upper=True))


@pghistory.track()
class DosingSettings(models.Model):
    """The clinic's dosing policy: one row, edited by Admins in the Django admin, seeded with the
    defaults of DOMAIN.md by a data migration. Every change is audited with its before/after."""

    weight_method = models.CharField(
        "weight shown for mg/kg",
        max_length=10,
        choices=[
            (WeightMethod.BASELINE, "Total mg / baseline weight"),
            (WeightMethod.BY_PERIOD, "Sum over periods of mg / weight in force then"),
        ],
        default=WeightMethod.BASELINE,
        help_text="No guideline says which weight to divide by; both are shown when they differ.",
    )
    method_difference_percent = models.DecimalField(
        max_digits=4, decimal_places=1, default=2, help_text="Show both methods when they differ by more than this."
    )
    usual_low_mg_per_kg_day = models.DecimalField(max_digits=4, decimal_places=2, default="0.25")
    usual_high_mg_per_kg_day = models.DecimalField(max_digits=4, decimal_places=2, default="1.00")
    max_mg_per_kg_day = models.DecimalField(
        max_digits=4, decimal_places=2, default="2.00", help_text="Doses above this are refused."
    )
    default_target_low = models.DecimalField(max_digits=5, decimal_places=1, default=120)
    default_target_high = models.DecimalField(max_digits=5, decimal_places=1, default=150)
    min_days_between_courses = models.PositiveSmallIntegerField(
        default=56, help_text="A new course sooner than this after the last one needs a prescriber's override."
    )
    conventional_strengths = ArrayField(models.PositiveSmallIntegerField(), default=list)
    absorica_strengths = ArrayField(models.PositiveSmallIntegerField(), default=list)
    absorica_ld_strengths = ArrayField(models.PositiveSmallIntegerField(), default=list)

    class Meta:
        verbose_name = "dosing settings"
        verbose_name_plural = "dosing settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="dosing_settings_single_row"),
            models.CheckConstraint(
                condition=Q(conventional_strengths__len__gt=0)
                & Q(absorica_strengths__len__gt=0)
                & Q(absorica_ld_strengths__len__gt=0),
                name="dosing_settings_strengths_listed",
                violation_error_message="Every formulation needs at least one capsule strength.",
            ),
            models.CheckConstraint(
                condition=Q(usual_low_mg_per_kg_day__gt=0)
                & Q(usual_high_mg_per_kg_day__gte=F("usual_low_mg_per_kg_day"))
                & Q(max_mg_per_kg_day__gte=F("usual_high_mg_per_kg_day")),
                name="dosing_settings_daily_bands_ordered",
                violation_error_message="Need 0 < usual low <= usual high <= maximum (mg/kg/day).",
            ),
            models.CheckConstraint(
                condition=Q(default_target_low__gt=0) & Q(default_target_high__gte=F("default_target_low")),
                name="dosing_settings_target_ordered",
                violation_error_message="The default target's low end must be positive and not above its high end.",
            ),
        ]

    def __str__(self) -> str:
        return "Dosing settings"

    @classmethod
    def current(cls) -> "DosingSettings":
        # The data migration creates the row; get_or_create covers a database emptied by tests.
        row, created = cls.objects.get_or_create(pk=1, defaults=DEFAULT_STRENGTHS)
        if created:
            # A new instance keeps its Python defaults (some are strings); read back the
            # database's Decimals so callers compute with the same types either way.
            row.refresh_from_db()
        return row

    def strengths(self, formulation: str) -> list[int]:
        return sorted(getattr(self, f"{formulation}_strengths"))


# Capsule strengths (mg) from the product labels (DOMAIN.md section 3).
DEFAULT_STRENGTHS = {
    "conventional_strengths": [10, 20, 25, 30, 35, 40],
    "absorica_strengths": [10, 20, 25, 30, 35, 40],
    "absorica_ld_strengths": [8, 16, 20, 24, 28, 32],
}


@pghistory.track()
class Course(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", limit_choices_to={"role": "prescriber"}
    )
    indication = models.CharField(max_length=20, choices=Indication.choices)
    indication_other = models.CharField("other indication", max_length=200, blank=True)
    formulation = models.CharField(
        max_length=15,
        choices=Formulation.choices,
        help_text="The formulation the course starts with; each dose period records its own.",
    )
    target_low_mg_per_kg = models.DecimalField("target from (mg/kg)", max_digits=5, decimal_places=1, default=120)
    target_high_mg_per_kg = models.DecimalField("target to (mg/kg)", max_digits=5, decimal_places=1, default=150)
    planned_start = models.DateField()
    start_date = models.DateField("first dose", null=True, blank=True)
    end_date = models.DateField(
        "last dose", null=True, blank=True, help_text="For a plan called off before the first dose: the day it was."
    )
    state = models.CharField(max_length=15, choices=CourseState.choices, default=CourseState.PLANNED)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_reason_text = models.TextField(blank=True)
    # Starting sooner than the clinic's minimum gap after the previous course needs a
    # prescriber's explicit override; who and why are kept on the course (and in its history).
    gap_override_reason = models.TextField(blank=True)
    gap_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    gap_override_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: forms carry the version they were read at (see services).
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["planned_start", "id"]
        indexes = [models.Index(fields=["patient", "planned_start"], name="course_patient_start")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(state__in=OPEN_STATES),
                name="course_one_open_per_patient",
                violation_error_message="This patient already has an open course (planned, active or paused).",
            ),
            models.CheckConstraint(
                condition=Q(target_low_mg_per_kg__gt=0) & Q(target_high_mg_per_kg__gte=F("target_low_mg_per_kg")),
                name="course_target_band_ordered",
                violation_error_message="The target's low end must be positive and not above its high end.",
            ),
            models.CheckConstraint(
                condition=~Q(indication=Indication.OTHER) | ~Q(indication_other=""),
                name="course_other_indication_described",
            ),
            models.CheckConstraint(
                # A planned course may be called off before its first dose.
                condition=Q(state__in=[CourseState.PLANNED, CourseState.DISCONTINUED]) | Q(start_date__isnull=False),
                name="course_started_has_start_date",
            ),
            models.CheckConstraint(
                condition=(Q(state__in=ENDED_STATES) & Q(end_date__isnull=False) & ~Q(end_reason=""))
                | (Q(state__in=OPEN_STATES) & Q(end_date__isnull=True) & Q(end_reason="")),
                name="course_ended_has_end_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="course_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(gap_override_by__isnull=True, gap_override_reason="")
                | (Q(gap_override_by__isnull=False) & ~Q(gap_override_reason="")),
                name="course_gap_override_has_reason_and_author",
            ),
        ]

    def __str__(self) -> str:
        return f"Course {self.pk} of patient {self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def first_day(self):
        """The first dose day: actual once started, planned before."""
        return self.start_date or self.planned_start

    @property
    def indication_label(self) -> str:
        return self.indication_other if self.indication == Indication.OTHER else self.get_indication_display()


class CourseFactMixin(models.Model):
    """A row that belongs to a course, with the direct patient key the audit page needs."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


@pghistory.track()
class DosePeriod(CourseFactMixin):
    """What was prescribed from ``start`` through ``end`` (open while current)."""

    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    formulation = models.CharField(max_length=15, choices=Formulation.choices)
    # The regimen's cycle of days, each a list of [strength_mg, count]; see regimens.py.
    regimen = models.JSONField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["course", "start"], name="doseperiod_course_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="doseperiod_ordered"),
            models.CheckConstraint(
                condition=Q(regimen__0__isnull=False), name="doseperiod_regimen_has_a_day"
            ),  # a JSON array with at least one element
            ExclusionConstraint(
                name="doseperiod_no_overlap",
                expressions=[(F("course"), RangeOperators.EQUAL), (_both_ends_included("start", "end"), "&&")],
                violation_error_message="Dose periods of a course cannot overlap.",
            ),
        ]

    def __str__(self) -> str:
        return f"Dose period {self.pk} of course {self.course_id}"


@pghistory.track()
class MissedDose(CourseFactMixin):
    """A single day the patient did not take the prescribed dose."""

    day = models.DateField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "day"],
                name="misseddose_once_per_day",
                violation_error_message="This missed day is already recorded.",
            )
        ]

    def __str__(self) -> str:
        return f"Missed dose {self.pk} of course {self.course_id}"


@pghistory.track()
class DoseHold(CourseFactMixin):
    """Dosing interrupted by the prescriber (e.g. high triglycerides). An open hold (no end) is
    a paused course; resuming closes it."""

    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="dosehold_ordered"),
            models.CheckConstraint(condition=~Q(reason=""), name="dosehold_has_reason"),
            ExclusionConstraint(
                name="dosehold_no_overlap",
                expressions=[(F("course"), RangeOperators.EQUAL), (_both_ends_included("start", "end"), "&&")],
                violation_error_message="Holds of a course cannot overlap.",
            ),
        ]

    def __str__(self) -> str:
        return f"Hold {self.pk} of course {self.course_id}"


# Visits live in their own subpackage (courses/visits/) and belong to this app.
from .visits.models import Visit  # noqa: E402, F401
