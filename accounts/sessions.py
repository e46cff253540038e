"""Ending a user's sessions on every device.

Sessions made through the login form are listed by allauth.usersessions (one row per session);
ending one deletes it from the session store, so its cookie no longer logs anyone in. Logging
out and deactivation end all of a user's sessions; a password change ends the others through
Django's session hash (a session remembers a hash of the password it was opened with).
"""

from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession


def end_all_sessions(user) -> int:
    """End every session of ``user``, on every device; return how many were ended."""
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    get_adapter().end_sessions(sessions)
    return len(sessions)
