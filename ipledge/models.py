"""iPLEDGE facts (registration, contraception, interacting medications, monthly confirmations,
prescriptions, pharmacy authorizations, the ticks of "what to enter on iPLEDGE"), the clinic's
rule settings, and the stored compliance status of each course.

Every model holding patient data carries a direct ``patient`` key (the audit page and the access
gate read it) and is tracked by pghistory. Facts are written by ``ipledge.services`` only; the
rules (``ipledge.rules``) read them through ``ipledge.facts`` as plain dataclasses.

Choice values equal the rule enums' values (``rule_facts``), so the adapter passes them through.
"""

from datetime import date

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from courses.models import Course
from patients.models import Patient

from .rule_facts import (
    MAX_DAYS_SUPPLY,
    MIN_DAYS_BETWEEN_PRETREATMENT_TESTS,
    Interaction,
    MethodKind,
    RuleSettings,
    WindowConvention,
)
from .rule_sets import RuleSet

# --- The clinic's rule settings -----------------------------------------------------------------


@pghistory.track()
class IpledgeSettings(models.Model):
    """The choices DOMAIN.md leaves open (one row, edited by Admins in the Django admin, every
    change audited). ``rules()`` turns it into the pure engine's ``RuleSettings``."""

    rems_2026_effective_on = models.DateField(
        "REMS 2026 effective date",
        default=date(2026, 8, 8),
        help_text="Checks made on or after this day follow the REMS modification approved 9 Feb 2026.",
    )
    days_between_pretreatment_tests = models.PositiveSmallIntegerField(
        "days between the two tests before treatment",
        default=30,
        validators=[MinValueValidator(MIN_DAYS_BETWEEN_PRETREATMENT_TESTS), MaxValueValidator(120)],
        help_text="The labelled minimum is 19 days; many clinics and the iPLEDGE system use 30.",
    )
    cannot_get_pregnant_window = models.CharField(
        "30-day window convention (2021 rules, cannot get pregnant)",
        max_length=20,
        choices=[
            (WindowConvention.VISIT_IS_DAY_1, "The visit is day 1 (last pickup day = visit + 29)"),
            (WindowConvention.VISIT_PLUS_30, "Last pickup day = visit + 30"),
        ],
        default=WindowConvention.VISIT_IS_DAY_1,
        help_text="iPLEDGE's exact count of the 30-day window is not confirmed; the default is the shorter one.",
    )
    rems_2021_home_tests_tolerated = models.BooleanField(
        "2021 rules: home tests tolerated during treatment", default=True
    )
    rems_2021_office_is_clia_certified = models.BooleanField(
        "2021 rules: the office holds a CLIA certificate", default=False
    )
    rems_2026_home_tests_allowed = models.BooleanField("2026 rules: home tests allowed during treatment", default=True)
    requalify_after_category_change = models.BooleanField(
        "qualify again after becoming able to get pregnant during a course", default=True
    )
    post_treatment_test_days = models.PositiveSmallIntegerField(
        "post-treatment test (days after the last dose)", default=30, validators=[MaxValueValidator(120)]
    )
    post_treatment_test_grace_days = models.PositiveSmallIntegerField(
        "post-treatment test overdue after (more days)", default=7, validators=[MaxValueValidator(60)]
    )
    visit_window_days = models.PositiveSmallIntegerField(
        "monthly visit window (days before the supply ends)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    pickup_closing_days = models.PositiveSmallIntegerField(
        "worklist: pickup windows closing within (days)", default=2, validators=[MaxValueValidator(14)]
    )

    class Meta:
        verbose_name = "iPLEDGE settings"
        verbose_name_plural = "iPLEDGE settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="ipledge_settings_single_row"),
            models.CheckConstraint(
                condition=Q(days_between_pretreatment_tests__gte=MIN_DAYS_BETWEEN_PRETREATMENT_TESTS),
                name="ipledge_settings_pretreatment_gap_minimum",
                violation_error_message="The tests before treatment must be at least 19 days apart.",
            ),
            models.CheckConstraint(condition=Q(visit_window_days__gte=1), name="ipledge_settings_visit_window"),
        ]

    def __str__(self) -> str:
        return "iPLEDGE settings"

    @classmethod
    def current(cls) -> "IpledgeSettings":
        # The data migration creates the row; get_or_create keeps a fresh test database working.
        return cls.objects.get_or_create(pk=1)[0]

    def rules(self) -> RuleSettings:
        return RuleSettings(
            rems_2026_effective_on=self.rems_2026_effective_on,
            days_between_pretreatment_tests=self.days_between_pretreatment_tests,
            cannot_get_pregnant_window=WindowConvention(self.cannot_get_pregnant_window),
            rems_2021_home_tests_tolerated=self.rems_2021_home_tests_tolerated,
            rems_2021_office_is_clia_certified=self.rems_2021_office_is_clia_certified,
            rems_2026_home_tests_allowed=self.rems_2026_home_tests_allowed,
            requalify_after_category_change=self.requalify_after_category_change,
            post_treatment_test_days=self.post_treatment_test_days,
            post_treatment_test_grace_days=self.post_treatment_test_grace_days,
            visit_window_days=self.visit_window_days,
        )


# --- Catalogs (Admins edit them) ----------------------------------------------------------------


class MethodKindChoice(models.TextChoices):
    PRIMARY = MethodKind.PRIMARY, "Primary"
    SECONDARY = MethodKind.SECONDARY, "Secondary"
    UNACCEPTABLE = MethodKind.UNACCEPTABLE, "Not acceptable for iPLEDGE"


@pghistory.track()
class ContraceptionMethod(models.Model):
    """A contraception method as iPLEDGE lists it (catalog, seeded with DOMAIN.md's lists)."""

    code = models.SlugField(max_length=40, unique=True, help_text="Stable key, compared with the iPLEDGE entries.")
    label = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=12, choices=MethodKindChoice.choices)
    is_hormonal = models.BooleanField(default=False, help_text="St John's wort can make it fail.")
    display_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True, help_text="Inactive methods are kept but no longer offered.")

    class Meta:
        ordering = ["display_order", "label"]

    def __str__(self) -> str:
        return self.label


class InteractionChoice(models.TextChoices):
    TETRACYCLINE = Interaction.TETRACYCLINE, "Tetracycline antibiotic (blocks)"
    VITAMIN_A_RETINOID = Interaction.VITAMIN_A_RETINOID, "Vitamin A or another retinoid (warns)"
    ST_JOHNS_WORT = Interaction.ST_JOHNS_WORT, "St John's wort (warns with hormonal contraception)"


@pghistory.track()
class InteractingMedication(models.Model):
    """A medication with an isotretinoin interaction (catalog; Admins add brand names)."""

    name = models.CharField(max_length=100, unique=True)
    interaction = models.CharField(max_length=20, choices=InteractionChoice.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Patient and course facts -------------------------------------------------------------------


class PatientFactMixin(models.Model):
    """A fact of a patient with who recorded it (contraception, medications: they span courses)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class CourseFactMixin(PatientFactMixin):
    """A fact of one course, with the direct patient key the audit page needs."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


@pghistory.track()
class Enrollment(CourseFactMixin):
    """The patient's iPLEDGE registration for a course. The iPLEDGE patient ID itself lives on
    the patient (``Patient.ipledge_patient_id``, unique, searchable); the enrollment service
    writes it there."""

    course = models.OneToOneField(Course, on_delete=models.PROTECT, related_name="ipledge_enrollment")
    enrolled_on = models.DateField("registered in iPLEDGE on", null=True, blank=True)
    consent_signed_on = models.DateField("Patient Information / Informed Consent signed on", null=True, blank=True)
    birth_defects_consent_signed_on = models.DateField(
        "Informed Consent About Birth Defects signed on",
        null=True,
        blank=True,
        help_text="For a patient who can get pregnant.",
    )
    counseled_on = models.DateField(
        "counseling confirmed at enrollment on",
        null=True,
        blank=True,
        help_text="What the 2026 rules ask for a patient who cannot get pregnant.",
    )
    prescriber_certified = models.BooleanField("the prescriber is registered and certified in iPLEDGE", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Enrollment of course {self.course_id}"

    @property
    def ipledge_patient_id(self) -> str:
        """The patient's iPLEDGE ID (stored on the patient; select_related("patient") to read it
        without a query)."""
        return self.patient.ipledge_patient_id


@pghistory.track()
class ContraceptionUse(PatientFactMixin):
    """A method the patient uses, from ``started_on`` through ``ended_on`` (the last day in use)."""

    method = models.ForeignKey(ContraceptionMethod, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="The last day it was in use.")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        indexes = [models.Index(fields=["patient", "started_on"], name="contraception_patient_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="contraception_use_ordered",
                violation_error_message="A method cannot end before it started.",
            )
        ]

    def __str__(self) -> str:
        return f"Contraception {self.pk} of patient {self.patient_id}"


@pghistory.track()
class AbstinenceCommitment(PatientFactMixin):
    """A documented commitment to abstinence instead of two methods."""

    committed_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="The last day of the commitment.")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["committed_on", "id"]
        indexes = [models.Index(fields=["patient", "committed_on"], name="abstinence_patient_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("committed_on")),
                name="abstinence_ordered",
                violation_error_message="A commitment cannot end before it began.",
            )
        ]

    def __str__(self) -> str:
        return f"Abstinence {self.pk} of patient {self.patient_id}"


@pghistory.track()
class ConcomitantMedication(PatientFactMixin):
    """A medication with an interaction the patient takes, from ``started_on`` through
    ``stopped_on`` (the last day taken)."""

    medication = models.ForeignKey(InteractingMedication, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True, help_text="The last day taken.")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        indexes = [models.Index(fields=["patient", "started_on"], name="medication_patient_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True) | Q(stopped_on__gte=F("started_on")),
                name="medication_ordered",
                violation_error_message="A medication cannot stop before it started.",
            )
        ]

    def __str__(self) -> str:
        return f"Medication {self.pk} of patient {self.patient_id}"


@pghistory.track()
class MonthlyConfirmation(CourseFactMixin):
    """What was done on iPLEDGE for one month: the prescriber's counseling confirmation with
    the methods the office entered, the patient's comprehension answers with the methods the
    patient confirmed (method codes in iPLEDGE order, primary first), and the office visit."""

    counseling_on = models.DateField("counseling confirmed on", null=True, blank=True)
    comprehension_on = models.DateField("comprehension questions answered on", null=True, blank=True)
    office_methods = ArrayField(models.SlugField(max_length=40), default=list, blank=True)
    patient_methods = ArrayField(models.SlugField(max_length=40), default=list, blank=True)
    visit_on = models.DateField("office visit on", null=True, blank=True)

    class Meta:
        ordering = ["-counseling_on", "-comprehension_on", "-id"]
        indexes = [models.Index(fields=["course", "counseling_on"], name="confirmation_course_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(counseling_on__isnull=False) | Q(comprehension_on__isnull=False),
                name="confirmation_has_a_date",
                violation_error_message="Give the counseling date, the comprehension date, or both.",
            ),
            models.CheckConstraint(
                condition=Q(office_methods__len=0) | Q(counseling_on__isnull=False),
                name="confirmation_office_methods_with_counseling",
                violation_error_message="The office enters the methods with the counseling confirmation.",
            ),
            models.CheckConstraint(
                condition=Q(patient_methods__len=0) | Q(comprehension_on__isnull=False),
                name="confirmation_patient_methods_with_comprehension",
                violation_error_message="The patient confirms the methods with the comprehension questions.",
            ),
        ]

    def __str__(self) -> str:
        return f"Monthly confirmation {self.pk} of course {self.course_id}"


@pghistory.track()
class Prescription(CourseFactMixin):
    """An isotretinoin prescription: at most a 30-day supply, never refills. A prescription
    written while the course was not ready to prescribe carries the prescriber's override: who
    (``prescriber``), why, and the blocking reasons that were overridden."""

    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", limit_choices_to={"role": "prescriber"}
    )
    written_on = models.DateField()
    strength_mg = models.PositiveSmallIntegerField("capsule strength (mg)", validators=[MinValueValidator(1)])
    capsules_per_day = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10)])
    quantity = models.PositiveSmallIntegerField("quantity (capsules)", validators=[MinValueValidator(1)])
    days_supply = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS_SUPPLY)], help_text="At most 30 days."
    )
    refills = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(0)], help_text="iPLEDGE allows no refills."
    )
    overridden = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    overridden_reasons = models.JSONField(
        default=list, blank=True, help_text="The blocking reasons shown when the prescriber overrode them."
    )

    class Meta:
        ordering = ["-written_on", "-id"]
        permissions = [("override_prescription", "Can record a prescription for a course that is not ready")]
        indexes = [models.Index(fields=["course", "-written_on"], name="prescription_course_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(days_supply__gte=1, days_supply__lte=MAX_DAYS_SUPPLY),
                name="prescription_days_supply_at_most_30",
                violation_error_message="A prescription covers at most a 30-day supply.",
            ),
            models.CheckConstraint(
                condition=Q(refills=0),
                name="prescription_no_refills",
                violation_error_message="iPLEDGE allows no refills.",
            ),
            models.CheckConstraint(
                condition=Q(overridden=False, override_reason="") | (Q(overridden=True) & ~Q(override_reason="")),
                name="prescription_override_has_reason",
                violation_error_message="An override needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"Prescription {self.pk} of course {self.course_id}"

    @property
    def daily_mg(self) -> int:
        return self.strength_mg * self.capsules_per_day


class AuthorizationStatus(models.TextChoices):
    AUTHORIZED = "authorized", "Authorized"
    DISPENSED = "dispensed", "Dispensed"
    REVERSED = "reversed", "Reversed"


@pghistory.track()
class Authorization(CourseFactMixin):
    """A pharmacy's Risk Management Authorization (RMA). A reversal keeps the row (status
    reversed, date and reason); the new authorization obtained in its place points back to it
    with ``replaces``."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="authorizations", null=True, blank=True
    )
    rma_number = models.CharField("RMA number", max_length=40, unique=True)
    obtained_on = models.DateField()
    do_not_dispense_after = models.DateField("do not dispense after")
    days_supply = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS_SUPPLY)]
    )
    quantity = models.PositiveSmallIntegerField("quantity (capsules)", validators=[MinValueValidator(1)])
    pharmacy = models.CharField(max_length=120)
    status = models.CharField(
        max_length=10, choices=AuthorizationStatus.choices, default=AuthorizationStatus.AUTHORIZED
    )
    dispensed_on = models.DateField(null=True, blank=True)
    reversed_on = models.DateField(null=True, blank=True)
    reversal_reason = models.CharField(max_length=300, blank=True)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, related_name="replaced_by", null=True, blank=True)

    class Meta:
        ordering = ["-obtained_on", "-id"]
        indexes = [models.Index(fields=["course", "-obtained_on"], name="authorization_course_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(do_not_dispense_after__gte=F("obtained_on")),
                name="authorization_window_ordered",
                violation_error_message="The do-not-dispense-after date is before the authorization.",
            ),
            models.CheckConstraint(
                condition=Q(days_supply__gte=1, days_supply__lte=MAX_DAYS_SUPPLY),
                name="authorization_days_supply_at_most_30",
            ),
            models.CheckConstraint(condition=~Q(pharmacy=""), name="authorization_has_pharmacy"),
            models.CheckConstraint(
                condition=Q(status=AuthorizationStatus.AUTHORIZED, dispensed_on__isnull=True, reversed_on__isnull=True)
                | Q(status=AuthorizationStatus.DISPENSED, dispensed_on__isnull=False, reversed_on__isnull=True)
                | (Q(status=AuthorizationStatus.REVERSED, reversed_on__isnull=False) & ~Q(reversal_reason="")),
                name="authorization_status_dates",
                violation_error_message="The status does not match the dispensing and reversal dates.",
            ),
            models.CheckConstraint(
                condition=Q(dispensed_on__isnull=True) | Q(dispensed_on__gte=F("obtained_on")),
                name="authorization_dispensed_after_obtained",
            ),
            models.CheckConstraint(
                condition=Q(reversed_on__isnull=True) | Q(reversed_on__gte=F("obtained_on")),
                name="authorization_reversed_after_obtained",
            ),
        ]

    def __str__(self) -> str:
        return f"Authorization {self.pk} of course {self.course_id}"


@pghistory.track()
class EntryTick(CourseFactMixin):
    """One entry of "what to enter on iPLEDGE" marked as typed into the iPLEDGE website: for a
    course, the month (the first day of the prescription cycle it belongs to) and an entry code
    (e.g. ``pregnancy_test``, ``methods``, ``counseling``)."""

    cycle_start = models.DateField(help_text="The first day of the cycle (month) the entry belongs to.")
    code = models.SlugField(max_length=40)
    entered_on = models.DateField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["cycle_start", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "cycle_start", "code"],
                name="entry_tick_once_per_cycle",
                violation_error_message="This entry is already marked as entered.",
            )
        ]

    def __str__(self) -> str:
        return f"Entry {self.code} of course {self.course_id}"


# --- Stored status (derived; recomputed, not audited) -------------------------------------------


class StatusState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ACTION_NEEDED = "action_needed", "Action needed"
    READY = "ready", "Ready to prescribe"
    BLOCKED = "blocked", "Blocked"
    COMPLETED = "completed", "Completed"


class CourseStatus(models.Model):
    """The compliance status of one course, computed by ``ipledge.status`` from the checklist.

    Derived data (recomputed after every change of the course's facts and by the hourly sweep),
    hence not audited: its inputs are. The worklist reads only these rows."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, primary_key=True, related_name="ipledge_status")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    prescriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=15, choices=StatusState.choices)
    rule_set = models.CharField(max_length=10)
    blocking_reasons = models.JSONField(default=list)
    next_due_on = models.DateField(null=True, blank=True)
    prescribe_by = models.DateField(
        null=True, blank=True, help_text="The last day of the open prescription window (pickup)."
    )
    labs_awaiting_review = models.PositiveSmallIntegerField(default=0)
    mg_per_kg = models.DecimalField("cumulative mg/kg", max_digits=6, decimal_places=1, null=True, blank=True)
    projected_end = models.DateField(null=True, blank=True)
    checklist = models.JSONField(default=list, help_text="The checklist's items when computed.")
    # When the next visit should fall (``monthly_rules.next_visit_window``), read by the front
    # desk's "due for a visit" list through ``ipledge.visit_windows``.
    visit_from = models.DateField(null=True, blank=True)
    visit_until = models.DateField(null=True, blank=True)
    # The course's prescriptions written despite blocking items (newest first: date, prescriber,
    # reason), so the patient chart shows them without a query of its own.
    overrides = models.JSONField(default=list, blank=True)
    computed_for = models.DateField(help_text="The day the checklist was computed for.")
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "course statuses"
        indexes = [
            models.Index(fields=["state", "next_due_on"], name="status_state_due"),
            models.Index(fields=["prescriber", "state", "next_due_on"], name="status_prescriber_state_due"),
            models.Index(fields=["next_due_on"], name="status_due"),
            models.Index(fields=["prescribe_by"], name="status_prescribe_by"),
        ]

    def __str__(self) -> str:
        return f"Status of course {self.course_id}"

    @property
    def rule_set_label(self) -> str:
        return RuleSet(self.rule_set).label if self.rule_set in RuleSet.__members__.values() else self.rule_set
