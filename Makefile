# The two commands of the course (see README.md):
#
#   make lab    install the course in .venv and open JupyterLab on chapter 00
#   make test   install the course and its test tools in .venv and run pytest
#
# Installs are idempotent: a stamp file in .venv remembers the last install and
# is redone only when pyproject.toml or environment.yml changed.  The versions
# pinned in environment.yml are used as pip constraints (.ci/constraints.py),
# so pip installs exactly what Binder installs and what the suite runs against.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
CONSTRAINTS := $(VENV)/constraints.txt
PYTEST_ARGS ?=
LAB_ARGS ?=
# jupyter refuses to start as root without --allow-root (containers, CI machines)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test install install-test venv chromium clean-venv

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

$(CONSTRAINTS): environment.yml .ci/constraints.py | $(BIN)/python
	$(BIN)/python .ci/constraints.py environment.yml > $@.tmp
	mv $@.tmp $@

$(VENV)/.installed-lab: pyproject.toml $(CONSTRAINTS)
	$(PIP) install -c $(CONSTRAINTS) -e .
	touch $@

# The test install is a superset of the lab install: it stamps both.
$(VENV)/.installed-test: pyproject.toml $(CONSTRAINTS)
	$(PIP) install -c $(CONSTRAINTS) -e '.[test]'
	touch $@ $(VENV)/.installed-lab

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
