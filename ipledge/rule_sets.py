"""The two iPLEDGE rule sets as data, and which one applies on a day.

REMS 2021 is the program in force since 13 Dec 2021; REMS 2026 the modification approved
9 Feb 2026, in force from the clinic's effective date (default 8 Aug 2026). The rule set
depends only on the day of the check: a check made on or after the effective date applies the
2026 rules to every fact, including tests collected earlier (a confirmation test done in the
office on 1 Aug 2026 does not count on 7 Aug and counts on 8 Aug). Checks dated before
13 Dec 2021 use the 2021 rules too: Isotrack does not model the older program.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .rule_facts import RuleSettings, TestSetting

MEDICAL = frozenset({TestSetting.OFFICE, TestSetting.CLIA_LAB})
LOCKOUT_DAYS_2021 = 19
CANNOT_GET_PREGNANT_WINDOW_DAYS = 30


class RuleSet(StrEnum):
    REMS_2021 = "rems_2021"
    REMS_2026 = "rems_2026"

    @property
    def label(self) -> str:
        return "2021 rules" if self is RuleSet.REMS_2021 else "2026 rules"


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything that differs between the two rule sets, resolved against the settings."""

    rule_set: RuleSet
    screening_settings: frozenset[TestSetting]
    confirmation_settings: frozenset[TestSetting]
    treatment_settings: frozenset[TestSetting]  # monthly tests and the post-treatment test
    lockout_days: int | None  # after a missed first window; None: retest at once
    cannot_get_pregnant_monthly: bool  # monthly counseling and a 30-day pickup window


def rule_set_for(on: date, settings: RuleSettings) -> RuleSet:
    return RuleSet.REMS_2026 if on >= settings.rems_2026_effective_on else RuleSet.REMS_2021


def policy_for(on: date, settings: RuleSettings) -> Policy:
    if rule_set_for(on, settings) is RuleSet.REMS_2026:
        return Policy(
            rule_set=RuleSet.REMS_2026,
            screening_settings=MEDICAL,
            confirmation_settings=MEDICAL,
            treatment_settings=MEDICAL | ({TestSetting.HOME} if settings.rems_2026_home_tests_allowed else set()),
            lockout_days=None,
            cannot_get_pregnant_monthly=False,
        )
    clia = {TestSetting.CLIA_LAB} | ({TestSetting.OFFICE} if settings.rems_2021_office_is_clia_certified else set())
    tolerated = {TestSetting.OFFICE, TestSetting.HOME} if settings.rems_2021_home_tests_tolerated else set()
    return Policy(
        rule_set=RuleSet.REMS_2021,
        screening_settings=MEDICAL,
        confirmation_settings=frozenset(clia),
        treatment_settings=frozenset(clia | tolerated),
        lockout_days=LOCKOUT_DAYS_2021,
        cannot_get_pregnant_monthly=True,
    )


SETTING_WORDS = {
    TestSetting.OFFICE: "in the office",
    TestSetting.CLIA_LAB: "in a CLIA-certified lab",
    TestSetting.HOME: "at home",
}


def settings_words(allowed: frozenset[TestSetting]) -> str:
    """``in the office, in a CLIA-certified lab or at home`` — for reasons."""
    if allowed == MEDICAL:
        return "in a medical setting (office, clinic or lab)"
    ordered = [SETTING_WORDS[s] for s in TestSetting if s in allowed]
    return " or ".join([", ".join(ordered[:-1]), ordered[-1]] if len(ordered) > 2 else ordered)
