from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import home

from . import health, system

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # The admin logs in through allauth too (rate limits, two-factor), never its own form.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("system/", system.system_status, name="system"),
    path("system/ping/", system.system_ping, name="system_ping"),
    path("patients/", include("patients.urls")),
    path("courses/", include("courses.urls")),
    path("visits/", include("courses.visits.urls")),
    path("labs/", include("labs.urls")),
    path("ipledge/", include("ipledge.urls")),
]
