"""The portal's URLs plus one view that fails, to see the real 500 page in a browser."""

from __future__ import annotations

from django.urls import include, path

from portal.urls import handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("a planted failure for the 500 page test")


urlpatterns = [path("boom/", boom), path("", include(portal_urlpatterns))]
