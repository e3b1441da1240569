# Two commands on a fresh machine: `make up` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: up test lint data clean help

help:
	@echo "make up    - install into .venv, generate the default dataset, start the sandbox"
	@echo "make test  - install with dev dependencies and run the whole test suite"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

up: $(VENV)/.installed
	$(BIN)/sandbox up

lint: $(VENV)/.installed-dev
	$(BIN)/lint-imports

test: $(VENV)/.installed-dev
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

data: $(VENV)/.installed
	$(BIN)/sandbox data generate --force

clean:
	rm -rf $(VENV) synthetic_data/generated/*-s*

.PHONY: chromium
chromium:  # headless Chromium and chromedriver (Debian packages, needs root) for tests marked browser
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v pdftoppm >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null)

.PHONY: libreoffice
libreoffice:  # headless LibreOffice Calc (Debian package, needs root): tests open the CSV and XLSX exports in it
	@command -v soffice >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null)
