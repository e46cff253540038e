from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("day/", views.day_schedule, name="day"),
    path("week/", views.week_schedule, name="week"),
    path("due/", views.due_list, name="due"),
    path("book/<int:course_id>/", views.book, name="book"),
    path("<int:visit_id>/", views.visit_detail, name="detail"),
    path("<int:visit_id>/findings/", views.visit_findings, name="findings"),
    path("<int:visit_id>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:visit_id>/cancel/", views.cancel, name="cancel"),
    path("<int:visit_id>/check-in/", views.check_in, name="check_in"),
    path("<int:visit_id>/no-show/", views.no_show, name="no_show"),
]
