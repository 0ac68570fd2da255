# Set-up and everyday commands. Both `demo` and `test` work on a fresh clone.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: venv install install-dev compile-messages demo serve test test-fast lint migrations-check messages bench worker beat

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python

install: venv
	$(BIN)/pip install --quiet -r requirements.txt

install-dev: venv
	$(BIN)/pip install --quiet -r requirements-dev.txt

# GNU gettext where installed, else the catalogues' own compiler: neither command needs gettext.
compile-messages: venv
	@if command -v msgfmt >/dev/null 2>&1; then $(BIN)/python manage.py compilemessages --ignore=.venv >/dev/null; \
	else echo "note: GNU gettext (msgfmt) not found; compiling translations with locale/pofile.py"; \
	$(BIN)/python locale/pofile.py; fi

demo: install compile-messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-dev compile-messages
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	# Fast tests on both cores, then the tests with real workers, browsers and faults one at a time.
	$(BIN)/pytest -n 2 --dist loadfile -m "not integration and not e2e and not slow" $(PYTEST_ARGS)
	$(BIN)/pytest -m "integration or e2e or slow" $(PYTEST_ARGS)

test-fast: install-dev
	$(BIN)/pytest -m "not integration and not e2e and not slow" $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

messages: install-dev
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=bench --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install-dev
	$(BIN)/python bench/run_all.py

worker:
	$(BIN)/celery -A config worker -l info -c 2

beat:
	$(BIN)/celery -A config beat -l info
