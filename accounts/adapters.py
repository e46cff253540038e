from allauth.account.adapter import DefaultAccountAdapter

from .sessions import end_all_sessions


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Staff accounts are created by an Admin; nobody signs themselves up."""
        return False

    def logout(self, request) -> None:
        """Logging out ends the user's sessions on every device, not only this browser's: a
        clinic computer left logged in elsewhere is closed too."""
        if request.user.is_authenticated:
            end_all_sessions(request.user)
        super().logout(request)
