"""Production settings, configured only from the environment as docker-compose.yml does, pass
Django's deployment checklist with no warning at all."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def production_env(**overrides: str) -> dict[str, str]:
    # Only what a container would have: nothing from the shell or the test run (such as
    # DJANGO_ALLOW_ASYNC_UNSAFE or DEBUG) may leak into the check.
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        # `check` opens no connection without --database, so these hosts need not exist.
        DATABASE_URL="postgres://ecoclaim:secret@postgres.invalid:5432/ecoclaim",
        REDIS_URL="redis://redis.invalid:6379/0",
        ALLOWED_HOSTS="ecoclaim.example.gov.cn",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issues():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output


def test_production_settings_refuse_to_start_without_secret_key():
    env = production_env()
    del env["SECRET_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
