# Two commands for a newcomer: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install serve build validate test browser

# Material for MkDocs prints an end-of-life banner on every run; it is known (see README).
export NO_MKDOCS_2_WARNING := 1

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

validate: install
	$(BIN)/python build_charts.py validate

build: install
	$(BIN)/python build_charts.py

serve: build
	$(BIN)/mkdocs serve

# Browser tests need Debian's chromium; install it when we can, otherwise say loudly how.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "WARNING: /usr/bin/chromium is missing, browser tests will be SKIPPED."; \
		echo "WARNING: install it with: sudo apt-get install chromium"; \
	fi

test: install browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest
