"""Display preferences (字体 大/中/小, 高对比度) kept in a cookie so they work without JS."""

from __future__ import annotations

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
