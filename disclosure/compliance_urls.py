"""The compliance monitor's staff pages, mounted at /staff/hegui/ (portal/urls.py)."""

from __future__ import annotations

from django.urls import path

from disclosure.views import compliance

app_name = "compliance"
urlpatterns = [
    path("", compliance.compliance_page, name="page"),
    path("export.xlsx", compliance.compliance_export, name="export"),
]
