# Two commands for a newcomer: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp

.PHONY: install serve build validate test test-fast browser checkers bench

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

# docs/ and site/ together, all or nothing (a failed stage leaves the last good build in place)
build: install
	$(BIN)/python build_charts.py build --site

# a live preview: edits to the data, templates, messages or pages rebuild it, and the browser reloads
serve: install
	$(BIN)/python build_charts.py serve

# Browser tests need Debian's chromium; install it when we can, otherwise say loudly how.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "WARNING: /usr/bin/chromium is missing, browser tests will be SKIPPED."; \
		echo "WARNING: install it with: sudo apt-get install chromium"; \
	fi

# The Nu Html Checker (vnu.jar, pinned in package.json) for tests/test_html.py; install scripts are not
# needed (the jar is in the package) and Java comes from the machine.
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

checkers:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(NODE_STAMP); \
	else echo "WARNING: npm is missing, the HTML checks will be SKIPPED (install Node.js with npm)."; fi
	@command -v java >/dev/null || echo "WARNING: java is missing, the HTML checks will be SKIPPED;" \
		"install it with: sudo apt-get install default-jre-headless"

test: install browser checkers
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The quick loop while changing code: lint and every test not marked slow (no browser, no HTML checker).
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow"

# Timings of the build (not part of `make test`): long (the 200-partner site dominates); see bench/README.md.
bench: install
	$(BIN)/python bench/run.py
