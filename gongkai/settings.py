"""Django settings. Every value is read from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gongkai.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEFAULT_SECRET_KEY = "insecure-demo-key-change-me-in-production"

GONGKAI_ENV = env_choice("GONGKAI_ENV", "development", ("development", "production", "test"))
PRODUCTION = GONGKAI_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY", DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The reverse proxies (nginx) whose X-Forwarded-For names the client (see gongkai/core/proxy.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DEBUG must be false")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the host names the site is served under")
    if problems:
        raise ImproperlyConfigured("GONGKAI_ENV=production refuses to start: " + "; ".join(problems))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "ninja",
    "gongkai.core",
    "gongkai.accounts",
    "gongkai.orgs",
    "gongkai.workdays",
    "gongkai.audit",
    "gongkai.disclosure",
    "gongkai.notifications",
    "gongkai.applications",
    "gongkai.interaction",
    "gongkai.services",
    "gongkai.supervision",
    "gongkai.records",
    "gongkai.reports",
    "gongkai.search",
    "gongkai.portal",
    "gongkai.office",
    "gongkai.api",
]

MIDDLEWARE = [
    "gongkai.core.proxy.ProxyAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gongkai.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gongkai.portal.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gongkai.urls"
WSGI_APPLICATION = "gongkai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongkai" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongkai.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'gongkai.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
except Exception as exc:  # dj-database-url raises several types for a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True) if _db["NAME"] != ":memory:" else None
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers never deadlock
        # halfway through a transaction (the audit chain reads then writes its head).
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _db["CONN_MAX_AGE"] = 0
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Behind PgBouncer in transaction mode a connection is shared between clients transaction by
    # transaction: no server-side cursors (they outlive the transaction) and no prepared
    # statements (psycopg prepares a query on its fifth run, on a server connection that the
    # next transaction may not get).
    DB_PGBOUNCER = env_bool("DB_PGBOUNCER", False)
    if DB_PGBOUNCER:
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True
        _db.setdefault("OPTIONS", {})["prepare_threshold"] = None
    _db["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "gongkai"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "office:login"
LOGIN_REDIRECT_URL = "office:dashboard"
LOGOUT_REDIRECT_URL = "office:login"

# Login throttling: this many failures for one account (or from one address)
# lock it for LOGIN_LOCKOUT_MINUTES.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)

# The public application form and tracking look-up, per client address and hour.
APPLY_THROTTLE_PER_HOUR = env_int("APPLY_THROTTLE_PER_HOUR", 10, minimum=1)
APPLY_INVALID_PER_HOUR = env_int("APPLY_INVALID_PER_HOUR", 50, minimum=1)
TRACK_FAILURES_PER_HOUR = env_int("TRACK_FAILURES_PER_HOUR", 20, minimum=1)
APPLY_MAX_FILES = env_int("APPLY_MAX_FILES", 5, minimum=0)
APPLY_UPLOAD_MAX_MB = env_int("APPLY_UPLOAD_MAX_MB", 10, minimum=1)
CAPTCHA_SECONDS = env_int("CAPTCHA_SECONDS", 900, minimum=60)
# The leader mailbox and comments on draft decisions, per client address and hour.
MAILBOX_THROTTLE_PER_HOUR = env_int("MAILBOX_THROTTLE_PER_HOUR", 10, minimum=1)
MAILBOX_INVALID_PER_HOUR = env_int("MAILBOX_INVALID_PER_HOUR", 50, minimum=1)
DECISION_COMMENTS_PER_HOUR = env_int("DECISION_COMMENTS_PER_HOUR", 10, minimum=1)
# Citizen accounts registered on the portal, per client address and hour.
REGISTER_THROTTLE_PER_HOUR = env_int("REGISTER_THROTTLE_PER_HOUR", 5, minimum=1)
REGISTER_INVALID_PER_HOUR = env_int("REGISTER_INVALID_PER_HOUR", 30, minimum=1)
# Appointments and online applications for services (办事预约, 网上申办), per client address and hour.
BOOKING_THROTTLE_PER_HOUR = env_int("BOOKING_THROTTLE_PER_HOUR", 10, minimum=1)
BOOKING_INVALID_PER_HOUR = env_int("BOOKING_INVALID_PER_HOUR", 50, minimum=1)
SERVICE_APPLY_THROTTLE_PER_HOUR = env_int("SERVICE_APPLY_THROTTLE_PER_HOUR", 10, minimum=1)
SERVICE_APPLY_INVALID_PER_HOUR = env_int("SERVICE_APPLY_INVALID_PER_HOUR", 50, minimum=1)

# Sessions expire after this many idle minutes (renewed on every request).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 60, minimum=5) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "gongkai" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing directory
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Uploaded files: the local disk (MEDIA_ROOT; shared by every app server, e.g. over NFS) or an
# S3-compatible object store (MinIO, Ceph, a cloud's), which needs the "s3" extra (django-storages).
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "filesystem", ("filesystem", "s3"))
if MEDIA_STORAGE == "s3":
    _media_storage: dict = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", ""),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", ""),
            # Private objects, handed out through short-lived signed URLs, never public links.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env_int("S3_URL_SECONDS", 300, minimum=30),
            "file_overwrite": False,
        },
    }
    if not _media_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET")
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gongkai@localhost")
# SMS provider: a dotted path to a class with send(phone, text). The default keeps SMS in the
# staff-visible outbox only; gongkai.notifications.send.ConsoleSms writes them to the log.
SMS_BACKEND = env_str("SMS_BACKEND", "gongkai.notifications.send.RecordOnlySms")

# Background tasks: "inline" runs them right after the transaction commits, in
# process (no extra server); "redis" queues them for `gongkai worker`.
TASKS_BACKEND = env_choice("TASKS_BACKEND", "redis" if REDIS_URL else "inline", ("inline", "redis"))
# Every task-queue key in Redis starts with this, so deployments (staging and production) or test
# runs sharing one Redis never take each other's tasks. Default: the cache's key prefix.
_cache_prefix = env_str("CACHE_KEY_PREFIX", "gongkai") or "gongkai"
TASKS_KEY_PREFIX = env_str("TASKS_KEY_PREFIX", "").strip() or _cache_prefix
# A task claimed more often than this (its worker died each time) goes to the dead letters, not run again.
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 5, minimum=1)
# Seconds a queued task may run before the worker interrupts it (0: no limit).
TASKS_TIME_LIMIT = env_int("TASKS_TIME_LIMIT", 600, minimum=0)

SITE_NAME = env_str("SITE_NAME", "政府信息公开平台")

# Anonymous portal pages are cached whole for this many seconds (0: off); any
# published change retires them at once (see gongkai/portal/cache.py).
PORTAL_CACHE_SECONDS = env_int("PORTAL_CACHE_SECONDS", 60, minimum=0)
# Buffered page views are written every this many views or seconds per process.
VIEWCOUNT_FLUSH_EVERY = env_int("VIEWCOUNT_FLUSH_EVERY", 200, minimum=1)
VIEWCOUNT_FLUSH_SECONDS = env_int("VIEWCOUNT_FLUSH_SECONDS", 60, minimum=1)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SILENCED_SYSTEM_CHECKS: list[str] = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
