"""Pregnancy tests as plain data, and what they mean. Pure functions (no ORM).

Which tests satisfy which iPLEDGE requirement (screening, confirmation in a CLIA lab or a
medical setting, the monthly test, the 7-day window) depends on the rule set in force and on
the course: the compliance app decides that from these facts. What is decided here holds under
every rule set: a negative counts only when the test is sensitive enough and, for a home test,
verified by staff; a positive is never discounted (an unverified or insensitive positive is
still a positive until a test that counts says otherwise).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

# iPLEDGE REMS: tests must detect hCG at 25 mIU/mL or lower (a smaller number is more sensitive).
# A program requirement, not a clinic preference, hence a constant.
REQUIRED_SENSITIVITY_MIU_ML = 25

POSITIVE_STEPS = (
    "Stop isotretinoin now.",
    "Refer the patient to an obstetrician-gynecologist experienced in reproductive toxicity.",
    "Report the pregnancy to the iPLEDGE pregnancy registry.",
)


class TestType(StrEnum):
    URINE = "urine"
    SERUM = "serum"


class Setting(StrEnum):
    OFFICE = "office"
    CLIA_LAB = "clia_lab"
    HOME = "home"


class Result(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    INVALID = "invalid"


class Purpose(StrEnum):
    SCREENING = "screening"
    CONFIRMATION = "confirmation"
    MONTHLY = "monthly"
    POST_TREATMENT = "post_treatment"
    OTHER = "other"


@dataclass(frozen=True)
class PregnancyTestFact:
    id: int
    patient_id: int
    collected_on: date
    test_type: TestType
    setting: Setting
    result: Result
    sensitivity_miu_ml: int
    purpose: Purpose
    verified: bool  # home tests: verified by staff; tests done by the office or a lab: always
    clia_number: str = ""
    verified_at: datetime | None = None  # when staff verified a home test

    @property
    def in_medical_setting(self) -> bool:
        """Done in an office, clinic or lab (the 2026 rules' "medical setting")."""
        return self.setting in (Setting.OFFICE, Setting.CLIA_LAB)

    @property
    def in_clia_lab(self) -> bool:
        return self.setting == Setting.CLIA_LAB

    @property
    def sensitive_enough(self) -> bool:
        return self.sensitivity_miu_ml <= REQUIRED_SENSITIVITY_MIU_ML

    @property
    def counts_as_negative(self) -> bool:
        return self.result == Result.NEGATIVE and self.sensitive_enough and self.verified

    @property
    def is_positive(self) -> bool:
        return self.result == Result.POSITIVE

    @property
    def awaiting_verification(self) -> bool:
        return not self.verified


def why_not_counted(test: PregnancyTestFact) -> str | None:
    """Why a negative result does not count yet (None when it counts or is not negative)."""
    if test.result != Result.NEGATIVE:
        return None
    if not test.sensitive_enough:
        return (
            f"Sensitivity {test.sensitivity_miu_ml} mIU/mL: a test must detect "
            f"{REQUIRED_SENSITIVITY_MIU_ML} mIU/mL or less to count."
        )
    if not test.verified:
        return "Home test not yet verified by staff: it does not count until it is."
    return None


def active_positive(tests: Iterable[PregnancyTestFact]) -> PregnancyTestFact | None:
    """The positive test the chart must alert on: the latest positive, unless a negative that
    counts was collected after it (e.g. a serum test that ruled out a false positive). Invalid
    results say nothing either way."""
    latest_positive = None
    latest_negative = None
    for test in tests:
        if test.is_positive and (latest_positive is None or _key(test) > _key(latest_positive)):
            latest_positive = test
        elif test.counts_as_negative and (latest_negative is None or _key(test) > _key(latest_negative)):
            latest_negative = test
    if latest_positive is None:
        return None
    if latest_negative is not None and latest_negative.collected_on > latest_positive.collected_on:
        return None
    return latest_positive


def _key(test: PregnancyTestFact) -> tuple[date, int]:
    return (test.collected_on, test.id)
