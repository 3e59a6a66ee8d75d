# Every target installs what it needs: a fresh clone runs `make demo` or `make test` and nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The browser the console's end-to-end tests drive (Debian's package; Playwright is told its
# path instead of downloading a browser of its own, which this network does not allow).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test lint typecheck bench test-rasa bench-rasa clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(CHROMIUM):
	$(SUDO) apt-get install -y -q chromium || \
		($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

demo: $(STAMP)
	$(BIN)/coupdemain serve --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# mypy on the packages, as configured in pyproject.toml ([tool.mypy]).
typecheck: $(STAMP)
	$(BIN)/mypy

# In order: lint, typecheck, then the tests.
# Two pytest workers: the suite is mostly CPU-bound and the machine has two cores. Each pytest
# worker makes its own PostgreSQL database and takes free ports, so they share nothing.
PYTEST_WORKERS ?= 2
test: lint typecheck $(CHROMIUM)
	COUPDEMAIN_TEST_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -n $(PYTEST_WORKERS)

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis

# A real Rasa 3.6 server (../shared/rasa/setup.sh: ~3 min the first time), then the adapter's
# tests against it. Not part of `make test`.
test-rasa: $(STAMP)
	bash ../shared/rasa/setup.sh
	$(BIN)/python -m pytest tests/nlu/test_rasa_server.py -m rasa -v

# Our model and Rasa's DIET on the same 5 cross-validation folds (DIET trains for 30+ min per
# fold on 2 cores; `python -m bench rasa --max-folds 1` runs one fold).
bench-rasa: $(STAMP)
	$(BIN)/python -m bench rasa
