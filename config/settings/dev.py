"""The embedded default: SQLite and the filesystem Celery transport, no server needed."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env_bool

DEBUG = env_bool("DEBUG", True)
for folder in ("celery/queue", "celery/processed", "private", "static"):
    (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
