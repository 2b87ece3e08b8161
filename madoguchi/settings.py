"""Every setting of the project, read from the environment in this one module.

Environment variables (all optional unless DEBUG=0):
  MADOGUCHI_DATA_DIR  where the SQLite file, uploads and the demo secret key live (./data)
  DATABASE_URL        a database URL; default: SQLite in the data directory, WAL mode
  REDIS_URL           cache, rate limits and channel layer on Redis instead of the data directory
  SECRET_KEY          required when DEBUG=0; for the demo it is generated into the data directory
  DEBUG               1 or 0 (default 1 for the demo; set 0 in production)
  ALLOWED_HOSTS       comma-separated host names
  mail:               EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
                      EMAIL_USE_TLS, EMAIL_USE_SSL, DEFAULT_FROM_EMAIL, EMAIL_BACKEND
docs/configuration.md lists them all, with the security ones and those of `madoguchi serve`.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("MADOGUCHI_DATA_DIR", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("MADOGUCHI_TESTING", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
    # The demo keeps one key across restarts so that sessions survive.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written whole to a private file, then linked into place: of two processes starting
        # at once, the first link wins and both read that key; no one sees a partial file.
        draft = DATA_DIR / f".secret_key.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(64))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "madoguchi.accounts.apps.MadoguchiAdminConfig",  # django.contrib.admin, allauth login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "madoguchi.accounts",
    "madoguchi.safety",
    "madoguchi.search",
    "madoguchi.helpcenter",
    "madoguchi.tickets",
    "madoguchi.intake",
    "madoguchi.support",
    "madoguchi.mail",
    "madoguchi.reports",
    "madoguchi.demo",
    "madoguchi.api",
    "madoguchi.serving",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "madoguchi.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "madoguchi.urls"
WSGI_APPLICATION = "madoguchi.wsgi.application"
ASGI_APPLICATION = "madoguchi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "madoguchi.accounts.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
_sqlite_default = f"sqlite:///{DATA_DIR / 'madoguchi.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _sqlite_default), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open between requests: opening a SQLite file and running the PRAGMAs below cost
    # about 2 ms a request (bench/tickets.py), more than most queries of the page.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE avoids
        # "database is locked" when two transactions upgrade to write at once.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=5000;PRAGMA temp_store=MEMORY;PRAGMA mmap_size=134217728;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, rate limits, channel layer --------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    # A disk cache is shared by every worker process of one machine, so rate limits hold
    # across workers (a per-process cache would not). diskcache keeps it in SQLite: a rate
    # limit check costs about 0.15 ms where Django's file cache, which lists its whole
    # folder on every write, took 0.8 ms and grew with the number of keys.
    CACHES = {
        "default": {
            "BACKEND": "madoguchi.serving.disk_cache.PersistentDiskCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"size_limit": 256 * 1024 * 1024},
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Background work ---------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "search", "mail"],
    }
}

# Where people reach this madoguchi: links in mail (ticket pages, email confirmation) start here.
MADOGUCHI_BASE_URL = os.environ.get("MADOGUCHI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Accounts ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "madoguchi.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False  # logout is a POST with a CSRF token, never a link
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "10/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/h/key",
    "change_password": "5/m/user",
    "change_anti_phishing_code": "10/h/user",  # madoguchi.accounts.views
}
# Rate limits count per client IP: behind N reverse proxies, set TRUSTED_PROXY_COUNT=N so
# the address comes from X-Forwarded-For (otherwise every visitor shares the proxy's).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("MADOGUCHI_SITE_NAME", "Tsukimi Exchange")

# --- Internationalization ----------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # project-wide CSS and JS (not an app)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Ticket attachments live outside MEDIA_ROOT: no URL serves them, only the ticket's views.
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "attachments", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# DATA_UPLOAD_MAX_MEMORY_SIZE follows the attachment limit (Product settings, below).

# --- Email -------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "support@madoguchi.example")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# The support address customers write to and reply to (per-ticket: local+<token>@domain), the
# domains that are the exchange's own (mail claiming them from outside is flagged), the brand
# names a look-alike sender would imitate, and the hosts whose Authentication-Results we trust.
MADOGUCHI_MAIL_REPLY_ADDRESSES = env_list("MADOGUCHI_MAIL_REPLY_ADDRESSES", DEFAULT_FROM_EMAIL)
MADOGUCHI_MAIL_OWN_DOMAINS = env_list(
    "MADOGUCHI_MAIL_OWN_DOMAINS", DEFAULT_FROM_EMAIL.rpartition("@")[2]
)
MADOGUCHI_MAIL_BRAND_NAMES = env_list("MADOGUCHI_MAIL_BRAND_NAMES", "Tsukimi,ツキミ,月見")
MADOGUCHI_MAIL_AUTHSERV_IDS = env_list("MADOGUCHI_MAIL_AUTHSERV_IDS")
# The right side of the Message-IDs we send (default: the sender address's domain).
MADOGUCHI_MAIL_MESSAGE_ID_DOMAIN = os.environ.get("MADOGUCHI_MAIL_MESSAGE_ID_DOMAIN", "")
# IMAP mailboxes to read, as JSON: a list of {"name", "host", "port", "ssl", "username",
# "password" or "password_env", "folder", "brand", "language", "group"} (docs/email.md).
MADOGUCHI_MAILBOXES = json.loads(os.environ.get("MADOGUCHI_MAILBOXES", "[]") or "[]")
# Brands, as JSON: {"key": {"name", "from_email", "signature_ja", "signature_en"}}; a ticket
# without a brand is answered as the site (MADOGUCHI_SITE_NAME, DEFAULT_FROM_EMAIL).
MADOGUCHI_BRANDS = json.loads(os.environ.get("MADOGUCHI_BRANDS", "{}") or "{}")
# The SMTP receiver (`madoguchi receive-smtp`) for direct delivery from a mail server.
MADOGUCHI_SMTP_RECEIVER_HOST = os.environ.get("MADOGUCHI_SMTP_RECEIVER_HOST", "127.0.0.1")
MADOGUCHI_SMTP_RECEIVER_PORT = int(os.environ.get("MADOGUCHI_SMTP_RECEIVER_PORT", "2525"))
# The largest message it takes (bigger ones are refused 552), and the sessions it keeps open
# at once, in all and from one client address (more are told 421: come back later).
MADOGUCHI_SMTP_RECEIVER_MAX_MESSAGE_BYTES = int(
    os.environ.get("MADOGUCHI_SMTP_RECEIVER_MAX_MESSAGE_BYTES", str(25 * 1024 * 1024))
)
MADOGUCHI_SMTP_RECEIVER_MAX_SESSIONS = int(
    os.environ.get("MADOGUCHI_SMTP_RECEIVER_MAX_SESSIONS", "50")
)
MADOGUCHI_SMTP_RECEIVER_MAX_SESSIONS_PER_CLIENT = int(
    os.environ.get("MADOGUCHI_SMTP_RECEIVER_MAX_SESSIONS_PER_CLIENT", "10")
)

# --- Security ----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The preload directive only matters once the registrable domain is submitted to the
    # browsers' list; a help center on a subdomain of the exchange is safe to send it.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- Product settings ---------------------------------------------------------
MADOGUCHI_SITE_NAME = os.environ.get("MADOGUCHI_SITE_NAME", "Tsukimi Exchange")
MADOGUCHI_STALE_AFTER_DAYS = int(os.environ.get("MADOGUCHI_STALE_AFTER_DAYS", "180"))
# Hosts whose videos an article may embed (iframe); everything else is a plain link.
MADOGUCHI_VIDEO_HOSTS = env_list(
    "MADOGUCHI_VIDEO_HOSTS",
    "www.youtube-nocookie.com,www.youtube.com,youtu.be,player.vimeo.com,vimeo.com",
)
# Official domains on top of those kept in the admin (safety.OfficialChannel), comma-separated.
MADOGUCHI_OFFICIAL_DOMAINS = env_list("MADOGUCHI_OFFICIAL_DOMAINS")
MADOGUCHI_SEARCH_BACKEND = os.environ.get(
    "MADOGUCHI_SEARCH_BACKEND", ""
)  # "" = follow the database
# Ticket attachments: the largest file in bytes, and how many files one message carries.
MADOGUCHI_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("MADOGUCHI_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)
MADOGUCHI_ATTACHMENTS_PER_MESSAGE = int(os.environ.get("MADOGUCHI_ATTACHMENTS_PER_MESSAGE", "10"))
# How long each process may serve its in-memory copy of the problem types before reading them
# again (madoguchi.tickets.catalogue); an admin's change reaches every process at once anyway.
MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS = int(
    os.environ.get("MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS", "60")
)
# The ticket API carries files as base64 inside its JSON (4 bytes for every 3), so a body
# must hold one largest attachment encoded, with 1 MiB of room for the text around it.
# Uploaded files of the web form do not count against it, only its other fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = (MADOGUCHI_ATTACHMENT_MAX_BYTES + 2) // 3 * 4 + 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
