"""Lab results with the performing lab's own reference range, the clinic's analyte catalog and
action thresholds, the monitoring plan, and pregnancy tests with home-test verification."""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from patients.models import Patient
from patients.validators import validate_not_future

from . import monitoring, ranges
from .pregnancy import PregnancyTestFact, Purpose, Result, Setting, TestType, why_not_counted
from .storage import private_storage
from .validators import evidence_upload_to, validate_evidence_photo


class Unit(models.TextChoices):
    MG_DL = ranges.MG_DL, "mg/dL"
    MMOL_L = ranges.MMOL_L, "mmol/L"
    U_L = ranges.U_L, "U/L"


class AnalyteGroup(models.TextChoices):
    LIPID = "lipid", "Lipid panel"
    LIVER = "liver", "Liver tests"
    OTHER = "other", "Other"


@pghistory.track()
class Analyte(models.Model):
    """A test the clinic records (catalog edited by Admins in the Django admin)."""

    code = models.SlugField(max_length=20, unique=True, help_text="Short stable key, e.g. tg, alt.")
    name = models.CharField(max_length=80, unique=True)
    group = models.CharField(max_length=10, choices=AnalyteGroup.choices, default=AnalyteGroup.OTHER)
    canonical_unit = models.CharField(
        max_length=10, choices=Unit.choices, help_text="Unit used for thresholds and trend charts."
    )
    mmol_factor = models.DecimalField(
        "mg/dL per mmol/L",
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text="Set for lipids entered in either unit (triglycerides 88.57, cholesterol 38.67).",
    )
    plausible_max = models.DecimalField(
        "highest possible value",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="In the canonical unit; anything above is refused as a typing or unit error.",
    )
    required_for_monitoring = models.BooleanField(
        default=False, help_text="Part of the baseline and peak-dose tests of the monitoring plan."
    )
    display_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True, help_text="Inactive analytes are kept but no longer offered.")

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mmol_factor__isnull=True) | Q(canonical_unit=ranges.MG_DL),
                name="analyte_mmol_factor_only_for_mg_dl",
                violation_error_message="Only an analyte measured in mg/dL can also be entered in mmol/L.",
            ),
            models.CheckConstraint(condition=Q(plausible_max__gt=0), name="analyte_plausible_max_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rule(self) -> ranges.AnalyteRule:
        return ranges.AnalyteRule(
            code=self.code,
            name=self.name,
            canonical_unit=self.canonical_unit,
            mmol_factor=self.mmol_factor,
            plausible_max=self.plausible_max,
        )


class ThresholdBasis(models.TextChoices):
    ABSOLUTE = ranges.Basis.ABSOLUTE, "Value in the canonical unit"
    ULN_MULTIPLE = ranges.Basis.ULN_MULTIPLE, "Multiple of the lab's upper limit of normal"


class Comparison(models.TextChoices):
    GTE = ranges.Comparison.GTE, "at or above (≥)"
    GT = ranges.Comparison.GT, "above (>)"


class Severity(models.TextChoices):
    WARN = ranges.Severity.WARN, "Warning"
    HOLD = ranges.Severity.HOLD, "Hold treatment"


@pghistory.track()
class ActionThreshold(models.Model):
    """A clinic alert: a value at which the prescriber should act (alert, not a hard stop)."""

    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="thresholds")
    basis = models.CharField(max_length=15, choices=ThresholdBasis.choices, default=ThresholdBasis.ABSOLUTE)
    comparison = models.CharField(max_length=3, choices=Comparison.choices, default=Comparison.GTE)
    limit = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    action = models.CharField(max_length=80, help_text="What to do, e.g. “Reduce dose and recheck”.")
    severity = models.CharField(max_length=5, choices=Severity.choices, default=Severity.WARN)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["analyte__display_order", "limit"]
        constraints = [
            models.CheckConstraint(condition=Q(limit__gt=0), name="threshold_limit_positive"),
            models.CheckConstraint(condition=~Q(action=""), name="threshold_has_action"),
        ]

    def __str__(self) -> str:
        return f"{self.analyte_id}: {self.as_rule(self.analyte.code).description} {self.action}"

    def as_rule(self, analyte_code: str) -> ranges.Threshold:
        return ranges.Threshold(
            analyte=analyte_code,
            basis=ranges.Basis(self.basis),
            comparison=ranges.Comparison(self.comparison),
            limit=self.limit,
            action=self.action,
            severity=ranges.Severity(self.severity),
        )


@pghistory.track()
class LabSettings(models.Model):
    """The clinic's monitoring plan and home-test policy: one row, edited in the Django admin."""

    baseline_days = models.PositiveSmallIntegerField(
        "baseline window (days before start)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Baseline liver and lipid tests count when drawn this many days before the start, or later.",
    )
    peak_day = models.PositiveSmallIntegerField(
        "peak-dose repeat (day of course)",
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="Around month 2; later when the peak dose starts later.",
    )
    window_days = models.PositiveSmallIntegerField(
        "repeat window (± days)", default=14, validators=[MinValueValidator(0), MaxValueValidator(60)]
    )
    repeat_every_days = models.PositiveSmallIntegerField(
        "further repeats every (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="Empty: no routine repeats after the peak-dose tests (AAD 2024). E.g. 30 for monthly.",
    )
    recheck_days = models.PositiveSmallIntegerField(
        "recheck after an abnormal result (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    home_test_second_person = models.BooleanField(
        "home-test verification needs a second person",
        default=True,
        help_text="The staff member who verifies a home pregnancy test must not be the one who recorded it.",
    )

    class Meta:
        verbose_name = "lab settings"
        verbose_name_plural = "lab settings"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="lab_settings_single_row")]

    def __str__(self) -> str:
        return "Lab settings"

    @classmethod
    def load(cls) -> "LabSettings":
        # The data migration creates the row; get_or_create keeps a fresh test database working.
        return cls.objects.get_or_create(pk=1)[0]

    def plan(self, required_analytes) -> monitoring.MonitoringPlan:
        return monitoring.MonitoringPlan(
            required_analytes=frozenset(required_analytes),
            baseline_days=self.baseline_days,
            peak_day=self.peak_day,
            window_days=self.window_days,
            recheck_days=self.recheck_days,
            repeat_every_days=self.repeat_every_days,
        )


@pghistory.track()
class LabSpecimen(models.Model):
    """One blood draw: the results entered together in one submission share its date and lab."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="lab_specimens")
    collected_on = models.DateField("collection date", validators=[validate_not_future])
    fasting = models.BooleanField(null=True, help_text="Fasting lipids: nothing but water for 9-12 h, no alcohol 36 h.")
    performing_lab = models.CharField(max_length=120)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-collected_on", "-id"]
        indexes = [models.Index(fields=["patient", "-collected_on", "-id"], name="specimen_patient_date")]
        constraints = [models.CheckConstraint(condition=~Q(performing_lab=""), name="specimen_has_lab")]

    def __str__(self) -> str:
        return f"Specimen {self.pk} of patient {self.patient_id}"


class Flag(models.TextChoices):
    LOW = ranges.Flag.LOW, "Low"
    NORMAL = ranges.Flag.NORMAL, "Normal"
    HIGH = ranges.Flag.HIGH, "High"
    NO_RANGE = ranges.Flag.NO_RANGE, "No range"


@pghistory.track()
class LabResult(models.Model):
    """One analyte's value, in the unit entered, with the range the lab printed beside it.

    The flag and the worst threshold action are computed by ``ranges.evaluate`` when the result
    is entered and stored with it: they are what staff were shown, the review list and the
    compliance gate query them, and a threshold edited later applies to later results.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="lab_results")
    specimen = models.ForeignKey(LabSpecimen, on_delete=models.PROTECT, related_name="results")
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=10, decimal_places=3)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    reference_low = models.DecimalField("lab's low limit", max_digits=10, decimal_places=3, null=True, blank=True)
    reference_high = models.DecimalField(
        "lab's high limit (ULN)", max_digits=10, decimal_places=3, null=True, blank=True
    )
    flag = models.CharField(max_length=10, choices=Flag.choices)
    action = models.CharField(max_length=80, blank=True, help_text="The most severe threshold action reached.")
    action_severity = models.CharField(max_length=5, choices=Severity.choices, blank=True)
    abnormal = models.BooleanField(help_text="Outside the lab's range or at an action threshold.")

    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["analyte__display_order", "id"]
        permissions = [
            ("review_labresult", "Can mark lab results reviewed"),
            ("view_lab_status", "Can see which labs and tests are due (dates and statuses, no values)"),
        ]
        indexes = [
            models.Index(fields=["patient", "analyte"], name="labresult_patient_analyte"),
            models.Index(
                fields=["patient", "specimen"],
                condition=Q(abnormal=True, reviewed_at__isnull=True),
                name="labresult_open_review",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["specimen", "analyte"],
                name="labresult_one_per_analyte_and_specimen",
                violation_error_message="This specimen already has a result for this analyte.",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="labresult_value_not_negative"),
            models.CheckConstraint(
                condition=Q(reference_low__isnull=True)
                | Q(reference_high__isnull=True)
                | Q(reference_low__lte=models.F("reference_high")),
                name="labresult_range_ordered",
                violation_error_message="The low end of the lab's range is above its high end.",
            ),
            models.CheckConstraint(
                condition=Q(reference_low__isnull=False) | Q(reference_high__isnull=False),
                name="labresult_has_reference",
            ),
            models.CheckConstraint(
                condition=(Q(reviewed_at__isnull=True) & Q(reviewed_by__isnull=True) & Q(review_comment=""))
                | (Q(reviewed_at__isnull=False) & Q(reviewed_by__isnull=False)),
                name="labresult_review_complete",
            ),
            models.CheckConstraint(
                # ``abnormal`` is derived from the flag and the threshold action; never out of step.
                condition=Q(abnormal=True, flag__in=[ranges.Flag.LOW, ranges.Flag.HIGH])
                | Q(abnormal=True, action_severity__in=[ranges.Severity.WARN, ranges.Severity.HOLD])
                | (Q(abnormal=False, action_severity="") & ~Q(flag__in=[ranges.Flag.LOW, ranges.Flag.HIGH])),
                name="labresult_abnormal_derived",
            ),
            models.CheckConstraint(
                condition=Q(action="", action_severity="") | (~Q(action="") & ~Q(action_severity="")),
                name="labresult_action_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"Lab result {self.pk} of patient {self.patient_id}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def as_fact(self) -> monitoring.ResultFact:
        """Needs ``analyte`` and ``specimen`` loaded."""
        return monitoring.ResultFact(
            analyte=self.analyte.code,
            collected_on=self.specimen.collected_on,
            abnormal=self.abnormal,
            id=self.pk,
            patient_id=self.patient_id,
            specimen_id=self.specimen_id,
            flag=self.flag,
            action=self.action,
            action_severity=self.action_severity,
            reviewed=self.is_reviewed,
        )

    @property
    def canonical_value(self) -> Decimal:
        return ranges.to_canonical(self.value, self.unit, self.analyte.rule)

    @property
    def flag_text(self) -> str:
        return ranges.flag_text(ranges.Flag(self.flag), self.reference_low, self.reference_high, self.unit)

    @property
    def range_text(self) -> str:
        return ranges.range_text(self.reference_low, self.reference_high, self.unit)

    @property
    def value_text(self) -> str:
        return f"{ranges.display(self.value, 3)} {self.unit}"

    @property
    def converted_text(self) -> str:
        """The value in the canonical unit when it was entered in another one."""
        if self.unit == self.analyte.canonical_unit:
            return ""
        return f"{ranges.display(self.canonical_value)} {self.analyte.canonical_unit}"


class VerificationMethod(models.TextChoices):
    DATED_PHOTO = "dated_photo", "Dated photo of the test reviewed"
    VIDEO = "video", "Observed by video"
    OTHER = "other", "Other (describe)"


CLIA_NUMBER = RegexValidator(
    r"^\d{2}D\d{7}$", "A CLIA number has 10 characters: two digits, the letter D, seven digits (e.g. 05D1234567)."
)


@pghistory.track()
class PregnancyTest(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="pregnancy_tests")
    collected_on = models.DateField("specimen collection date", validators=[validate_not_future])
    test_type = models.CharField(
        "type", max_length=5, choices=[(TestType.URINE, "Urine"), (TestType.SERUM, "Serum (blood)")]
    )
    setting = models.CharField(
        max_length=8,
        choices=[
            (Setting.OFFICE, "Office or clinic"),
            (Setting.CLIA_LAB, "CLIA-certified lab"),
            (Setting.HOME, "Home"),
        ],
    )
    lab_name = models.CharField(max_length=120, blank=True)
    clia_number = models.CharField("CLIA number", max_length=10, blank=True, validators=[CLIA_NUMBER])
    result = models.CharField(
        max_length=8,
        choices=[(Result.NEGATIVE, "Negative"), (Result.POSITIVE, "Positive"), (Result.INVALID, "Invalid")],
    )
    sensitivity_miu_ml = models.PositiveSmallIntegerField(
        "sensitivity (mIU/mL)",
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="From the lab report or the test's package; 25 mIU/mL or lower counts for iPLEDGE.",
    )
    purpose = models.CharField(
        max_length=14,
        choices=[
            (Purpose.SCREENING, "Screening (test 1)"),
            (Purpose.CONFIRMATION, "Confirmation (test 2)"),
            (Purpose.MONTHLY, "Monthly"),
            (Purpose.POST_TREATMENT, "After the last dose"),
            (Purpose.OTHER, "Other"),
        ],
    )
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_method = models.CharField(max_length=12, choices=VerificationMethod.choices, blank=True)
    verification_note = models.TextField(blank=True)
    photo = models.FileField(
        "photo evidence",
        storage=private_storage,
        upload_to=evidence_upload_to,
        blank=True,
        max_length=200,
        validators=[validate_evidence_photo],
    )

    class Meta:
        ordering = ["-collected_on", "-id"]
        permissions = [
            ("verify_pregnancytest", "Can verify a home pregnancy test"),
            ("view_pregnancytest_evidence", "Can view photo evidence of pregnancy tests"),
        ]
        indexes = [
            models.Index(fields=["patient", "-collected_on", "-id"], name="pregtest_patient_date"),
            models.Index(fields=["patient", "collected_on"], condition=Q(result="positive"), name="pregtest_positive"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(setting=Setting.CLIA_LAB) | ~Q(clia_number=""),
                name="pregtest_clia_lab_has_number",
                violation_error_message="A test done in a CLIA-certified lab needs the lab's CLIA number.",
            ),
            models.CheckConstraint(
                condition=~Q(setting=Setting.HOME) | Q(test_type=TestType.URINE), name="pregtest_home_is_urine"
            ),
            models.CheckConstraint(
                condition=Q(sensitivity_miu_ml__gte=1, sensitivity_miu_ml__lte=1000), name="pregtest_sensitivity_range"
            ),
            models.CheckConstraint(
                condition=(
                    Q(verified_at__isnull=True, verified_by__isnull=True, verification_method="", verification_note="")
                )
                | (
                    Q(setting=Setting.HOME, verified_at__isnull=False, verified_by__isnull=False)
                    & ~Q(verification_method="")
                ),
                name="pregtest_verification_complete",
            ),
            models.CheckConstraint(
                condition=~Q(verification_method=VerificationMethod.OTHER) | ~Q(verification_note=""),
                name="pregtest_other_method_described",
            ),
        ]

    def __str__(self) -> str:
        return f"Pregnancy test {self.pk} of patient {self.patient_id}"

    def clean(self):
        errors = {}
        if self.setting == Setting.CLIA_LAB and not self.clia_number:
            errors["clia_number"] = "A test done in a CLIA-certified lab needs the lab's CLIA number."
        if self.setting == Setting.CLIA_LAB and not self.lab_name.strip():
            errors["lab_name"] = "Give the name of the lab that did the test."
        if self.setting == Setting.HOME and self.test_type == TestType.SERUM:
            errors["test_type"] = "A serum test is drawn in an office or a lab, not at home."
        if errors:
            raise ValidationError(errors)

    @property
    def verified(self) -> bool:
        return self.setting != Setting.HOME or self.verified_at is not None

    @cached_property
    def fact(self) -> PregnancyTestFact:
        return self.as_fact()

    @property
    def why_not_counted(self) -> str | None:
        return why_not_counted(self.fact)

    def as_fact(self) -> PregnancyTestFact:
        return PregnancyTestFact(
            id=self.pk,
            patient_id=self.patient_id,
            collected_on=self.collected_on,
            test_type=TestType(self.test_type),
            setting=Setting(self.setting),
            result=Result(self.result),
            sensitivity_miu_ml=self.sensitivity_miu_ml,
            purpose=Purpose(self.purpose),
            verified=self.verified,
            clia_number=self.clia_number,
            verified_at=self.verified_at,
        )
