# The verbs of nap-analysis; `make` alone lists them. Each target creates the virtual environment it
# needs with the exact versions and hashes of the locks, so a fresh machine needs only python3:
# requirements.lock for a run, requirements-test.lock (the same versions plus the test tools) for
# the tests. On Windows, without make, the README gives the same steps with `py -m venv` and pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
TESTENV := $(VENV)/.test-$(shell cat requirements-test.lock pyproject.toml | cksum | cut -d' ' -f1)
YEAR ?=
LANG_ARG ?= nl
JOBS ?= 2
# make lock LOCK_ARGS=--upgrade (everything to the newest allowed), or LOCK_ARGS="--upgrade-package pandas"
LOCK_ARGS ?=
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --fork-strategy fewest \
	--generate-hashes $(LOCK_ARGS)

.DEFAULT_GOAL := help
.PHONY: help briefing test typecheck install validate lint benchmark lock clean-outputs

# pip compiles the packages it installs, but not this editable one; without a cached .pyc every
# process (the run and its kernel server) compiles the library again (0.1-0.3 s each), also where
# PYTHONDONTWRITEBYTECODE keeps Python from caching it. compileall only redoes changed files.
COMPILE = $(BIN)/python -m compileall -q nap_analysis > /dev/null

# tools/install_lock.py: the venv with the pip it brings, the lock with its hashes and --no-deps (pip
# resolves nothing, so no newer release on the index can come in through an extra), a check that
# every locked version and every requirement (extras too) is there, then this package, editable,
# built with the locked setuptools. It says what it does step by step.
define install_lock
	$(PYTHON) tools/install_lock.py $(1) --venv $(VENV)
	$(COMPILE)
	rm -f $(VENV)/$(2)-*
	touch $@
endef

$(RUNTIME): requirements.lock pyproject.toml
	$(call install_lock,requirements.lock,.runtime)

$(TESTENV): requirements-test.lock pyproject.toml
	$(call install_lock,requirements-test.lock,.test)

## make help: this list
help:
	@echo "make VERB (nap-analysis), VERB one of:"
	@sed -n 's/^## make //p' $(MAKEFILE_LIST)

## make briefing: this year's briefing and annexes (HTML, PDF, Word) from the bundled data into outputs/<year>/ (YEAR=2024 LANG_ARG=en for another)
briefing: $(RUNTIME)
	$(COMPILE)
	$(BIN)/nap-analysis run $(if $(YEAR),--year $(YEAR)) --lang $(LANG_ARG)

## make test: the type check, then the whole test suite on every core (what CI runs); it builds and installs the wheel once, which takes minutes
# pytest-xdist: one worker per core, each test file whole on one worker (its module fixtures made once),
# the files in the order tests/conftest.py gives them (the slowest first), not xdist's by test count
test: $(TESTENV)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -n logical --dist loadfile --no-loadscope-reorder

## make typecheck: only the type check, mypy over nap_analysis/ (its configuration is [tool.mypy] in pyproject.toml)
typecheck: $(TESTENV)
	$(BIN)/python -m mypy

## make install: only the environment of a run (.venv with requirements.lock and this package)
install: $(RUNTIME)

## make validate: check the bundled data (every problem with file, row and column)
validate: $(RUNTIME)
	$(BIN)/nap-analysis validate

## make lint: ruff lint and format check over the whole tree (the configuration is in pyproject.toml)
lint: $(TESTENV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make benchmark: time the runs (benchmarks/run.py)
benchmark: $(TESTENV)
	$(COMPILE)
	$(BIN)/python benchmarks/run.py

## make lock: remake both locks with hashes from pyproject.toml after changing a range there (other pins stay)
lock: $(TESTENV)
	$(UV_COMPILE) pyproject.toml requirements.in -o requirements.lock
	$(UV_COMPILE) pyproject.toml requirements.in requirements-test.in --extra test -c requirements.lock \
		-o requirements-test.lock

## make clean-outputs: delete everything generated in outputs/ (its README stays)
clean-outputs:
	find outputs -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
