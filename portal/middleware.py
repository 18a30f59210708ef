"""Display preferences (字体 大/中/小, 高对比度) kept in a cookie so they work without JS,
and the page for a full disk."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

FONT_SIZES = {"small": "小", "medium": "中", "large": "大"}
FONT_COOKIE = "xxgk_font"
CONTRAST_COOKIE = "xxgk_contrast"


class DisplayPreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        font = request.COOKIES.get(FONT_COOKIE, "medium")
        request.font_size = font if font in FONT_SIZES else "medium"
        request.high_contrast = request.COOKIES.get(CONTRAST_COOKIE) == "on"
        return self.get_response(request)


class StorageFullMiddleware:
    """Any write that meets a full disk (``portal.filestore.StorageFull``) and was not
    handled by its view answers a Chinese 503 page instead of a generic 500, and logs
    an error (security.md §8, issue 11 §2.4). The transaction was rolled back by then."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from portal.filestore import StorageFull

        if not isinstance(exception, StorageFull):
            return None
        logger.error("storage full: %s %s", request.method, request.path)
        return render(request, "503_storage.html", status=503)
