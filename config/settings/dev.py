"""The embedded default: SQLite and the filesystem Celery transport, no server needed."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool, env_str

DEBUG = env_bool("DEBUG", True)
for folder in ("celery/queue", "celery/processed", "celery/control", "private", "static"):
    (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
# Deadline and notification e-mails are printed by the worker (docs/architecture.md).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
