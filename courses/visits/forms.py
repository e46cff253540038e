"""Visit forms. Scheduling forms hold scheduling fields only; the findings form is a separate
form, posted to its own view, which requires ``courses.record_visit_findings``: a front desk
user cannot submit findings (403), and clinical fields slipped into a scheduling form are not
fields of it, so they are ignored."""

from datetime import date, datetime, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from patients.outbox.clock import clinic_instant

from .models import PHQ2_MAX, PHQ9_MAX, SideEffect, VisitType
from .services import CLINICIAN_ROLES

MAX_DAYS_AHEAD = 2 * 366
# The schedule pages accept dates in this range (others show today).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2199, 12, 31)
DURATIONS = [(15, "15 minutes"), (20, "20 minutes"), (30, "30 minutes"), (45, "45 minutes"), (60, "1 hour")]


def clinicians():
    return User.objects.filter(role__in=CLINICIAN_ROLES, is_active=True).order_by("full_name", "id")


class ClinicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} ({obj.role_label})"


class ScheduleFieldsForm(forms.Form):
    """When and with whom; times are clinic-local wall-clock times."""

    clinician = ClinicianChoiceField(queryset=User.objects.none())
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
    duration_minutes = forms.TypedChoiceField(label="Length", choices=DURATIONS, coerce=int, initial=30)
    location = forms.ChoiceField(required=False)
    outside_window_ok = forms.BooleanField(label="Book outside the window anyway", required=False)
    outside_hours_ok = forms.BooleanField(label="Book outside opening hours anyway", required=False)

    def __init__(self, *args, clinician_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinician_queryset if clinician_queryset is not None else clinicians()
        locations = settings.CLINIC_LOCATIONS
        if len(locations) > 1:
            self.fields["location"].choices = [("", "Choose…"), *((loc, loc) for loc in locations)]
            self.fields["location"].required = True
        else:
            del self.fields["location"]

    def clean_day(self):
        day = self.cleaned_data["day"]
        today = timezone.localdate()
        if not today - timedelta(days=1) <= day <= today + timedelta(days=MAX_DAYS_AHEAD):
            raise ValidationError("Choose a date from today to two years ahead.")
        return day

    def starts_at(self) -> datetime:
        return clinic_instant(self.cleaned_data["day"], self.cleaned_data["time"], timezone.get_current_timezone())

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time") and self.starts_at() <= timezone.now():
            self.add_error("time", "Choose a time in the future.")
        return data

    def service_fields(self) -> dict:
        return {
            "clinician_id": self.cleaned_data["clinician"].pk,
            "starts_at": self.starts_at(),
            "duration_minutes": self.cleaned_data["duration_minutes"],
            "location": self.cleaned_data.get("location", ""),
            "outside_window_ok": self.cleaned_data["outside_window_ok"],
            "outside_hours_ok": self.cleaned_data["outside_hours_ok"],
        }


class BookForm(ScheduleFieldsForm):
    type = forms.ChoiceField(label="Type", choices=VisitType.choices, initial=VisitType.MONTHLY)

    field_order = [
        "type",
        "clinician",
        "day",
        "time",
        "duration_minutes",
        "location",
        "outside_window_ok",
        "outside_hours_ok",
    ]

    def service_fields(self) -> dict:
        return {**super().service_fields(), "type": self.cleaned_data["type"]}


class RescheduleForm(ScheduleFieldsForm):
    pass


class CancelForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Say why the visit is cancelled.")
        return reason


class FindingsForm(forms.Form):
    weight_kg = forms.DecimalField(
        label="Weight (kg)", required=False, min_value=20, max_value=300, max_digits=6, decimal_places=2
    )
    side_effects = forms.MultipleChoiceField(
        label="Side effects", choices=SideEffect.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    side_effect_notes = forms.CharField(
        label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    phq2_score = forms.IntegerField(
        label="PHQ-2 score", required=False, min_value=0, max_value=PHQ2_MAX, help_text="0 to 6"
    )
    phq9_score = forms.IntegerField(
        label="PHQ-9 score", required=False, min_value=0, max_value=PHQ9_MAX, help_text="0 to 27"
    )


class DayForm(forms.Form):
    """The schedule pages' date and clinician pickers (GET); bad input falls back to today."""

    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError("Out of range.")
        return day

    clinician = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
