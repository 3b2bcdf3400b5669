"""The test suite: PostgreSQL and Redis at 127.0.0.1 when they answer, else SQLite and the
filesystem transport, said loudly. ECOCLAIM_REQUIRE_SERVICES=1 (set by .ci/run) forbids the
fallback."""

import os
import socket
import sys
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_str


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


REQUIRE_SERVICES = env_bool("ECOCLAIM_REQUIRE_SERVICES", False)
PG_URL = env_str("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecoclaim")
TEST_REDIS_URL = env_str("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

_pg_up = _answers("127.0.0.1", 5432) if "@127.0.0.1:5432" in PG_URL else True
_redis_up = _answers("127.0.0.1", 6379)
if REQUIRE_SERVICES and not (_pg_up and _redis_up):
    raise ImproperlyConfigured(
        "ECOCLAIM_REQUIRE_SERVICES=1 but PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) "
        "does not answer; refusing to fall back to SQLite."
    )

# a worker process started by a test shares the test's files (ECOCLAIM_TEST_VAR_DIR)
TEST_VAR_DIR = (Path(os.environ["ECOCLAIM_TEST_VAR_DIR"]) if os.environ.get("ECOCLAIM_TEST_VAR_DIR")
                else Path(tempfile.mkdtemp(prefix="ecoclaim-test-")))
if _pg_up:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(PG_URL)}
    DATABASES["default"]["TEST"] = {"NAME": env_str("ECOCLAIM_TEST_DB_NAME", "test_ecoclaim")}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                             "NAME": str(TEST_VAR_DIR / "test.sqlite3")}}
    print("!! PostgreSQL at 127.0.0.1:5432 does not answer: tests fall back to SQLite.",
          file=sys.stderr)

if _redis_up:
    CELERY_BROKER_URL = TEST_REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(TEST_VAR_DIR / "celery"),
        "data_folder_out": str(TEST_VAR_DIR / "celery"),
        "store_processed": False,
    }
    (TEST_VAR_DIR / "celery").mkdir(exist_ok=True)
    print("!! Redis at 127.0.0.1:6379 does not answer: Celery tests use the filesystem "
          "transport.", file=sys.stderr)

TEST_SERVICES = {
    "database": "PostgreSQL" if _pg_up else "SQLite (fallback)",
    "broker": "Redis" if _redis_up else "filesystem (fallback)",
}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(TEST_VAR_DIR / "private"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = TEST_VAR_DIR / "private"
STATIC_ROOT = TEST_VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API in tests
