"""Permissions come from the user's role.

Each role is a Group of the same name whose permissions are created by data migrations (and
editable by an Admin in the Django admin). A user's role field decides which group applies, so
there is one source of truth for "what may this person do": their role.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class RoleAuthenticationBackend(AuthenticationBackend):
    def _get_group_permissions(self, user_obj):
        return Permission.objects.filter(group__name=user_obj.role)

    def get_all_permissions(self, user_obj, obj=None):
        """The role's and the user's own permissions in one query (Django's backend uses two):
        every page checks permissions, so this statement is on every request."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(group__name=user_obj.role) | Q(user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list("content_type__app_label", "codename").order_by()
            }
        return user_obj._perm_cache
