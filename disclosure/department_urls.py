from __future__ import annotations

from django.urls import path

from disclosure.views import department

app_name = "bumen"
urlpatterns = [
    path("", department.department_index, name="index"),
    path("<int:pk>/", department.department_detail, name="detail"),
    path("<int:pk>/jigou/", department.department_profile, name="profile"),
]
