# EcoClaim: `make run` starts the application, `make test` runs the whole suite (README.md).
# Both install first (`make install`): Debian packages, then .venv from requirements.lock.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# The suite must pass whatever the date: `make test` runs it again, browser tests aside, with
# the whole process's clock (Python, the Celery worker it starts) set by libfaketime to a
# quarter's last day, when the quarter-end warnings show, at 01:30 in Beijing while UTC is
# still on the day before. Empty: skip that run.
FAKED_NOW ?= 2027-03-30 17:30:00

# WeasyPrint renders through Pango and subsets fonts with HarfBuzz's subsetter
# (libharfbuzz-subset0, much faster than fontTools); forms are set in Noto Serif CJK SC.
APT_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
# Browser tests drive Debian's chromium through Playwright (never a downloaded browser);
# libfaketime runs the suite a second time on another date; poppler draws PDF pages to compare;
# the job recovery tests start a private redis-server of their own (never the shared one).
APT_TEST := chromium faketime poppler-utils redis-server
APT_PACKAGES := $(APT_RUN)
test: APT_PACKAGES := $(APT_RUN) $(APT_TEST)

# The Python install is redone only when requirements.lock's content changes.
LOCK_HASH := $(shell sha256sum requirements.lock | cut -c1-16)
STAMP := $(VENV)/.installed-$(LOCK_HASH)

DEMO_PASSWORD := EcoClaim-2026

.PHONY: help install system-packages run test lint

help:
	@echo "make run      install, migrate, load demo data, serve on http://127.0.0.1:$(PORT)/ with a Celery worker and beat"
	@echo "make test     install (with chromium), then run the whole test suite with pytest, and again on a faked date"
	@echo "make install  Debian packages and .venv from requirements.lock (quick when already done)"
	@echo "make lint     ruff"

install: system-packages $(STAMP)

# Checks with dpkg first, so a second run is quick and needs no root; apt-get update runs
# once, and only when something is missing.
system-packages:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q 'install ok installed' \
	    || missing="$$missing $$pkg"; \
	done; \
	if [ ! -x "$(PY)" ] && ! $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1; then \
	  missing="$$missing python3.11 python3.11-venv"; \
	fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "EcoClaim needs Debian packages that are not installed:$$missing"; \
	  echo "Run this once, then run make again:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing"; \
	  exit 1; \
	fi; \
	echo "Installing Debian packages:$$missing"; \
	apt-get update -q; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing

$(PY): | system-packages
	$(PYTHON) -m venv $(VENV)

# xstatic-bootstrap is an sdist whose build needs pkg_resources, so the build tools are
# pinned first and the lock is installed without build isolation.
$(STAMP): | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	  || { echo "$(VENV) is not Python 3.11: remove it and run make again"; exit 1; }
	$(PY) -m pip install --quiet pip==24.3.1 setuptools==75.8.0 wheel==0.48.0
	$(PY) -m pip install --quiet --no-build-isolation -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

# The embedded default needs no server: dev settings use SQLite and Celery's filesystem://
# transport; DATABASE_URL and REDIS_URL in the environment switch to PostgreSQL and Redis.
run: export DJANGO_SETTINGS_MODULE := config.settings.dev
run: export PYTHONUNBUFFERED := 1
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo
	@echo "EcoClaim: http://127.0.0.1:$(PORT)/"
	@if [ -n "$${DATABASE_URL:-}" ]; then echo "  database: DATABASE_URL ($${DATABASE_URL%%:*})"; \
	 else echo "  database: SQLite, var/ecoclaim.sqlite3 (set DATABASE_URL for PostgreSQL)"; fi
	@if [ -n "$${REDIS_URL:-}" ]; then echo "  broker:   REDIS_URL (Redis)"; \
	 else echo "  broker:   filesystem://, var/celery/ (set REDIS_URL for Redis)"; fi
	@echo "  demo logins, password $(DEMO_PASSWORD) for all:"
	@echo "    jingban   经办人"
	@echo "    chuzhang  机构负责人"
	@echo "    juzhang   部门负责人"
	@echo "    qiantou   牵头部门协调员"
	@echo "    jiancha   检察联络员"
	@echo "    caizheng  财政"
	@echo "    admin     系统管理员"
	@echo "  web, Celery worker and beat start now; Ctrl-C stops all three."
	@echo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" exec $(VENV)/bin/honcho start --port $(PORT) --procfile Procfile

define SERVICES_SUMMARY
import os, socket
from urllib.parse import urlsplit

def answers(host, port):
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False

# as config/settings/test.py: only the default address is probed and may fall back
url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecoclaim")
if "@127.0.0.1:5432" not in url:
    db = f"PostgreSQL {urlsplit(url).hostname}:{urlsplit(url).port} (TEST_DATABASE_URL)"
elif answers("127.0.0.1", 5432):
    db = "PostgreSQL 127.0.0.1:5432"
else:
    db = "SQLite (FALLBACK: PostgreSQL 127.0.0.1:5432 does not answer)"
broker = ("Redis 127.0.0.1:6379" if answers("127.0.0.1", 6379)
          else "filesystem:// (FALLBACK: Redis 127.0.0.1:6379 does not answer)")
browser = ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium")
           else "MISSING /usr/bin/chromium (browser tests skip, or fail under CI)")
strict = ("; fallback forbidden (ECOCLAIM_REQUIRE_SERVICES=1)"
          if os.environ.get("ECOCLAIM_REQUIRE_SERVICES") == "1" else "")
print(f"make test: database {db}; broker {broker}; browser {browser}{strict}")
endef
export SERVICES_SUMMARY

# The settings module comes from pyproject.toml (config.settings.test), whatever the shell has.
test: install
	@$(PY) -c "$$SERVICES_SUMMARY"
	env -u DJANGO_SETTINGS_MODULE $(PY) -m pytest $(PYTEST_ARGS)
	@if [ -n "$(FAKED_NOW)" ]; then \
	  echo "make test: again on a faked clock, $(FAKED_NOW) machine time (libfaketime), browser tests aside"; \
	  env -u DJANGO_SETTINGS_MODULE -u TZ faketime -f "@$(FAKED_NOW)" \
	    $(PY) -m pytest -q -p no:cacheprovider -m "not browser" $(PYTEST_ARGS); \
	fi

lint: install
	$(VENV)/bin/ruff check .
