"""Role checks shared by every app's views.

Convention: every view is decorated with ``permission_required("<app>.<codename>")`` naming
the permission its role needs (or ``login_not_required`` for the few public pages), even when
it also calls ``patients.access.patient_for``. The decorator records the permission on the
view (``view.required_permission``) so the permission-matrix test can compute, for every URL
and every role, the answer it must get.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied


def require_permission(user, permission: str) -> None:
    """Raise PermissionDenied (403) unless the user's role grants ``permission``."""
    if not user.has_perm(permission):
        raise PermissionDenied


def permission_required(permission: str):
    """View decorator: 403 for a logged-in user whose role lacks ``permission``.
    (Anonymous users never get this far: LoginRequiredMiddleware sends them to login.)"""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_permission(request.user, permission)
            return view(request, *args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator
