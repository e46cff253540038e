"""Patient data in the Django admin is read-only: changes go through the app's forms and
services, which validate, lock, audit and recompute compliance. The admin is for looking up,
and for editing the texts of reminder messages."""

from django.contrib import admin

from .models import AccessEvent, MessageTemplate, OutboxMessage, Patient, RiskCategoryChange, WeightMeasurement
from .outbox import texts


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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "channel", "patient", "staff", "due_date", "send_after", "status", "attempts"]
    list_filter = ["status", "kind", "channel", "reason"]
    search_fields = ["=id", "=patient__mrn", "provider_message_id"]
    date_hierarchy = "send_after"
    list_select_related = ["patient", "staff"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """The texts are edited here; each kind and channel has exactly one (seeded by migration),
    so none is added or deleted. The model's clean() refuses unknown placeholders and words
    that would reveal the treatment."""

    list_display = ["kind", "channel", "subject", "updated_at"]
    list_filter = ["channel"]
    readonly_fields = ["kind", "channel", "placeholders", "updated_at"]
    fields = ["kind", "channel", "placeholders", "subject", "body", "updated_at"]

    @admin.display(description="Placeholders you may use")
    def placeholders(self, obj) -> str:
        return ", ".join(f"${name}" for name in sorted(texts.allowed_placeholders(obj.kind)))

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
