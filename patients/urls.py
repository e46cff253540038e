from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    path("<int:patient_id>/", views.patient_chart, name="chart"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/risk-category/", views.risk_category_change, name="risk_category"),
    path("<int:patient_id>/weights/", views.weight_record, name="weights"),
    path("<int:patient_id>/history/", views.patient_history, name="history"),
]
