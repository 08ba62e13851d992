# The verbs of nap-analysis. Each target creates the virtual environment it needs,
# with the exact versions of requirements.lock, so a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
YEAR ?=
LANG_ARG ?= nl
JOBS ?= 2

.PHONY: briefing test install validate clean-outputs benchmark lock

# pip compiles the packages it installs, but not this editable one; without a cached .pyc every
# process (the run and its kernel server) compiles the library again (0.1-0.3 s each), also where
# PYTHONDONTWRITEBYTECODE keeps Python from caching it. compileall only redoes changed files.
COMPILE = $(BIN)/python -m compileall -q nap_analysis > /dev/null

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(COMPILE)
	rm -f $(VENV)/.installed-*
	touch $@

## make briefing: this year's briefing and annexes (HTML, PDF, Word) from the bundled data into outputs/<year>/
briefing: $(STAMP)
	$(COMPILE)
	$(BIN)/nap-analysis run $(if $(YEAR),--year $(YEAR)) --lang $(LANG_ARG)

## make test: the whole test suite (what CI runs)
test: $(STAMP)
	$(BIN)/python -m pytest

validate: $(STAMP)
	$(BIN)/nap-analysis validate

benchmark: $(STAMP)
	$(COMPILE)
	$(BIN)/python benchmarks/run.py

## make lock: refresh requirements.lock from the current environment (after changing pyproject.toml)
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^nap-analysis' > requirements.lock
