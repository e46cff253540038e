"""Plain builders for the facts the iPLEDGE rules read (no database: the rules are pure)."""

from dataclasses import replace
from datetime import date, timedelta

from ipledge.rule_facts import (
    AbstinenceCommitment,
    Authorization,
    ContraceptionMethod,
    CourseDates,
    CourseFacts,
    Enrollment,
    MethodKind,
    MonthlyConfirmation,
    PregnancyTest,
    RiskAssignment,
    RiskCategory,
    RuleSettings,
    TestResult,
    TestSetting,
)

CAN = RiskCategory.CAN_GET_PREGNANT
CANNOT = RiskCategory.CANNOT_GET_PREGNANT

# The 2021 rules for any date in these tests, and the 2026 rules for the DOMAIN.md examples of
# March 2026 (months before the real effective date).
RULES_2021 = RuleSettings(rems_2026_effective_on=date(2099, 1, 1))
RULES_2026 = RuleSettings(rems_2026_effective_on=date(2000, 1, 1))


def d(text: str) -> date:
    return date.fromisoformat(text)


def plus(day: date, n: int) -> date:
    return day + timedelta(days=n)


def method(code: str, kind: MethodKind, since: str, *, hormonal: bool = False, until: str | None = None):
    label = code.replace("_", " ").capitalize()
    return ContraceptionMethod(code, label, kind, hormonal, d(since), d(until) if until else None)


def iud(since="2026-01-05", **kw):
    return method("iud", MethodKind.PRIMARY, since, **kw)


def condom(since="2026-01-05", **kw):
    return method("male_condom", MethodKind.SECONDARY, since, **kw)


def pill(since="2026-01-05", **kw):
    return method("combined_pill", MethodKind.PRIMARY, since, hormonal=True, **kw)


def abstinence(since="2026-01-05", until=None):
    return AbstinenceCommitment(d(since), d(until) if until else None)


def collected(day: str, setting=TestSetting.CLIA_LAB, result=TestResult.NEGATIVE, **kw) -> PregnancyTest:
    return PregnancyTest(d(day), result, setting, **kw)


def with_tests(facts: CourseFacts, *tests: PregnancyTest) -> CourseFacts:
    return replace(facts, pregnancy_tests=(*facts.pregnancy_tests, *tests))


def confirmed(
    counseling: str | None,
    comprehension: str | None = None,
    office=("iud", "male_condom"),
    patient=None,
    visit: str | None = None,
) -> MonthlyConfirmation:
    """A month's iPLEDGE confirmation; the patient confirms the office's methods unless told."""
    return MonthlyConfirmation(
        counseling_on=d(counseling) if counseling else None,
        comprehension_on=d(comprehension) if comprehension else None,
        office_methods=tuple(office) if counseling else (),
        patient_methods=tuple(office if patient is None else patient) if comprehension else (),
        visit_on=d(visit) if visit else None,
    )


def month(day: str) -> MonthlyConfirmation:
    """Counseling and comprehension both done on ``day``, methods matching."""
    return confirmed(day, day)


def authorization(rma: str, obtained: str, *, days_supply=30, dispensed=None, dnda=None, **kw) -> Authorization:
    got = d(obtained)
    return Authorization(
        rma=rma,
        obtained_on=got,
        do_not_dispense_after=d(dnda) if dnda else plus(got, 6),
        days_supply=days_supply,
        dispensed_on=d(dispensed) if dispensed else None,
        **{k: (d(v) if k.endswith("_on") and isinstance(v, str) else v) for k, v in kw.items()},
    )


def enrolled(category=CAN, on="2026-01-05", **kw) -> Enrollment:
    fields = {
        "enrolled_on": d(on),
        "patient_id_recorded": True,
        "consent_signed_on": d(on),
        "birth_defects_consent_signed_on": d(on) if category is CAN else None,
        "counseled_on": d(on),
        "prescriber_certified": True,
    }
    fields.update(kw)
    return Enrollment(**fields)


def can_get_pregnant(**kw) -> CourseFacts:
    """Enrolled 5 Jan 2026, IUD and condom since that day, screening test 30 Jan 2026 in the office."""
    base = CourseFacts(
        risk_categories=(RiskAssignment(CAN, d("2026-01-05")),),
        enrollment=enrolled(CAN),
        pregnancy_tests=(collected("2026-01-30", TestSetting.OFFICE),),
        contraception=(iud(), condom()),
    )
    return replace(base, **kw)


def ready_on_2_march(**kw) -> CourseFacts:
    """The DOMAIN.md example: confirmation test collected Mon 2 Mar 2026, confirmations done on 3 Mar."""
    fields = {
        "pregnancy_tests": (collected("2026-01-30", TestSetting.OFFICE), collected("2026-03-02")),
        "confirmations": (month("2026-03-03"),),
    }
    return can_get_pregnant(**{**fields, **kw})


def cannot_get_pregnant(**kw) -> CourseFacts:
    base = CourseFacts(
        risk_categories=(RiskAssignment(CANNOT, d("2026-01-05")),),
        enrollment=enrolled(CANNOT),
    )
    return replace(base, **kw)


def course(first_dose=None, last_dose=None, planned=None, projected=None) -> CourseDates:
    return CourseDates(
        planned_start_on=d(planned) if planned else None,
        first_dose_on=d(first_dose) if first_dose else None,
        last_dose_on=d(last_dose) if last_dose else None,
        projected_last_dose_on=d(projected) if projected else None,
    )
