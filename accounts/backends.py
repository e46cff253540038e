"""Permissions come from the user's role.

Each role is a Group of the same name whose permissions are created by data migrations (and
editable by an Admin in the Django admin). A user's role field decides which group applies, so
there is one source of truth for "what may this person do": their role.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.models import Permission


class RoleAuthenticationBackend(AuthenticationBackend):
    def _get_group_permissions(self, user_obj):
        return Permission.objects.filter(group__name=user_obj.role)
