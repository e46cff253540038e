from django.urls import path  # noqa: F401

app_name = "ipledge"

urlpatterns: list = []

from . import page_urls  # noqa: E402

urlpatterns += page_urls.urlpatterns
