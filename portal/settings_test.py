"""Test settings: the real settings, with only speed and isolation overridden."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 50)
os.environ.setdefault("PORTAL_HTTPS", "false")

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Several checkouts (or helpers) may share one server: keep their test databases apart.
DATABASES["default"]["TEST"] = {
    "NAME": "test_portal" + os.environ.get("TEST_DB_SUFFIX", "")
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
