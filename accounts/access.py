"""Role checks shared by every app's views."""

from django.contrib.auth.decorators import permission_required as _django_permission_required
from django.core.exceptions import PermissionDenied


def require_permission(user, permission: str) -> None:
    """Raise PermissionDenied (403) unless the user's role grants ``permission``."""
    if not user.has_perm(permission):
        raise PermissionDenied


def permission_required(permission: str):
    """View decorator: 403 for a logged-in user whose role lacks ``permission``.
    (Anonymous users never get this far: LoginRequiredMiddleware sends them to login.)"""
    return _django_permission_required(permission, raise_exception=True)
