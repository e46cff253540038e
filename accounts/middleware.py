"""Session lifetime and two-factor enforcement."""

import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

# How often "last seen" is written back: once a minute at most, so an active user's session
# row is not rewritten on every click. The idle limit is therefore enforced to the minute.
_LAST_SEEN_RESOLUTION = 60


def _redirect_to_login(request):
    url = f"{reverse('account_login')}?next={request.path}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT without activity, and SESSION_ABSOLUTE_TIMEOUT
    after it began whatever the activity (a shared clinic computer left logged in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault("started_at", now)
            last_seen = session.setdefault("last_seen", now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            too_old = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or too_old:
                logout(request)
                reason = "inactivity" if idle else "the 12-hour limit"
                messages.info(request, f"Your session ended after {reason}. Please log in again.")
                return _redirect_to_login(request)
            if now - last_seen >= _LAST_SEEN_RESOLUTION:
                session["last_seen"] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Sends a user who must use two-factor authentication to set it up before anything else.

    Required for the Django admin always, and for the roles in MFA_REQUIRED_ROLES. A user with
    an authenticator cannot log in without its code (allauth asks for it), so "has TOTP" means
    "this session passed two factors".
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_names = ("mfa_", "account_logout", "account_reauthenticate")

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and self._required(request) and not is_mfa_enabled(user):
            match = request.resolver_match or _resolve(request.path_info)
            name = (match.url_name or "") if match else ""
            if not name.startswith(self._exempt_names):
                messages.warning(request, "Set up two-factor authentication to continue.")
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _required(request) -> bool:
        return request.path.startswith("/admin/") or request.user.role in settings.MFA_REQUIRED_ROLES


def _resolve(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None
