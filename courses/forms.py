"""Course forms. A dose is typed as staff say it (``60``, ``2 x 30``, ``40 + 20``) and parsed
against the capsule strengths of the chosen formulation; the services check everything that
needs the database (dates against the course, mg/kg/day, the gap between courses)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role, User
from patients.forms import DateInput

from . import regimens
from .models import COMPLETION_REASONS, DISCONTINUATION_REASONS, Formulation, Indication

DOSE_HELP = "mg a day, e.g. 60 (capsules chosen for you), 2 x 30 or 40 + 20."
ALTERNATE_HELP = "Only for alternating regimens: the dose on every other day, e.g. 60 for 40 / 60 mg."


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error)


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DoseFieldsMixin(forms.Form):
    """``dose`` and ``alternate_dose`` parsed into ``cleaned_data["regimen"]``."""

    dose = forms.CharField(label="Daily dose", max_length=40, help_text=DOSE_HELP)
    alternate_dose = forms.CharField(
        label="Alternate-day dose", max_length=40, required=False, help_text=ALTERNATE_HELP
    )

    strengths_by_formulation: dict[str, list[int]] = {}

    def clean(self):
        cleaned = super().clean()
        strengths = self.strengths_by_formulation.get(cleaned.get("formulation"))
        if strengths is None or "dose" not in cleaned:
            return cleaned
        days = []
        for name in ("dose", "alternate_dose"):
            text = cleaned.get(name, "")
            if name == "alternate_dose" and not text.strip():
                continue
            try:
                days.append(regimens.parse_day(text, strengths))
            except regimens.RegimenError as error:
                self.add_error(name, str(error))
        if len(days) == (2 if cleaned.get("alternate_dose", "").strip() else 1):
            cleaned["regimen"] = regimens.to_json(tuple(days))
        return cleaned


def _prescribers():
    return User.objects.filter(role=Role.PRESCRIBER, is_active=True).order_by("full_name")


class CourseDetailsFields(forms.Form):
    prescriber = forms.ModelChoiceField(queryset=User.objects.none(), empty_label=None)
    indication = forms.ChoiceField(choices=Indication.choices)
    indication_other = forms.CharField(label="Other indication", max_length=200, required=False)
    target_low = forms.DecimalField(
        label="Target from (mg/kg)", max_digits=5, decimal_places=1, min_value=Decimal("1"), max_value=Decimal("400")
    )
    target_high = forms.DecimalField(
        label="Target to (mg/kg)",
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("1"),
        max_value=Decimal("400"),
        help_text="The classic band is 120-150 mg/kg; some aim for 220 mg/kg or more.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["prescriber"]
        field.queryset = _prescribers()
        # Listed once: a ModelChoiceField would query again each time its options are read.
        field.choices = [(user.pk, user.full_name) for user in field.queryset]

    def details(self) -> dict:
        data = self.cleaned_data
        return {
            "prescriber_id": data["prescriber"].pk,
            "indication": data["indication"],
            "indication_other": data["indication_other"],
            "target_low": data["target_low"],
            "target_high": data["target_high"],
        }


class CourseForm(DoseFieldsMixin, CourseDetailsFields):
    """Start a course now, or plan it."""

    status = forms.ChoiceField(
        label="The course",
        choices=[
            ("start", "Starts now: the first dose is taken on the date below"),
            ("plan", "Is planned: the first dose is expected on the date below"),
        ],
        widget=forms.RadioSelect,
        initial="start",
    )
    first_day = forms.DateField(label="First dose", widget=DateInput(), initial=timezone.localdate)
    formulation = forms.ChoiceField(choices=Formulation.choices)
    gap_override_reason = forms.CharField(
        label="Reason to start sooner than the minimum gap",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Only when the previous course ended less than 8 weeks before the first dose.",
    )

    field_order = [
        "status",
        "first_day",
        "prescriber",
        "indication",
        "indication_other",
        "formulation",
        "dose",
        "alternate_dose",
        "target_low",
        "target_high",
        "gap_override_reason",
    ]

    def __init__(self, *args, strengths: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.strengths_by_formulation = strengths


class DoseChangeForm(DoseFieldsMixin, VersionedForm):
    start = forms.DateField(label="New dose from", widget=DateInput(), initial=timezone.localdate)
    formulation = forms.ChoiceField(
        choices=Formulation.choices,
        help_text="Formulations are not interchangeable mg for mg: a change is flagged on the course.",
    )
    note = forms.CharField(label="Note", max_length=300, required=False, help_text="e.g. increased as tolerated")

    field_order = ["version", "start", "formulation", "dose", "alternate_dose", "note"]

    def __init__(self, *args, strengths: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.strengths_by_formulation = strengths


class MissedDoseForm(forms.Form):
    day = forms.DateField(label="Day missed", widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label="Note", max_length=300, required=False)


class DoseHoldForm(forms.Form):
    start = forms.DateField(label="Held from", widget=DateInput())
    end = forms.DateField(label="Held through", widget=DateInput(), help_text="The last day without a dose.")
    reason = forms.CharField(label="Reason", max_length=300, help_text="e.g. triglycerides 620 mg/dL")


class ActivateForm(VersionedForm):
    start_date = forms.DateField(label="First dose taken on", widget=DateInput(), initial=timezone.localdate)
    gap_override_reason = forms.CharField(
        label="Reason to start sooner than the minimum gap",
        max_length=500,
        required=False,
        help_text="Only when the previous course ended less than 8 weeks before.",
    )


class PauseForm(VersionedForm):
    on = forms.DateField(label="No dose from", widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(label="Reason", max_length=300, help_text="e.g. triglycerides 620 mg/dL")


class ResumeForm(VersionedForm):
    on = forms.DateField(label="Doses resume on", widget=DateInput(), initial=timezone.localdate)


class EndForm(VersionedForm):
    end_date = forms.DateField(label="Last dose", widget=DateInput(), initial=timezone.localdate)
    end_reason = forms.ChoiceField(label="Reason")
    end_reason_text = forms.CharField(label="Details", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_reason"].choices = [("", "Choose…")] + [(r.value, r.label) for r in reasons]


def complete_form(*args, **kwargs) -> EndForm:
    return EndForm(*args, reasons=COMPLETION_REASONS, **kwargs)


def discontinue_form(*args, **kwargs) -> EndForm:
    return EndForm(*args, reasons=DISCONTINUATION_REASONS, **kwargs)


class CourseDetailsForm(CourseDetailsFields, VersionedForm):
    pass


class WhatIfForm(forms.Form):
    """The planner: a target and a date give a dose; a dose gives a date. Saves nothing."""

    target = forms.DecimalField(
        label="Target (mg/kg)", max_digits=5, decimal_places=1, min_value=Decimal("1"), max_value=Decimal("400")
    )
    by = forms.DateField(label="Reach it by", widget=DateInput(), required=False)
    daily_dose = forms.CharField(
        label="Or at a daily dose of", max_length=40, required=False, help_text="e.g. 60, or 40 + 20"
    )

    def __init__(self, *args, strengths: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.strengths = strengths

    def clean_by(self):
        by = self.cleaned_data["by"]
        if by and by <= timezone.localdate():
            raise ValidationError("Choose a date after today.")
        return by

    def clean_daily_dose(self):
        text = self.cleaned_data["daily_dose"].strip()
        if not text:
            return None
        try:
            return regimens.day_mg(regimens.parse_day(text, self.strengths))
        except regimens.RegimenError as error:
            raise ValidationError(str(error)) from error
