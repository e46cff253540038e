from django.urls import path

from . import views

app_name = "ipledge"

course = "patients/<int:patient_id>/<int:course_id>/"

urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path(course, views.course_compliance, name="course"),
    path(course + "enrollment/", views.enrollment, name="enrollment"),
    path(course + "contraception/", views.contraception_add, name="contraception_add"),
    path(course + "contraception/<int:use_id>/end/", views.contraception_end, name="contraception_end"),
    path(course + "abstinence/", views.abstinence_add, name="abstinence_add"),
    path(course + "abstinence/<int:commitment_id>/end/", views.abstinence_end, name="abstinence_end"),
    path(course + "medications/", views.medication_add, name="medication_add"),
    path(course + "medications/<int:medication_use_id>/stop/", views.medication_stop, name="medication_stop"),
    path(course + "confirmations/", views.confirmation_add, name="confirmation_add"),
    path(course + "prescriptions/", views.prescription_add, name="prescription_add"),
    path(course + "authorizations/", views.authorization_add, name="authorization_add"),
    path(
        course + "authorizations/<int:authorization_id>/dispense/",
        views.authorization_dispense,
        name="authorization_dispense",
    ),
    path(
        course + "authorizations/<int:authorization_id>/reverse/",
        views.authorization_reverse,
        name="authorization_reverse",
    ),
]

from . import page_urls  # noqa: E402

urlpatterns += page_urls.urlpatterns
