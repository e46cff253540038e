"""Patient data in the Django admin is read-only: changes go through the app's forms and
services, which validate, lock, audit and recompute compliance. The admin is for looking up."""

from django.contrib import admin

from .models import AccessEvent, Patient, RiskCategoryChange, WeightMeasurement


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Patient)
class PatientAdmin(ReadOnlyAdmin):
    list_display = ["mrn", "last_name", "first_name", "date_of_birth", "risk_category", "ipledge_patient_id"]
    list_filter = ["risk_category", "sex", "preferred_channel", "reminder_opt_out"]
    search_fields = ["mrn", "last_name", "first_name", "ipledge_patient_id", "email"]
    date_hierarchy = "created_at"


@admin.register(RiskCategoryChange)
class RiskCategoryChangeAdmin(ReadOnlyAdmin):
    list_display = ["patient", "category", "effective_on", "changed_by", "created_at"]
    list_filter = ["category"]
    search_fields = ["patient__mrn"]
    list_select_related = ["patient", "changed_by"]


@admin.register(WeightMeasurement)
class WeightMeasurementAdmin(ReadOnlyAdmin):
    list_display = ["patient", "measured_on", "weight_kg", "entered_value", "entered_unit", "recorded_by"]
    search_fields = ["patient__mrn"]
    list_select_related = ["patient", "recorded_by"]


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "patient_id", "kind", "status_code", "path"]
    list_filter = ["kind", "status_code"]
    search_fields = ["patient_id", "user__email", "path"]
    date_hierarchy = "at"
    list_select_related = ["user"]
