from django.urls import path

from . import views

app_name = "courses"

course = "patients/<int:patient_id>/<int:course_id>/"

urlpatterns = [
    path("patients/<int:patient_id>/new/", views.course_new, name="new"),
    path(course, views.course_detail, name="detail"),
    path(course + "what-if/", views.course_what_if, name="what_if"),
    path(course + "dose/", views.dose_change, name="dose_change"),
    path(course + "missed/", views.missed_dose, name="missed_dose"),
    path(course + "holds/", views.dose_hold, name="dose_hold"),
    path(course + "details/", views.course_details, name="details"),
    *(
        path(course + f"{action}/", views.course_transition, {"action": action}, name=action)
        for action in views.TRANSITION_SERVICES
    ),
]
