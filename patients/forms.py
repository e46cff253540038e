"""Patient forms. Field-level messages come from the model's validators and the services; the
forms normalise what staff type (MRN case, phone punctuation, pounds) before that."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from .models import Patient, RiskCategory, WeightUnit
from .validators import normalize_phone


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"


class PatientForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Patient
        fields = [
            "mrn",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
            "preferred_channel",
            "reminder_opt_out",
            "quiet_hours_start",
            "quiet_hours_end",
            "guardian_name",
            "guardian_relationship",
            "guardian_phone",
            "guardian_email",
            "guardian_consent_on",
            "ipledge_patient_id",
            "notes",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "guardian_consent_on": DateInput(),
            "quiet_hours_start": TimeInput(),
            "quiet_hours_end": TimeInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"mrn": {"unique": "Another patient already has this MRN."}}
        labels = {"ipledge_patient_id": "iPLEDGE patient ID"}  # the brand keeps its lower-case i

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        # Browsers autofill these fields from the staff member's own details otherwise.
        for name in ("email", "phone", "guardian_email", "guardian_phone"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean_mrn(self):
        return self.cleaned_data["mrn"].strip().upper()

    def clean_ipledge_patient_id(self):
        return self.cleaned_data["ipledge_patient_id"].strip().upper()

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_guardian_phone(self):
        return normalize_phone(self.cleaned_data["guardian_phone"])

    def clean(self):
        cleaned = super().clean()
        if self.has_error("version"):
            # The hidden version is only wrong if the page was altered: say so where errors show.
            self.add_error(None, "This form could not be read. Reload the page and enter your changes again.")
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if (start is None) != (end is None):
            self.add_error("quiet_hours_end", "Give both the start and the end of the quiet hours, or neither.")
        if cleaned.get("preferred_channel") == "sms" and not cleaned.get("phone"):
            self.add_error("phone", "Text-message reminders need a phone number.")
        if (
            cleaned.get("preferred_channel") == "email"
            and not cleaned.get("email")
            and not cleaned.get("reminder_opt_out")
        ):
            self.add_error("email", "Email reminders need an email address (or tick “no reminders”).")
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RiskCategoryForm(forms.Form):
    category = forms.ChoiceField(choices=RiskCategory.choices, widget=forms.RadioSelect)
    effective_on = forms.DateField(widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,  # the service gives the clinical message when it is empty
        help_text="Why: e.g. initial assessment, menarche, hysterectomy, confirmed menopause. "
        "Tubal ligation does not remove pregnancy potential.",
    )


class WeightForm(forms.Form):
    value = forms.DecimalField(label="Weight", max_digits=6, decimal_places=2, min_value=Decimal("0.01"))
    unit = forms.ChoiceField(choices=WeightUnit.choices, initial=WeightUnit.KG)
    measured_on = forms.DateField(widget=DateInput(), initial=timezone.localdate)
