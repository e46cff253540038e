"""Admins edit the clinic's iPLEDGE settings and the two catalogs (contraception methods,
interacting medications) here; patient facts and the stored statuses are read-only, like all
patient data in the admin (changes go through the course pages and their services)."""

from django.contrib import admin

from patients.admin import ReadOnlyAdmin

from .models import (
    AbstinenceCommitment,
    Authorization,
    ConcomitantMedication,
    ContraceptionMethod,
    ContraceptionUse,
    CourseStatus,
    Enrollment,
    EntryTick,
    InteractingMedication,
    IpledgeSettings,
    MonthlyConfirmation,
    Prescription,
)


@admin.register(IpledgeSettings)
class IpledgeSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        ("Rule sets", {"fields": ["rems_2026_effective_on"]}),
        (
            "Before the first prescription",
            {"fields": ["days_between_pretreatment_tests", "requalify_after_category_change"]},
        ),
        ("Cannot get pregnant (2021 rules)", {"fields": ["cannot_get_pregnant_window"]}),
        (
            "Where tests count",
            {
                "fields": [
                    "rems_2021_home_tests_tolerated",
                    "rems_2021_office_is_clia_certified",
                    "rems_2026_home_tests_allowed",
                ]
            },
        ),
        (
            "Timing",
            {
                "fields": [
                    "post_treatment_test_days",
                    "post_treatment_test_grace_days",
                    "visit_window_days",
                    "pickup_closing_days",
                ]
            },
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return False  # one row, created by the data migration

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ContraceptionMethod)
class ContraceptionMethodAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "kind", "is_hormonal", "display_order", "active"]
    list_filter = ["kind", "is_hormonal", "active"]
    search_fields = ["label", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Recorded uses and iPLEDGE entries are compared by code: never change a used code.
        if obj is not None and ContraceptionUse.objects.filter(method=obj).exists():
            return ["code"]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not ContraceptionUse.objects.filter(method=obj).exists()


@admin.register(InteractingMedication)
class InteractingMedicationAdmin(admin.ModelAdmin):
    list_display = ["name", "interaction", "active"]
    list_filter = ["interaction", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not ConcomitantMedication.objects.filter(medication=obj).exists()


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["course", "enrolled_on", "consent_signed_on", "birth_defects_consent_signed_on", "recorded_by"]
    search_fields = ["patient__mrn"]
    list_select_related = ["course", "recorded_by"]


@admin.register(ContraceptionUse)
class ContraceptionUseAdmin(ReadOnlyAdmin):
    list_display = ["patient", "method", "started_on", "ended_on", "recorded_by"]
    list_filter = ["method"]
    search_fields = ["patient__mrn"]
    list_select_related = ["patient", "method", "recorded_by"]


@admin.register(AbstinenceCommitment)
class AbstinenceCommitmentAdmin(ReadOnlyAdmin):
    list_display = ["patient", "committed_on", "ended_on", "recorded_by"]
    search_fields = ["patient__mrn"]
    list_select_related = ["patient", "recorded_by"]


@admin.register(ConcomitantMedication)
class ConcomitantMedicationAdmin(ReadOnlyAdmin):
    list_display = ["patient", "medication", "started_on", "stopped_on", "recorded_by"]
    list_filter = ["medication__interaction"]
    search_fields = ["patient__mrn"]
    list_select_related = ["patient", "medication", "recorded_by"]


@admin.register(MonthlyConfirmation)
class MonthlyConfirmationAdmin(ReadOnlyAdmin):
    list_display = ["course", "counseling_on", "comprehension_on", "office_methods", "patient_methods", "visit_on"]
    search_fields = ["patient__mrn"]
    list_select_related = ["course"]


@admin.register(Prescription)
class PrescriptionAdmin(ReadOnlyAdmin):
    list_display = [
        "course",
        "written_on",
        "strength_mg",
        "capsules_per_day",
        "days_supply",
        "overridden",
        "prescriber",
    ]
    list_filter = ["overridden"]
    search_fields = ["patient__mrn"]
    list_select_related = ["course", "prescriber"]
    date_hierarchy = "written_on"


@admin.register(Authorization)
class AuthorizationAdmin(ReadOnlyAdmin):
    list_display = ["rma_number", "course", "obtained_on", "do_not_dispense_after", "status", "pharmacy", "replaces"]
    list_filter = ["status"]
    search_fields = ["rma_number", "patient__mrn"]
    list_select_related = ["course", "replaces"]
    date_hierarchy = "obtained_on"


@admin.register(EntryTick)
class EntryTickAdmin(ReadOnlyAdmin):
    list_display = ["course", "cycle_start", "code", "entered_on", "entered_by"]
    search_fields = ["patient__mrn"]
    list_select_related = ["course", "entered_by"]


@admin.register(CourseStatus)
class CourseStatusAdmin(ReadOnlyAdmin):
    list_display = ["course", "state", "next_due_on", "prescribe_by", "mg_per_kg", "projected_end", "computed_at"]
    list_filter = ["state", "rule_set"]
    search_fields = ["patient__mrn"]
    list_select_related = ["course"]
