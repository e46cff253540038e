"""What the iPLEDGE rules read: the facts of one course, and the clinic's rule settings.

Plain frozen dataclasses (stdlib only, no Django) so that ``ipledge.rules`` stays a pure
function of facts and a date. The ORM adapter fills them in bulk: every field is a date, a
number, a string, a bool or an enum whose values equal the model choices, and every
collection is a tuple in any order (the rules sort what they need).

Dates follow one convention: a record counts from its first date, inclusive, and an end date
is the last day something was true (``ended_on`` of a method = the last day it was in use).
Nothing dated after the day of a check is used by that check: the same facts give the true
past checklist of any earlier day, which is how month history is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

MAX_DAYS_SUPPLY = 30
MIN_DAYS_BETWEEN_PRETREATMENT_TESTS = 19  # the labelled minimum; clinics and iPLEDGE often use 30


class RiskCategory(StrEnum):
    """iPLEDGE risk categories since 13 Dec 2021 (values equal ``patients.models.RiskCategory``)."""

    CAN_GET_PREGNANT = "can_get_pregnant"
    CANNOT_GET_PREGNANT = "cannot_get_pregnant"


class TestResult(StrEnum):
    __test__ = False  # a domain enum, not a pytest class

    NEGATIVE = "negative"
    POSITIVE = "positive"
    PENDING = "pending"


class TestSetting(StrEnum):
    """Where a pregnancy test was done. ``office`` and ``clia_lab`` are medical settings."""

    __test__ = False

    OFFICE = "office"
    CLIA_LAB = "clia_lab"
    HOME = "home"


class TestPurpose(StrEnum):
    """Why the clinic ordered a test. Shown on the calendar only: the rules classify tests by
    date, setting and result, as iPLEDGE does (it receives a date and a result, not a purpose)."""

    __test__ = False

    SCREENING = "screening"
    CONFIRMATION = "confirmation"
    MONTHLY = "monthly"
    POST_TREATMENT = "post_treatment"
    OTHER = "other"


class MethodKind(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    UNACCEPTABLE = "unacceptable"  # e.g. the progestin-only "mini-pill"


class Interaction(StrEnum):
    TETRACYCLINE = "tetracycline"  # doxycycline, minocycline, tetracycline, sarecycline: block
    VITAMIN_A_RETINOID = "vitamin_a_retinoid"  # vitamin A supplements, other retinoids: warn
    ST_JOHNS_WORT = "st_johns_wort"  # with hormonal contraception: warn


class WindowConvention(StrEnum):
    """How the 2021 30-day pickup window of a patient who cannot get pregnant is counted.

    iPLEDGE says "within 30 days of the office visit" without saying which day is day 1.
    """

    VISIT_IS_DAY_1 = "visit_is_day_1"  # last pickup day = visit + 29 (like the 7-day window)
    VISIT_PLUS_30 = "visit_plus_30"  # last pickup day = visit + 30


@dataclass(frozen=True, slots=True)
class RiskAssignment:
    """One dated assignment of the risk category (the patient's full history, any order;
    two on the same day: the later one in the tuple wins)."""

    category: RiskCategory
    effective_on: date


@dataclass(frozen=True, slots=True)
class Enrollment:
    """The patient's iPLEDGE registration for this course."""

    enrolled_on: date | None = None
    patient_id_recorded: bool = False
    consent_signed_on: date | None = None  # Patient Information / Informed Consent (every patient)
    birth_defects_consent_signed_on: date | None = None  # the extra form for can-get-pregnant
    # Counseling confirmed at enrollment: all the 2026 rules ask for a patient who cannot get pregnant.
    counseled_on: date | None = None
    prescriber_certified: bool = False


@dataclass(frozen=True, slots=True)
class CourseDates:
    planned_start_on: date | None = None
    first_dose_on: date | None = None
    last_dose_on: date | None = None  # set when treatment has ended (the actual last dose)
    projected_last_dose_on: date | None = None  # from the dose engine; the calendar only


@dataclass(frozen=True, slots=True)
class PregnancyTest:
    collected_on: date
    result: TestResult
    setting: TestSetting
    # Computed by the labs app: the test detects hCG at 25 mIU/mL or lower (labs/pregnancy.py)
    # and, for a home test, the clinic verified it (e.g. a dated photo reviewed by staff). A
    # positive result blocks regardless.
    counts_as_valid: bool = True
    purpose: TestPurpose = TestPurpose.OTHER
    resulted_on: date | None = None  # when the result was known; None = the collection day
    test_id: int | None = None

    @property
    def known_on(self) -> date:
        return max(self.collected_on, self.resulted_on or self.collected_on)


@dataclass(frozen=True, slots=True)
class ContraceptionMethod:
    method: str  # catalog code, e.g. "iud_copper"; what iPLEDGE entries are compared on
    label: str  # shown to staff, e.g. "Copper IUD"
    kind: MethodKind
    is_hormonal: bool
    started_on: date
    ended_on: date | None = None  # last day in use


ABSTINENCE = "abstinence"  # the method code an abstinence commitment is entered as in iPLEDGE


@dataclass(frozen=True, slots=True)
class AbstinenceCommitment:
    committed_on: date
    ended_on: date | None = None


@dataclass(frozen=True, slots=True)
class ConcomitantMedication:
    """A medication with an isotretinoin interaction (others need not be passed)."""

    name: str
    interaction: Interaction
    started_on: date
    stopped_on: date | None = None  # last day taken


@dataclass(frozen=True, slots=True)
class MonthlyConfirmation:
    """What was done on iPLEDGE for one month. The office's methods count from
    ``counseling_on`` (they are entered with the counseling confirmation), the patient's from
    ``comprehension_on`` (confirmed with the comprehension questions). Counseling and
    comprehension may also come as separate records."""

    counseling_on: date | None = None
    comprehension_on: date | None = None
    office_methods: tuple[str, ...] = ()  # method codes in iPLEDGE order (primary first)
    patient_methods: tuple[str, ...] = ()
    # The office visit that starts the 2021 30-day window of a cannot-get-pregnant patient;
    # None: the counseling confirmation date is used.
    visit_on: date | None = None


@dataclass(frozen=True, slots=True)
class Prescription:
    written_on: date
    days_supply: int
    refills: int = 0
    prescription_id: int | None = None


@dataclass(frozen=True, slots=True)
class Authorization:
    """A pharmacy's Risk Management Authorization. Its status on a day follows from the dates:
    reversed once ``reversed_on`` has passed, else dispensed once ``dispensed_on`` has."""

    rma: str
    obtained_on: date
    do_not_dispense_after: date
    days_supply: int
    dispensed_on: date | None = None
    reversed_on: date | None = None
    reversal_reason: str = ""
    replaces_rma: str | None = None  # the reversed authorization this one was obtained in place of


@dataclass(frozen=True, slots=True)
class LabResultReview:
    """A lab result that needs a prescriber's review before the next prescription. Pass the
    ones not reviewed yet (and, for past checks, those reviewed after that day)."""

    resulted_on: date
    reviewed_on: date | None = None
    abnormal: bool = False
    name: str = ""


@dataclass(frozen=True, slots=True)
class LabDue:
    """A monitoring lab the clinic's schedule asks for (computed by the labs app)."""

    name: str
    due_on: date
    done_on: date | None = None
    blocks_prescribing: bool = False  # e.g. baseline ALT and triglycerides before the first prescription


@dataclass(frozen=True, slots=True)
class CourseFacts:
    course: CourseDates = field(default_factory=CourseDates)
    risk_categories: tuple[RiskAssignment, ...] = ()
    enrollment: Enrollment = field(default_factory=Enrollment)
    pregnancy_tests: tuple[PregnancyTest, ...] = ()
    contraception: tuple[ContraceptionMethod, ...] = ()
    abstinence: tuple[AbstinenceCommitment, ...] = ()
    medications: tuple[ConcomitantMedication, ...] = ()
    confirmations: tuple[MonthlyConfirmation, ...] = ()
    prescriptions: tuple[Prescription, ...] = ()
    authorizations: tuple[Authorization, ...] = ()
    lab_reviews: tuple[LabResultReview, ...] = ()
    labs_due: tuple[LabDue, ...] = ()
    course_id: int | None = None


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """The choices DOMAIN.md leaves open, editable by the clinic (an admin model fills this)."""

    # The REMS modification approved 9 Feb 2026 applies to checks made on or after this day.
    rems_2026_effective_on: date = date(2026, 8, 8)
    # Minimum days from the screening test to the confirmation test (19 is the labelled minimum).
    days_between_pretreatment_tests: int = 30
    # Day 1 = visit day (last day = visit + 29) by default: the same count as the 7-day window,
    # and the shorter reading, so Isotrack never promises a day that iPLEDGE might refuse.
    cannot_get_pregnant_window: WindowConvention = WindowConvention.VISIT_IS_DAY_1
    # 2021 rules: home tests during treatment under the FDA's enforcement discretion (since 2020).
    rems_2021_home_tests_tolerated: bool = True
    # 2021 rules: the office holds a CLIA certificate (e.g. of waiver), so its tests count where
    # a CLIA-certified laboratory is required (confirmation and monthly tests).
    rems_2021_office_is_clia_certified: bool = False
    # 2026 rules: the prescriber allows home tests during and after treatment (the clinic must
    # have a procedure against misreading and falsification; the labs app's verification).
    rems_2026_home_tests_allowed: bool = True
    # A patient who becomes able to get pregnant during a course qualifies again as before a
    # first prescription (two tests, a month of contraception) before the next prescription.
    requalify_after_category_change: bool = True
    post_treatment_test_days: int = 30  # the test "about 30 days after the last dose"
    post_treatment_test_grace_days: int = 7  # overdue after this many more days
    visit_window_days: int = 7  # schedule the monthly visit in the days up to the supply's end

    def __post_init__(self):
        if self.days_between_pretreatment_tests < MIN_DAYS_BETWEEN_PRETREATMENT_TESTS:
            raise ValueError(
                f"The tests before treatment must be at least {MIN_DAYS_BETWEEN_PRETREATMENT_TESTS} days apart."
            )
        for name in ("post_treatment_test_days", "post_treatment_test_grace_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative.")
        if self.visit_window_days < 1:
            raise ValueError("visit_window_days must be at least 1.")
