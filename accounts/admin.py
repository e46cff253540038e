from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from .models import User


class StaffCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "role", "ipledge_prescriber_id"]

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class StaffChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "role", "ipledge_prescriber_id", "is_active"]

    def clean_email(self):
        return self.cleaned_data["email"].lower()


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["email", "full_name", "role", "ipledge_prescriber_id", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "full_name", "ipledge_prescriber_id"]
    ordering = ["full_name"]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal: list[str] = []
    fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "ipledge_prescriber_id", "is_active"]}),
        ("Password", {"fields": ["password"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "ipledge_prescriber_id", "password1", "password2"]}),
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Staff are deactivated, never deleted: their name stays on what they recorded.
        return False


# A role is a group named after the role value; an Admin may adjust its permissions here.
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["permissions"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
