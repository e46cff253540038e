from allauth.account.decorators import reauthentication_required
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from .models import User
from .sessions import end_all_sessions


class ReauthenticatedChangesMixin:
    """Changing who may do what (adding or editing a user, their role, activation or password,
    a role's permissions) asks for the password again when it was last confirmed more than
    ACCOUNT_REAUTHENTICATION_TIMEOUT ago. Reading the lists does not."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        view = reauthentication_required(super().changeform_view)
        return view(request, object_id, form_url, extra_context)


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
class UserAdmin(ReauthenticatedChangesMixin, DjangoUserAdmin):
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

    def user_change_password(self, request, id, form_url=""):
        return reauthentication_required(super().user_change_password)(request, id, form_url)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivation ends the sessions open on other devices at once; they would not
            # come back if the account were reactivated later.
            end_all_sessions(obj)


# A role is a group named after the role value; an Admin may adjust its permissions here.
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(ReauthenticatedChangesMixin, admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["permissions"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
