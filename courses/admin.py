"""Course data is read-only in the Django admin (changes go through the course page and its
services, which validate, lock and audit); the dosing settings are the clinic's to edit."""

from django.contrib import admin

from patients.admin import ReadOnlyAdmin

from .models import Course, DoseHold, DosePeriod, DosingSettings, MissedDose, Visit


@admin.register(DosingSettings)
class DosingSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        ("Cumulative dose", {"fields": ["weight_method", "method_difference_percent"]}),
        ("Default target band (mg/kg)", {"fields": ["default_target_low", "default_target_high"]}),
        (
            "Daily dose (mg/kg/day)",
            {"fields": ["usual_low_mg_per_kg_day", "usual_high_mg_per_kg_day", "max_mg_per_kg_day"]},
        ),
        ("Between courses", {"fields": ["min_days_between_courses"]}),
        (
            "Capsule strengths (mg, comma-separated)",
            {"fields": ["conventional_strengths", "absorica_strengths", "absorica_ld_strengths"]},
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return False  # one row, created by the data migration

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["id", "patient", "state", "planned_start", "start_date", "end_date", "formulation", "prescriber"]
    list_filter = ["state", "formulation", "indication", "end_reason"]
    search_fields = ["patient__mrn"]
    list_select_related = ["patient", "prescriber"]
    date_hierarchy = "planned_start"


@admin.register(DosePeriod)
class DosePeriodAdmin(ReadOnlyAdmin):
    list_display = ["id", "course", "start", "end", "formulation", "regimen", "recorded_by"]
    list_filter = ["formulation"]
    search_fields = ["patient__mrn"]
    list_select_related = ["course", "recorded_by"]


@admin.register(MissedDose)
class MissedDoseAdmin(ReadOnlyAdmin):
    list_display = ["id", "course", "day", "recorded_by"]
    search_fields = ["patient__mrn"]
    list_select_related = ["course", "recorded_by"]


@admin.register(DoseHold)
class DoseHoldAdmin(ReadOnlyAdmin):
    list_display = ["id", "course", "start", "end", "reason", "recorded_by"]
    search_fields = ["patient__mrn"]
    list_select_related = ["course", "recorded_by"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    """Visits change through the front desk pages and their services (locks, reminders)."""

    list_display = ["id", "starts_at", "clinician", "type", "status"]
    list_filter = ["status", "type"]
    search_fields = ["patient__mrn"]
    list_select_related = ["clinician"]
    date_hierarchy = "starts_at"
