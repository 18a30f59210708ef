from django.urls import path
from django.views.generic import TemplateView

app_name = "requests_app"
_t = TemplateView.as_view(template_name="404.html")
urlpatterns = [path("", _t, name="landing"), path("staff/", _t, name="staff_queue")]
