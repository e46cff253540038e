"""Forms of the compliance page of a course. They parse and check what they can alone; the
services check the rest against the database (and show it next to the field)."""

from django import forms
from django.utils import timezone

from patients.forms import DateInput

from .models import Authorization, AuthorizationStatus, ContraceptionMethod, InteractingMedication
from .rule_facts import ABSTINENCE, MAX_DAYS_SUPPLY
from .worklist import FILTER_LABELS


def _date(label: str, required: bool = True, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), required=required, **kwargs)


class EnrollmentForm(forms.Form):
    ipledge_patient_id = forms.CharField(label="iPLEDGE patient ID", max_length=20, required=False)
    enrolled_on = _date("Registered in iPLEDGE on", required=False)
    consent_signed_on = _date("Patient Information / Informed Consent signed on", required=False)
    birth_defects_consent_signed_on = _date(
        "Informed Consent About Birth Defects signed on",
        required=False,
        help_text="For a patient who can get pregnant.",
    )
    counseled_on = _date(
        "Counseling confirmed at enrollment on",
        required=False,
        help_text="The 2026 rules ask for it once, at enrollment, for a patient who cannot get pregnant.",
    )
    prescriber_certified = forms.BooleanField(
        label="The prescriber is registered and certified in iPLEDGE", required=False
    )


class ContraceptionForm(forms.Form):
    method = forms.ModelChoiceField(
        label="Method", queryset=ContraceptionMethod.objects.filter(active=True), empty_label="Choose a method"
    )
    started_on = _date("In use since", initial=timezone.localdate)
    note = forms.CharField(label="Note", max_length=300, required=False)


class EndForm(forms.Form):
    ended_on = _date("Last day", initial=timezone.localdate)


class AbstinenceForm(forms.Form):
    committed_on = _date("Committed on", initial=timezone.localdate)
    note = forms.CharField(label="Note", max_length=300, required=False)


class MedicationForm(forms.Form):
    medication = forms.ModelChoiceField(
        label="Medication", queryset=InteractingMedication.objects.filter(active=True), empty_label="Choose"
    )
    started_on = _date("Taken since", initial=timezone.localdate)
    note = forms.CharField(label="Note", max_length=300, required=False)


class StopForm(forms.Form):
    stopped_on = _date("Last day taken", initial=timezone.localdate)


def method_choices() -> list[tuple[str, str]]:
    methods = ContraceptionMethod.objects.filter(active=True).exclude(kind="unacceptable")
    return [("", "—"), (ABSTINENCE, "Abstinence"), *((m.code, m.label) for m in methods)]


class ConfirmationForm(forms.Form):
    counseling_on = _date("Counseling confirmed in iPLEDGE on", required=False)
    office_method_1 = forms.ChoiceField(label="Office entered: first method (primary)", required=False)
    office_method_2 = forms.ChoiceField(label="Office entered: second method", required=False)
    comprehension_on = _date("Patient answered the comprehension questions on", required=False)
    patient_method_1 = forms.ChoiceField(label="Patient confirmed: first method", required=False)
    patient_method_2 = forms.ChoiceField(label="Patient confirmed: second method", required=False)
    visit_on = _date("Office visit on", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = method_choices()
        for name in ("office_method_1", "office_method_2", "patient_method_1", "patient_method_2"):
            self.fields[name].choices = choices

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("counseling_on") and not cleaned.get("comprehension_on") and not self.errors:
            raise forms.ValidationError("Give the counseling date, the comprehension date, or both.")
        cleaned["office_methods"] = [c for c in (cleaned.get("office_method_1"), cleaned.get("office_method_2")) if c]
        cleaned["patient_methods"] = [
            c for c in (cleaned.get("patient_method_1"), cleaned.get("patient_method_2")) if c
        ]
        return cleaned


class PrescriptionForm(forms.Form):
    written_on = _date("Written on", initial=timezone.localdate)
    strength_mg = forms.IntegerField(label="Capsule strength (mg)", min_value=1, max_value=100)
    capsules_per_day = forms.IntegerField(label="Capsules a day", min_value=1, max_value=10)
    days_supply = forms.IntegerField(
        label="Days supply", min_value=1, max_value=MAX_DAYS_SUPPLY, initial=30, help_text="At most 30 days."
    )
    quantity = forms.IntegerField(label="Quantity (capsules)", min_value=1, max_value=1000)
    refills = forms.IntegerField(
        label="Refills", min_value=0, max_value=0, initial=0, help_text="iPLEDGE allows no refills."
    )
    override_reason = forms.CharField(
        label="Override: why prescribe although the course is not ready",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Prescribers only. Kept with the prescription and shown on the course page.",
    )

    def __init__(self, *args, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_reason"]


class AuthorizationForm(forms.Form):
    rma_number = forms.CharField(label="RMA number", max_length=40)
    obtained_on = _date("Obtained on", initial=timezone.localdate)
    do_not_dispense_after = _date("Do not dispense after")
    days_supply = forms.IntegerField(label="Days supply", min_value=1, max_value=MAX_DAYS_SUPPLY)
    quantity = forms.IntegerField(label="Quantity (capsules)", min_value=1, max_value=1000)
    pharmacy = forms.CharField(label="Pharmacy", max_length=120)
    replaces = forms.ModelChoiceField(
        label="Obtained in place of (reversed RMA)",
        queryset=Authorization.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        if course is not None:
            self.fields["replaces"].queryset = Authorization.objects.filter(
                course=course, status=AuthorizationStatus.REVERSED, replaced_by__isnull=True
            )
        self.fields["replaces"].label_from_instance = lambda a: (
            f"RMA {a.rma_number} (reversed {a.reversed_on:%Y-%m-%d})"
        )

    def clean(self):
        cleaned = super().clean()
        obtained, last = cleaned.get("obtained_on"), cleaned.get("do_not_dispense_after")
        if obtained and last and last < obtained:
            self.add_error("do_not_dispense_after", "This is before the authorization was obtained.")
        return cleaned


class DispenseForm(forms.Form):
    dispensed_on = _date("Dispensed on", initial=timezone.localdate)


class ReverseForm(forms.Form):
    reversed_on = _date("Reversed on", initial=timezone.localdate)
    reason = forms.CharField(label="Reason", max_length=300, help_text="e.g. wrong days supply")


class WorklistFilter(forms.Form):
    state = forms.ChoiceField(choices=FILTER_LABELS, required=False)
    mine = forms.BooleanField(required=False)
