# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
RAW_DIR := $(or $(DATA_RAW_DIR),data/raw)
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: install browser run test test-fast lint ui portal sample-national bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/.installed

# Debian packages the portal's tests use: headless Chromium (driven by Playwright through
# executable_path; Playwright's own browser download is not used), a Japanese font, and
# LibreOffice Calc (headless) to open the downloads as a user's spreadsheet would.
$(BIN)/.browser: $(BIN)/.installed
	@command -v chromium >/dev/null && command -v soffice >/dev/null \
		&& fc-list 2>/dev/null | grep -qi ipa || { \
		echo "Installing chromium, a Japanese font and LibreOffice Calc (apt-get)"; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium fonts-ipafont-gothic libreoffice-calc-nogui >/dev/null; }
	touch $@

browser: $(BIN)/.browser

run: install
	@if ! ls -d $(RAW_DIR)/[0-9][0-9][0-9][0-9] >/dev/null 2>&1; then \
		echo "No fiscal-year folders in $(RAW_DIR): writing the sample data."; \
		$(BIN)/python -m pipeline sample --size sample; \
	fi
	$(BIN)/python -m pipeline run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pytest-xdist workers: one per core (2 here: a third faster than one process, measured); a
# module's tests stay on one worker, so its shared runs are made once. PYTEST_WORKERS=0: no workers.
PYTEST_WORKERS ?= auto
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadfile

# Every test, as CI runs them, with the slowest listed at the end.
test: lint browser
	$(BIN)/python -m pytest $(PYTEST_XDIST) --durations=25

# The tests of single stages, SQL files and modules: everything not marked slow.
test-fast: lint
	$(BIN)/python -m pytest $(PYTEST_XDIST) -m "not slow" --durations=15

ui: install
	$(BIN)/dagster dev --host 127.0.0.1 --port 3000 -w workspace.yaml

# The prefecture portal over the published lists; accounts: python -m pipeline accounts.
portal: install
	$(BIN)/python -m portal --host $(or $(PORTAL_HOST),127.0.0.1) --port $(or $(PORTAL_PORT),8080)

sample-national: install
	$(BIN)/python -m pipeline sample --size national --format parquet --out data/national

# The benchmark on the national sample (cached in bench/cache/); writes BENCHMARKS.md.
# Then the register's: a 5M-row register read and reconciled against its 2M firms (one JSON line).
bench: install
	$(BIN)/python -m bench --size national
	$(BIN)/python bench/register.py --out BENCHMARKS.md
