from django.urls import path
from django.views.generic import TemplateView

app_name = "catalog"
_t = TemplateView.as_view(template_name="404.html")
urlpatterns = [path("", _t, name="home"), path("xxgk/", _t, name="notice_list"), path("zhinan/", _t, name="guide"), path("mulu/", _t, name="directory"), path("sitemap/", _t, name="sitemap_page")]
