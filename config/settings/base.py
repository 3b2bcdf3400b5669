"""Settings shared by every environment. Values that differ come from the environment."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("ECOCLAIM_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "insecure-dev-key-only-for-local-use")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_htmx",
    "import_export",
    "ninja",  # its bundled Swagger UI for /api/docs/ (no CDN)
    # shared core: stage apps depend on these, never the reverse
    "rules",
    "accounts",
    "workflow",
    "parties",
    # stages
    "screening",
    "cases",
    "negotiation",
    "restoration",
    "documents",
    # above the stages: the integration API
    "api",
    "disclosure",  # above the stages: information disclosure and the public site /public/
    # above the stages: search across them (/search/)
    "search",
    "oversight",  # above the stages: the dashboard (数据看板), issue 15
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.NoStoreForUsersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workflow.middleware.AuditActorMiddleware",
    "api.middleware.ApiCallLogMiddleware",
    # last, so that it sees the outcome of authentication
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "workflow.views.csrf_failure"  # a Chinese page (templates/403_csrf.html)
WSGI_APPLICATION = "config.wsgi.application"

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
                "workflow.context_processors.navigation",
            ],
            # {{ d|cn_date }}, {{ t|cn_datetime }}, {{ x|amount }} on every page (workflow/formatting.py)
            "builtins": ["workflow.templatetags.ecoclaim_format"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ecoclaim.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",  # Django's, user loaded with department
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Reverse proxies in front of the app (docs/deployment.md): the client's address is the
# ECOCLAIM_TRUSTED_PROXY_COUNT-th X-Forwarded-For entry from the right; 0 = REMOTE_ADDR.
# accounts.login_security.client_ip reads it; production sets 1 (the documented nginx).
ECOCLAIM_TRUSTED_PROXY_COUNT = env_int("ECOCLAIM_TRUSTED_PROXY_COUNT", 0)

# Login lockout (django-axes, accounts/login_security.py): AXES_FAILURE_LIMIT failures for one
# user name from one address lock that pair; ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT failures
# from one address, whatever the user names, lock the address. Either lock lasts
# AXES_COOLOFF_TIME after the last failure.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
if ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "ECOCLAIM_LOGIN_ADDRESS_FAILURE_LIMIT must not be below AXES_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.login_security.LoginLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.login_security.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.login_security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Idle expiry without a session write on every page: accounts.middleware.SessionRefreshMiddleware
# saves the session (moving its expiry SESSION_COOKIE_AGE ahead) at most every this many seconds.
SESSION_SAVE_EVERY_REQUEST = False
ECOCLAIM_SESSION_REFRESH_SECONDS = env_int("ECOCLAIM_SESSION_REFRESH_SECONDS", 300)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    # Uploaded evidence is private: no MEDIA_URL is routed; files leave only through
    # workflow.views.download_attachment, which applies the record's scope.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "private"

# Documents (documents/): the CJK serif the seven model forms are set in (fonts-noto-cjk).
ECOCLAIM_DOCUMENT_FONT_FAMILY = env_str("ECOCLAIM_DOCUMENT_FONT_FAMILY", "Noto Serif CJK SC")
ECOCLAIM_UPLOAD_MAX_BYTES = env_int("ECOCLAIM_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
ECOCLAIM_UPLOAD_ALLOWED_EXTENSIONS = env_list(
    "ECOCLAIM_UPLOAD_ALLOWED_EXTENSIONS",
    ["pdf", "jpg", "jpeg", "png", "tif", "tiff", "doc", "docx", "xls", "xlsx", "ofd", "zip",
     "mp4", "txt"],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Celery: Redis in production; the embedded default is the filesystem transport.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Rows per page on every list (keyset pagination, see workflow/pagination.py).
ECOCLAIM_PAGE_SIZE = env_int("ECOCLAIM_PAGE_SIZE", 25)

# --- Deadlines and notifications (workflow/deadlines.py, workflow/notifications.py) ---------
# The scan runs every ECOCLAIM_DEADLINE_SCAN_SECONDS under Celery beat; it reminds the
# responsible officer ECOCLAIM_DEADLINE_REMINDER_DAYS days before a due date, marks overdue
# deadlines, escalates them to the division head (机构负责人) after
# ECOCLAIM_DEADLINE_ESCALATE_DIVISION_DAYS days overdue and to the department head (部门负责人)
# ECOCLAIM_DEADLINE_ESCALATE_DEPARTMENT_DAYS days after that.
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

ECOCLAIM_DEADLINE_SCAN_SECONDS = env_int("ECOCLAIM_DEADLINE_SCAN_SECONDS", 300)
ECOCLAIM_DEADLINE_SCAN_BATCH = env_int("ECOCLAIM_DEADLINE_SCAN_BATCH", 500)
try:
    ECOCLAIM_DEADLINE_REMINDER_DAYS = sorted(
        {int(d) for d in env_list("ECOCLAIM_DEADLINE_REMINDER_DAYS", ["7", "3", "1"])},
        reverse=True)
except ValueError as exc:
    raise ImproperlyConfigured("ECOCLAIM_DEADLINE_REMINDER_DAYS must be whole days, e.g. 7,3,1") \
        from exc
if any(d < 0 for d in ECOCLAIM_DEADLINE_REMINDER_DAYS):
    raise ImproperlyConfigured("ECOCLAIM_DEADLINE_REMINDER_DAYS must not be negative")
ECOCLAIM_DEADLINE_ESCALATE_DIVISION_DAYS = env_int("ECOCLAIM_DEADLINE_ESCALATE_DIVISION_DAYS", 0)
ECOCLAIM_DEADLINE_ESCALATE_DEPARTMENT_DAYS = env_int(
    "ECOCLAIM_DEADLINE_ESCALATE_DEPARTMENT_DAYS", 3)
# An alert whose delivery task was lost (e.g. the broker was down at commit) is picked up by
# the next scan once it is this old.
ECOCLAIM_ALERT_RETRY_AFTER_SECONDS = env_int("ECOCLAIM_ALERT_RETRY_AFTER_SECONDS", 120)
ECOCLAIM_ALERT_MAX_ATTEMPTS = env_int("ECOCLAIM_ALERT_MAX_ATTEMPTS", 5)
# Absolute links in e-mails.
ECOCLAIM_SITE_URL = env_str("ECOCLAIM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "EcoClaim <noreply@localhost>")
# The filesystem transport keeps its exchange table in ./control unless told otherwise.
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS["control_folder"] = str(VAR_DIR / "celery" / "control")
# Lets several instances share one Redis (the worker test uses a queue of its own).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_BEAT_SCHEDULE["scan-deadlines"] = {
    "task": "workflow.scan_deadlines",
    "schedule": timedelta(seconds=ECOCLAIM_DEADLINE_SCAN_SECONDS),
}
# --- end of deadlines and notifications ------------------------------------------------------

# The dashboard's clue summary (oversight/summary.py) is recounted from the clues every night;
# a difference is logged as an error and fails the task.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["rebuild-clue-counts"] = {
    "task": "oversight.rebuild_clue_counts",
    "schedule": crontab(hour=2, minute=30),
}
# 0: the dashboard counts the clues themselves (the summary is still kept and rebuilt).
ECOCLAIM_CLUE_SUMMARY = env_bool("ECOCLAIM_CLUE_SUMMARY", True)

# Every .xlsx the app writes goes through workflow/spreadsheets.py (text written as text, never
# a formula); a remaining django-import-export export (Resource.export + a format, admin) has
# the library strip a leading "=" (OWASP; issue 14.1).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# Screening reports and imports (screening/reports.py, screening/imports.py): exports up to
# DIRECT_MAX_ROWS rows download at once, bigger ones run as a Celery task; a task silent for
# STALE_SECONDS is taken over.
ECOCLAIM_REPORT_DIRECT_MAX_ROWS = env_int("ECOCLAIM_REPORT_DIRECT_MAX_ROWS", 2000)
ECOCLAIM_REPORT_STALE_SECONDS = env_int("ECOCLAIM_REPORT_STALE_SECONDS", 3600)
# Excel imports (workflow/excel_import.py): data rows of one file; up to DIRECT_MAX_ROWS the
# preview and the confirmation run in the request, above it as a Celery job (each row is
# still ~20 SQL statements, bench/clue_import.py: 500 rows stay a few seconds).
ECOCLAIM_IMPORT_MAX_ROWS = env_int("ECOCLAIM_IMPORT_MAX_ROWS", 20000)
ECOCLAIM_IMPORT_DIRECT_MAX_ROWS = env_int("ECOCLAIM_IMPORT_DIRECT_MAX_ROWS", 500)
# rows of the sheet read at most, blank ones included (a million blank rows zip to little)
ECOCLAIM_IMPORT_MAX_SHEET_ROWS = env_int("ECOCLAIM_IMPORT_MAX_SHEET_ROWS", 30000)
ECOCLAIM_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("ECOCLAIM_IMPORT_MAX_UNCOMPRESSED_BYTES",
                                                 100 * 1024 * 1024)
ECOCLAIM_IMPORT_MAX_ZIP_RATIO = env_int("ECOCLAIM_IMPORT_MAX_ZIP_RATIO", 100)
ECOCLAIM_IMPORT_STALE_SECONDS = env_int("ECOCLAIM_IMPORT_STALE_SECONDS", 30 * 60)
ECOCLAIM_IMPORT_MAX_BYTES = env_int("ECOCLAIM_IMPORT_MAX_BYTES", 10 * 1024 * 1024)

# Background jobs (workflow/jobs.py): a send lost at commit (broker down) never fails the
# request; every ECOCLAIM_JOB_SWEEP_SECONDS a sweep queues again the exports and imports still
# queued REQUEUE_AFTER_SECONDS after they were requested, those running but stale (their
# STALE_SECONDS above), and the e-mails still pending EMAIL_RETRY_AFTER_SECONDS after writing.
ECOCLAIM_JOB_SWEEP_SECONDS = env_int("ECOCLAIM_JOB_SWEEP_SECONDS", 300)
ECOCLAIM_JOB_REQUEUE_AFTER_SECONDS = env_int("ECOCLAIM_JOB_REQUEUE_AFTER_SECONDS", 300)
ECOCLAIM_JOB_SWEEP_BATCH = env_int("ECOCLAIM_JOB_SWEEP_BATCH", 500)
ECOCLAIM_EMAIL_RETRY_AFTER_SECONDS = env_int("ECOCLAIM_EMAIL_RETRY_AFTER_SECONDS", 300)
# runs of an export or import job whose worker died before it is marked failed (失败, with the
# reason)
ECOCLAIM_JOB_MAX_ATTEMPTS = env_int("ECOCLAIM_JOB_MAX_ATTEMPTS", 3)
# rows between two progress steps (each one a heartbeat) of a background export or import job
ECOCLAIM_REPORT_PROGRESS_EVERY = env_int("ECOCLAIM_REPORT_PROGRESS_EVERY", 1000)
ECOCLAIM_IMPORT_PROGRESS_EVERY = env_int("ECOCLAIM_IMPORT_PROGRESS_EVERY", 100)
# tests only: milliseconds slept at each progress step of a job, to kill its worker mid-job
# (0 in production)
ECOCLAIM_JOB_STEP_DELAY_MS = env_int("ECOCLAIM_JOB_STEP_DELAY_MS", 0)
# retention, by the same periodic task: export files, unconfirmed import uploads
ECOCLAIM_EXPORT_RETENTION_DAYS = env_int("ECOCLAIM_EXPORT_RETENTION_DAYS", 30)
ECOCLAIM_IMPORT_RETENTION_DAYS = env_int("ECOCLAIM_IMPORT_RETENTION_DAYS", 7)
CELERY_BEAT_SCHEDULE["sweep-jobs"] = {
    "task": "workflow.sweep_jobs",
    "schedule": timedelta(seconds=ECOCLAIM_JOB_SWEEP_SECONDS),
}

# Integration API (api/, docs/api.md): calls per client and window ("120/min"; s, min, hour,
# day), counted in Django's cache; the 121st call of a minute answers 429.
ECOCLAIM_API_RATE_LIMIT = env_str("ECOCLAIM_API_RATE_LIMIT", "120/min")
