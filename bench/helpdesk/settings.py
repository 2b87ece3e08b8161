"""Settings of the django-helpdesk project the ticket benchmark compares madoguchi with.

Production-like (DEBUG off) and on the same SQLite settings as madoguchi, so that the
comparison measures the applications rather than their database configuration. Run by
bench/helpdesk_side.py in bench/helpdesk/.venv; HELPDESK_BENCH_DATA names the data folder.
"""

import os
from pathlib import Path

DATA_DIR = Path(os.environ["HELPDESK_BENCH_DATA"])

SECRET_KEY = os.environ.get("SECRET_KEY", "bench-only-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The same SQLite settings as madoguchi/settings.py.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "helpdesk.sqlite3"),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=5000;PRAGMA temp_store=MEMORY;PRAGMA mmap_size=134217728;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SITE_ID = 1
LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = str(DATA_DIR / "media")

LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"

# The mail to the submitter is rendered from its template and handed to this backend; the
# benchmark of madoguchi sets the same backend, so neither side pays for delivery.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "support@tsukimi.example"

# The public form, open to visitors: the customer picks the queue (the kind of problem) and
# the priority; no due date (customers do not set one); no pinax-teams.
HELPDESK_SUBMIT_A_TICKET_PUBLIC = True
HELPDESK_VIEW_A_TICKET_PUBLIC = True
HELPDESK_REDIRECT_TO_LOGIN_BY_DEFAULT = False
HELPDESK_PUBLIC_TICKET_DUE_DATE = None
HELPDESK_TEAMS_MODE_ENABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
