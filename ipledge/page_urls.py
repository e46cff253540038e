"""URLs of the iPLEDGE pages (``ipledge.page_views``); ipledge/urls.py appends them, so they
share the ``ipledge`` namespace."""

from django.urls import path

from . import page_views

course = "patients/<int:patient_id>/<int:course_id>/"

urlpatterns = [
    path("entries/", page_views.clinic_entries, name="entries"),
    path(course + "entries/", page_views.course_entries, name="course_entries"),
    path(course + "entries/mark/", page_views.entry_mark, name="entry_mark"),
    path(course + "calendar/", page_views.course_calendar, name="calendar"),
    path(course + "calendar.ics", page_views.course_calendar_ics, name="calendar_ics"),
    path(course + "months/", page_views.course_months, name="months"),
    path(course + "summary/", page_views.course_summary, name="summary"),
]
