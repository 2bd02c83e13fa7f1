# The two commands a newcomer types: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: install system-deps run demo test test-sqlite test-postgres lint format bench clean vendor

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

system-deps:
	scripts/ensure-system-deps

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install system-deps lint test-sqlite test-postgres

test-sqlite: install
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	@echo "== pytest on PostgreSQL"
	scripts/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

# Full size on SQLite and on a throwaway PostgreSQL (about 15 minutes on 2 cores); the CI size
# is `make bench BENCH_ARGS=--small` (about 2 minutes). What the figures mean: BENCHMARKS.md.
bench: install
	WITH_BENCH_TOOLS=1 scripts/ensure-system-deps
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/db.sqlite3* var/media var/staticfiles .pytest_cache

# The discussion editor (pell, MIT) is vendored from npm into static/vendor/pell and committed,
# so running the app fetches nothing; this target refreshes it. The checksums in
# static/vendor/pell/SHA256SUMS are checked after unpacking.
PELL_VERSION = 1.0.6
vendor:
	rm -rf var/vendor && mkdir -p var/vendor
	cd var/vendor && npm pack --silent pell@$(PELL_VERSION) >/dev/null && tar xzf pell-$(PELL_VERSION).tgz
	cp var/vendor/package/dist/pell.min.js var/vendor/package/dist/pell.min.css var/vendor/package/LICENSE.md static/vendor/pell/
	cd static/vendor/pell && sha256sum -c SHA256SUMS

