"""Whitenoise serving only the hashed static assets (issue 11 §1.10).

Whitenoise serves every file under ``STATIC_ROOT``. ``collectstatic`` with the manifest
storage leaves three kinds there: the hashed copies the pages link to
(``css/site.3f2a….css``), the unhashed originals (``css/site.css``) and the manifest
``staticfiles.json``, which lists every asset of the release. Only the first kind is
needed; the manifest told an outsider the exact release and every file name, and the
unhashed originals are never linked. With a manifest storage this middleware serves
only the names in the manifest's ``paths`` values (and whitenoise's .gz/.br variants
of them, which it finds by itself); with a plain storage (development, tests) it
serves everything but a manifest file.
"""

from __future__ import annotations

import os

from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from whitenoise.middleware import WhiteNoiseMiddleware


class HashedOnlyWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """``WhiteNoiseMiddleware`` that never adds the manifest or an unhashed copy."""

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        if url.startswith(self.static_prefix) and not self._serves(url, path):
            return
        super().add_file_to_dictionary(url, path, stat_cache=stat_cache)

    def find_file(self, url):
        """Autorefresh (development) looks files up per request: the same rule."""
        if url.startswith(self.static_prefix):
            path = url[len(self.static_prefix) :]
            if not self._serves(url, path):
                return None
        return super().find_file(url)

    def _serves(self, url: str, path: str) -> bool:
        storage = storages["staticfiles"]
        manifest_name = getattr(storage, "manifest_name", "staticfiles.json")
        if os.path.basename(path) == manifest_name:
            return False
        if not isinstance(storage, ManifestFilesMixin):
            return True  # development: nothing is hashed
        if not hasattr(self, "_hashed_urls"):
            self._hashed_urls = {
                self.static_prefix + name.replace("\\", "/")
                for name in storage.hashed_files.values()
            }
        return url in self._hashed_urls
