from django.urls import path
from django.views.generic import TemplateView

app_name = "disclosure"
_t = TemplateView.as_view(template_name="404.html")
urlpatterns = [path("", _t, name="report_list"), path("staff/", _t, name="staff_report_list")]
