# Gongkai — the two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/3
# The part of the suite that exercises the cache, sessions, throttling and tasks, run again on Redis.
REDIS_TESTS := tests/core tests/accounts tests/portal tests/api/test_auth_and_docs.py
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: install run test test-sqlite test-redis test-postgres messages browser-deps lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Translations are compiled from the committed .po files (needs gettext's msgfmt).
messages: install
	@command -v msgfmt >/dev/null || { echo "installing gettext"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q gettext; }
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv

run: install messages
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py demo --if-empty
	@echo ""
	@echo "  Portal:       http://$(HOST):$(PORT)/"
	@echo "  Back office:  http://$(HOST):$(PORT)/office/"
	@echo "  API:          http://$(HOST):$(PORT)/api/v1/   docs: http://$(HOST):$(PORT)/api/v1/docs"
	@echo "  Health:       http://$(HOST):$(PORT)/healthz"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's chromium; CJK fonts make Chinese pages (and PDF letters) render.
# WeasyPrint's PDF letters need Pango and HarfBuzz's subsetter (without it a CJK font takes seconds to subset).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
		|| ! dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1; then \
		echo "installing chromium, fonts-noto-cjk and $(PDF_PACKAGES)"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium fonts-noto-cjk $(PDF_PACKAGES); \
	fi

lint: install
	$(BIN)/ruff check gongkai tests bench

test: install messages browser-deps lint test-sqlite test-redis test-postgres

test-sqlite:
	@echo "== tests on SQLite =="
	GONGKAI_ENV=test $(BIN)/python -m pytest

test-redis:
	@if $(BIN)/python -c "import redis; redis.Redis.from_url('$(REDIS_TEST_URL)', socket_connect_timeout=3).ping()" 2>/dev/null; then \
		echo "== cache, sessions, throttling and tasks on Redis ($(REDIS_TEST_URL)) =="; \
		GONGKAI_ENV=test REDIS_URL=$(REDIS_TEST_URL) CACHE_KEY_PREFIX=gongkai-test $(BIN)/python -m pytest $(REDIS_TESTS); \
	elif [ -n "$$CI" ]; then \
		echo "Redis is not reachable at $(REDIS_TEST_URL); CI requires it." >&2; exit 1; \
	else \
		echo "!! Redis is not reachable at $(REDIS_TEST_URL): the Redis run was NOT done." >&2; \
	fi

test-postgres:
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== tests on PostgreSQL ($(PG_TEST_URL)) =="; \
		GONGKAI_ENV=test DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL is not reachable at $(PG_TEST_URL); CI requires it." >&2; exit 1; \
	else \
		echo "!! PostgreSQL is not reachable at $(PG_TEST_URL): the PostgreSQL run was NOT done." >&2; \
	fi

clean:
	rm -rf $(VENV) staticfiles var/*.sqlite3*
