"""Admins edit the clinic's lab settings here (analyte catalog, action thresholds, monitoring
plan); results and pregnancy tests are read-only, like all patient data in the admin."""

from django.contrib import admin

from patients.admin import ReadOnlyAdmin

from .models import ActionThreshold, Analyte, LabResult, LabSettings, LabSpecimen, PregnancyTest


class ThresholdInline(admin.TabularInline):
    model = ActionThreshold
    extra = 0


@admin.register(Analyte)
class AnalyteAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "group",
        "canonical_unit",
        "mmol_factor",
        "plausible_max",
        "required_for_monitoring",
        "active",
    ]
    list_filter = ["group", "active", "required_for_monitoring"]
    search_fields = ["name", "code"]
    inlines = [ThresholdInline]

    def get_readonly_fields(self, request, obj=None):
        # Recorded results are read with the analyte's code, unit and factor: changing them would
        # silently change what those results mean. Deactivate and add a new analyte instead.
        if obj is not None and LabResult.objects.filter(analyte=obj).exists():
            return ["code", "canonical_unit", "mmol_factor"]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not LabResult.objects.filter(analyte=obj).exists()


@admin.register(ActionThreshold)
class ActionThresholdAdmin(admin.ModelAdmin):
    list_display = ["analyte", "basis", "comparison", "limit", "action", "severity", "active"]
    list_filter = ["analyte", "severity", "active"]
    list_select_related = ["analyte"]


@admin.register(LabSettings)
class LabSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "baseline_days", "peak_day", "window_days", "recheck_days", "home_test_second_person"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not LabSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LabSpecimen)
class LabSpecimenAdmin(ReadOnlyAdmin):
    list_display = ["id", "patient", "collected_on", "performing_lab", "fasting", "recorded_by"]
    search_fields = ["patient__mrn", "performing_lab"]
    list_select_related = ["patient", "recorded_by"]
    date_hierarchy = "collected_on"


@admin.register(LabResult)
class LabResultAdmin(ReadOnlyAdmin):
    list_display = ["id", "patient", "analyte", "value", "unit", "flag", "action", "reviewed_at"]
    list_filter = ["analyte", "flag", "abnormal", "action_severity"]
    search_fields = ["patient__mrn"]
    list_select_related = ["patient", "analyte"]


@admin.register(PregnancyTest)
class PregnancyTestAdmin(ReadOnlyAdmin):
    list_display = ["id", "patient", "collected_on", "test_type", "setting", "result", "purpose", "verified_at"]
    list_filter = ["result", "setting", "test_type", "purpose"]
    search_fields = ["patient__mrn", "clia_number"]
    list_select_related = ["patient"]
    date_hierarchy = "collected_on"
    # The photo is evidence shown only through the role-checked view, never as an admin link.
    exclude = ["photo"]
