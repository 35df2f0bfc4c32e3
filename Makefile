# The two commands of the course (see README.md):
#
#   make lab    install the course in .venv and open JupyterLab on chapter 00
#   make test   install the course and its test tools in .venv and run pytest
#
# Installs are idempotent: a stamp file in .venv remembers the last install and
# is redone only when pyproject.toml or the pins changed.  Every version is
# pinned (environment.yml: the runtime closure, which Binder installs;
# .ci/test-pins.txt: the test tools) and used as pip constraints
# (.ci/constraints.py), so pip installs exactly what the suite runs against.
#
#   make book   build the course as a static website in _build/html (book/build.py)
#   make lock   re-resolve the newest versions for Python 3.11 and 3.12 and
#               rewrite the pins (.ci/lock.py); then run `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
CONSTRAINTS := $(VENV)/constraints.txt
PYTEST_ARGS ?=
LAB_ARGS ?=
# jupyter refuses to start as root without --allow-root (containers, CI machines)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test install install-test venv chromium clean-venv lock book

# Serve the whole course folder (chapters/, exercises/ in the file browser) and
# open chapter 00: passing the notebook as an argument would serve chapters/ only.
lab: install
	$(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/chapters/00_welcome.ipynb $(LAB_ARGS)

test: install-test chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

venv: $(BIN)/python

install: $(VENV)/.installed-lab
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(CONSTRAINTS): environment.yml .ci/test-pins.txt .ci/constraints.py | $(BIN)/python
	$(BIN)/python .ci/constraints.py environment.yml .ci/test-pins.txt > $@.tmp
	mv $@.tmp $@

$(VENV)/.installed-lab: pyproject.toml $(CONSTRAINTS)
	$(PIP) install -c $(CONSTRAINTS) -e .
	touch $@

# The test install is a superset of the lab and book installs: it stamps all three.
$(VENV)/.installed-test: pyproject.toml $(CONSTRAINTS)
	$(PIP) install -c $(CONSTRAINTS) -e '.[test]'
	touch $@ $(VENV)/.installed-lab $(VENV)/.installed-book

# Debian's Chromium for the browser test (Playwright cannot download its own
# browser here).  Installed only when missing and when we are root (CI is);
# otherwise the browser test skips, or fails under CI=true.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser test"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
	  echo "note: /usr/bin/chromium is missing (install Debian's 'chromium'); the browser test will be skipped"; \
	fi

clean-venv:
	rm -rf $(VENV)

# The Pythons to lock for: CI's first run and Binder's (environment.yml: python=3.12).
LOCK_PYTHONS ?= $(shell PYENV_VERSION=3.11.7 pyenv which python3.11 2>/dev/null || command -v python3.11) \
                $(shell PYENV_VERSION=3.12.1 pyenv which python3.12 2>/dev/null || command -v python3.12)
lock:
	$(PYTHON) .ci/lock.py $(addprefix --python ,$(LOCK_PYTHONS))

# The course as a website: chapters, exercises (the students' copy) and a landing
# page from the README, executed with static figures, in _build/html.  Only the
# `book` extra is needed (Jupyter Book 1: Sphinx, builds offline).
book: $(VENV)/.installed-book
	$(BIN)/python book/build.py $(BOOK_ARGS)

$(VENV)/.installed-book: pyproject.toml $(CONSTRAINTS)
	$(PIP) install -c $(CONSTRAINTS) -e '.[book]'
	touch $@
