"""Forms for entering results and pregnancy tests. They parse what staff type; the services
(and ``ranges.entry_errors``) decide what is possible and say so next to the field."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from patients.forms import DateInput

from .models import AnalyteGroup, PregnancyTest, VerificationMethod
from .services import ResultEntry, result_field
from .validators import validate_evidence_photo

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
FASTING_CHOICES = [("yes", "Fasting"), ("no", "Not fasting"), ("unknown", "Not recorded")]
FASTING_VALUES = {"yes": True, "no": False, "unknown": None}
RESULT_PARTS = ("value", "unit", "reference_low", "reference_high")


class LabPanelForm(forms.Form):
    """One specimen: its date, lab and fasting state, then one row per analyte of the catalog
    (a lipid panel and liver tests in one submission). Rows left empty are not recorded."""

    collected_on = forms.DateField(label="Collection date", widget=DateInput(), initial=timezone.localdate)
    fasting = forms.ChoiceField(choices=FASTING_CHOICES, widget=forms.RadioSelect, initial="yes")
    performing_lab = forms.CharField(label="Performing lab", max_length=120)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, analytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.analytes = list(analytes)
        for analyte in self.analytes:
            units = analyte.rule.units
            self.fields[result_field(analyte.code, "value")] = forms.DecimalField(
                label="Value", required=False, max_digits=10, decimal_places=3
            )
            self.fields[result_field(analyte.code, "unit")] = forms.ChoiceField(
                label="Unit", choices=[(u, u) for u in units], initial=units[0]
            )
            self.fields[result_field(analyte.code, "reference_low")] = forms.DecimalField(
                label="Lab's low limit", required=False, max_digits=10, decimal_places=3
            )
            self.fields[result_field(analyte.code, "reference_high")] = forms.DecimalField(
                label="Lab's high limit (ULN)", required=False, max_digits=10, decimal_places=3
            )

    def groups(self) -> list[tuple[str, list]]:
        """[(group label, [(analyte, [bound fields])])] for the template, lipids first."""
        grouped: dict[str, list] = {}
        for analyte in self.analytes:
            fields = [self[result_field(analyte.code, part)] for part in RESULT_PARTS]
            grouped.setdefault(analyte.group, []).append((analyte, fields))
        order = [AnalyteGroup.LIPID, AnalyteGroup.LIVER, AnalyteGroup.OTHER]
        return [(AnalyteGroup(group).label, grouped[group]) for group in order if group in grouped]

    def clean(self):
        cleaned = super().clean()
        for analyte in self.analytes:
            value = cleaned.get(result_field(analyte.code, "value"))
            has_range = any(
                cleaned.get(result_field(analyte.code, part)) is not None
                for part in ("reference_low", "reference_high")
            )
            if value is None and has_range:
                self.add_error(result_field(analyte.code, "value"), "Enter the value, or clear the reference range.")
        return cleaned

    def results(self) -> list[ResultEntry]:
        entries = []
        for analyte in self.analytes:
            value: Decimal | None = self.cleaned_data.get(result_field(analyte.code, "value"))
            if value is None:
                continue
            entries.append(
                ResultEntry(
                    analyte_id=analyte.pk,
                    value=value,
                    unit=self.cleaned_data[result_field(analyte.code, "unit")],
                    reference_low=self.cleaned_data.get(result_field(analyte.code, "reference_low")),
                    reference_high=self.cleaned_data.get(result_field(analyte.code, "reference_high")),
                )
            )
        return entries

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "collected_on": data["collected_on"],
            "fasting": FASTING_VALUES[data["fasting"]],
            "performing_lab": data["performing_lab"],
            "note": data["note"],
            "results": self.results(),
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label="Review comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when a result reached an action threshold: what you decided.",
    )


class PregnancyTestForm(forms.ModelForm):
    class Meta:
        model = PregnancyTest
        fields = [
            "collected_on",
            "test_type",
            "setting",
            "lab_name",
            "clia_number",
            "result",
            "sensitivity_miu_ml",
            "purpose",
            "note",
            "photo",
        ]
        widgets = {
            "collected_on": DateInput(),
            "test_type": forms.RadioSelect,
            "setting": forms.RadioSelect,
            "result": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 2}),
            "photo": forms.FileInput(attrs={"accept": PHOTO_ACCEPT}),
        }
        help_texts = {
            "lab_name": "The lab that did the test (required for a CLIA-certified lab).",
            "clia_number": "Required for a CLIA-certified lab, e.g. 05D1234567.",
            "photo": "Optional: a dated photo of a home test (JPEG, PNG or WebP, up to 5 MB).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collected_on"].initial = timezone.localdate
        for name in ("test_type", "setting", "result"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]  # no "---------"

    def clean_clia_number(self):
        return self.cleaned_data["clia_number"].strip().upper()

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["photo"] = fields["photo"] or None
        return fields


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label="How was the result verified?", choices=VerificationMethod.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Verification note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for “other”; e.g. the date visible on the photo.",
    )
    photo = forms.FileField(
        label="Photo evidence",
        required=False,
        validators=[validate_evidence_photo],
        widget=forms.FileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text="The dated photo you reviewed, if it is not on file yet (JPEG, PNG or WebP, up to 5 MB).",
    )
