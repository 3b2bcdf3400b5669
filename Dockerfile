# EcoClaim production image (docs/deployment.md). Docker cannot run on the machine this was
# written on, so this file is checked by reading; build it with `docker compose build`.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    ECOCLAIM_VAR_DIR=/app/var \
    XDG_CACHE_HOME=/tmp/.cache

# The same Debian packages `make install` installs: Pango for WeasyPrint, HarfBuzz's
# subsetter for fast font subsetting, Noto Serif/Sans CJK SC for the forms.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 ecoclaim \
    && useradd --system --uid 10001 --gid ecoclaim --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin ecoclaim

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. xstatic-bootstrap is an sdist
# whose build needs pkg_resources: pinned build tools, then no build isolation.
COPY requirements.lock ./
RUN pip install pip==24.3.1 setuptools==75.8.0 wheel==0.48.0 \
    && pip install --no-build-isolation -r requirements.lock

# The code stays owned by root: the app user can write only var/private (uploads, PDFs).
COPY . .

# Static files are part of the image (served by WhiteNoise). The settings need their
# variables to load; these placeholders exist only during this RUN and open no connection.
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    DATABASE_URL=postgres://collectstatic@localhost/none \
    REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/private \
    && chown ecoclaim:ecoclaim /app/var/private

USER ecoclaim
EXPOSE 8000

# Gunicorn reads WEB_CONCURRENCY (workers) and FORWARDED_ALLOW_IPS from the environment.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
