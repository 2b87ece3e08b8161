"""Settings for the test suite: a throwaway data directory and the database under test.

`pytest` runs on SQLite. `MADOGUCHI_TEST_DB=postgres pytest` runs the same tests on the
PostgreSQL server named by MADOGUCHI_TEST_DATABASE_URL (see tests/conftest.py).
"""

import os
import tempfile

os.environ.setdefault("MADOGUCHI_DATA_DIR", tempfile.mkdtemp(prefix="madoguchi-test-"))
os.environ["MADOGUCHI_TESTING"] = "1"
os.environ.setdefault("DEBUG", "1")
if os.environ.get("MADOGUCHI_TEST_DB") == "postgres" and os.environ.get(
    "MADOGUCHI_TEST_DATABASE_URL"
):
    os.environ["DATABASE_URL"] = os.environ["MADOGUCHI_TEST_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)

from madoguchi.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": STORAGES["attachments"],  # noqa: F405
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise warns when it is missing)
# Every test reads the problem types from the database (a test's rollback would leave the
# in-memory copy behind); tests/tickets/test_catalogue.py tests the copy itself.
MADOGUCHI_PROBLEM_TYPES_CACHE_SECONDS = 0
