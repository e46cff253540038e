"""Role checks shared by every app's views.

Convention: every view is decorated with ``permission_required("<app>.<codename>")`` naming
the permission its role needs (or ``login_not_required`` for the few public pages), even when
it also calls ``patients.access.patient_for``. The decorator records the permission on the
view (``view.required_permission``) so the permission-matrix test can compute, for every URL
and every role, the answer it must get.

Sensitive pages (exports, audit history: anything that discloses many records at once) use
``sensitive("<app>.<codename>")`` instead: the same permission check, then the password (or
TOTP code) confirmed within the last ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds (15 minutes).
"""

from functools import wraps

from allauth.account.decorators import reauthentication_required
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


def sensitive(permission: str):
    """View decorator for exports and audit pages: ``permission_required(permission)``, then a
    recent re-authentication (allauth sends the user to confirm their password and back).

    The permission is checked first, so a role that may never see the page gets 403 without
    being asked for a password. Use it as the outermost decorator, like permission_required::

        @sensitive("courses.export_course")
        @require_http_methods(["GET"])
        def course_export(request, course_id): ...
    """

    def decorator(view):
        wrapped = permission_required(permission)(reauthentication_required(view))
        wrapped.requires_reauthentication = True
        return wrapped

    return decorator
