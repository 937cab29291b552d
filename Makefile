# codesign — two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=

.PHONY: run test install install-test assets messages screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The project, non-editable-safe: templates, migrations and compiled catalogs ship inside the package.
install: $(BIN)/python assets
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python assets
	$(BIN)/pip install --quiet -e ".[test]"

# Front-end assets from the npm registry (Bootstrap Italia), exactly as package-lock.json pins them.
assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

run: install
	$(BIN)/codesign demo
	HOST=$(HOST) PORT=$(PORT) $(BIN)/codesign run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser journey again, keeping its screenshots and axe-core report in docs/screenshots/ (needs Chromium).
screenshots: install-test
	CODESIGN_SCREENSHOTS=docs/screenshots CODESIGN_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/e2e/test_journey.py tests/e2e/test_monitoring.py tests/e2e/test_observatory.py -q

# The benchmarks of docs/performance.md (PostgreSQL on 127.0.0.1:5432, user postgres); PROPOSALS sets the size.
PROPOSALS ?= 1000
bench: install-test
	$(BIN)/python bench/ranking.py --proposals $(PROPOSALS)
	$(BIN)/python bench/evaluation.py --proposals $(PROPOSALS)
	$(BIN)/python bench/pages.py --proposals $(PROPOSALS)

# Re-extract the translatable strings and merge them into the catalogs (then translate the new ones).
messages: $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output --project codesign \
		-o codesign/translations/messages.pot .
	$(BIN)/pybabel update -i codesign/translations/messages.pot -d codesign/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache
