from django.conf import settings
from django.urls import NoReverseMatch, reverse


def navigation(request):
    """The navigation entries this user may use (settings.NAVIGATION), built only when a
    template shows them: partial pages (htmx panels) never pay for it."""

    def build():
        user = request.user
        if not user.is_authenticated:
            return []
        items = []
        for label, url_name, permission in settings.NAVIGATION:
            if permission and not user.has_perm(permission):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
        return items

    return {"nav_items": build, "clinic_name": settings.CLINIC_NAME}
