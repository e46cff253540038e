from django.conf import settings
from django.shortcuts import redirect


def home(request):
    """Each role starts on its own page (settings.HOME_BY_ROLE), the patient list otherwise."""
    from django.urls import NoReverseMatch, reverse

    target = settings.HOME_BY_ROLE.get(request.user.role, "patients:list")
    try:
        return redirect(reverse(target))
    except NoReverseMatch:
        return redirect("patients:list")
