"""The checklist's building blocks: item statuses, stable codes and titles, and the words
every rule module uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .rule_context import Context
from .rule_dates import DateRange
from .rule_sets import RuleSet


class Status(StrEnum):
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    BLOCKED = "blocked"
    NOT_APPLICABLE = "not_applicable"


class Code(StrEnum):
    """Stable item codes (stored by the status rows; never rename one)."""

    PREGNANCY = "pregnancy"
    RISK_CATEGORY = "risk_category"
    ENROLLMENT = "enrollment"
    CONSENT = "consent"
    PRESCRIBER_CERTIFIED = "prescriber_certified"
    ENROLLMENT_COUNSELING = "enrollment_counseling"
    SCREENING_TEST = "screening_test"
    CONFIRMATION_TEST = "confirmation_test"
    CONTRACEPTION_MONTH_BEFORE = "contraception_month_before"
    MISSED_FIRST_WINDOW = "missed_first_window"
    MONTHLY_TEST = "monthly_test"
    PICKUP_WINDOW = "pickup_window"
    CONTRACEPTION_IN_USE = "contraception_in_use"
    COUNSELING = "counseling"
    COMPREHENSION = "comprehension"
    METHODS_MATCH = "methods_match"
    LABS_REVIEWED = "labs_reviewed"
    LABS_DUE = "labs_due"
    TETRACYCLINE = "tetracycline"
    VITAMIN_A = "vitamin_a"
    ST_JOHNS_WORT = "st_johns_wort"
    PRESCRIPTION_LIMITS = "prescription_limits"
    AUTHORIZATION = "authorization"
    POST_TREATMENT_TEST = "post_treatment_test"
    POST_TREATMENT_CONTRACEPTION = "post_treatment_contraception"
    NO_BLOOD_DONATION = "no_blood_donation"


TITLES = {
    Code.PREGNANCY: "Positive pregnancy test",
    Code.RISK_CATEGORY: "Risk category assigned",
    Code.ENROLLMENT: "Enrolled in iPLEDGE",
    Code.CONSENT: "Consent forms signed",
    Code.PRESCRIBER_CERTIFIED: "Prescriber certified in iPLEDGE",
    Code.ENROLLMENT_COUNSELING: "Counseling confirmed at enrollment",
    Code.SCREENING_TEST: "Screening pregnancy test",
    Code.CONFIRMATION_TEST: "Confirmation pregnancy test",
    Code.CONTRACEPTION_MONTH_BEFORE: "Two methods for a month before the confirmation test",
    Code.MISSED_FIRST_WINDOW: "Missed first prescription window",
    Code.MONTHLY_TEST: "Monthly pregnancy test",
    Code.PICKUP_WINDOW: "7-day prescription window",
    Code.CONTRACEPTION_IN_USE: "Two methods of contraception in use",
    Code.COUNSELING: "Counseling confirmed in iPLEDGE this month",
    Code.COMPREHENSION: "Patient answered the comprehension questions",
    Code.METHODS_MATCH: "Methods entered in iPLEDGE match",
    Code.LABS_REVIEWED: "Lab results reviewed by a prescriber",
    Code.LABS_DUE: "Monitoring labs",
    Code.TETRACYCLINE: "No tetracycline antibiotic",
    Code.VITAMIN_A: "No vitamin A supplement or other retinoid",
    Code.ST_JOHNS_WORT: "No St John's wort with hormonal contraception",
    Code.PRESCRIPTION_LIMITS: "Prescription: 30-day supply, no refills",
    Code.AUTHORIZATION: "Pharmacy authorization (RMA)",
    Code.POST_TREATMENT_TEST: "Pregnancy test 30 days after the last dose",
    Code.POST_TREATMENT_CONTRACEPTION: "Contraception for one month after the last dose",
    Code.NO_BLOOD_DONATION: "No blood donation for one month after the last dose",
}
PREGNANCY_STEPS = (
    "Stop isotretinoin at once.",
    "Refer the patient to an obstetrician-gynecologist experienced in reproductive toxicity.",
    "Report the pregnancy to the iPLEDGE pregnancy registry.",
)


@dataclass(frozen=True, slots=True)
class Item:
    code: Code
    title: str
    status: Status
    reason: str  # plain words for a nurse: what is missing or what was done, and by when
    blocks_prescribing: bool  # a gate of the next prescription (met only when status is done)
    rule_set: RuleSet
    due_on: date | None = None  # the day it is due (may be past: overdue) or its deadline
    window: DateRange | None = None
    actions: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        return self.blocks_prescribing and self.status is not Status.DONE


def make_item(ctx: Context, code: Code, status: Status, reason: str, *, blocks: bool = True, **extra) -> Item:
    if status is Status.NOT_APPLICABLE:
        blocks = False
    return Item(code, extra.pop("title", TITLES[code]), status, reason, blocks, ctx.policy.rule_set, **extra)


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
