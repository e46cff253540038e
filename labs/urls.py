from django.urls import path

from . import views

app_name = "labs"

urlpatterns = [
    path("review/", views.review_list, name="review"),
    path("patients/<int:patient_id>/", views.patient_labs, name="patient_labs"),
    path("patients/<int:patient_id>/panel/", views.panel_record, name="panel"),
    path(
        "patients/<int:patient_id>/specimens/<int:specimen_id>/review/", views.specimen_review, name="review_specimen"
    ),
    path("patients/<int:patient_id>/pregnancy-tests/", views.pregnancy_test_list, name="pregnancy_tests"),
    path("patients/<int:patient_id>/pregnancy-tests/new/", views.pregnancy_test_record, name="pregnancy_test_new"),
    path(
        "patients/<int:patient_id>/pregnancy-tests/<int:test_id>/verify/",
        views.pregnancy_test_verify,
        name="pregnancy_test_verify",
    ),
    path(
        "patients/<int:patient_id>/pregnancy-tests/<int:test_id>/photo/",
        views.pregnancy_test_photo,
        name="pregnancy_test_photo",
    ),
]
