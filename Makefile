# One-command entry points. Every target creates .venv and installs into it when needed,
# from constraints.txt, so installs are reproducible.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.install-stamp
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: install run test lint format dev validate bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## make run [YEAR=2023]: materialise everything for a reporting year on the configured warehouse
run: $(STAMP)
	$(VENV)/bin/via-pipeline run $(if $(YEAR),--year $(YEAR))

## make test: the whole suite (PostgreSQL tests need VIA_TEST_POSTGRES_URL; .ci/run sets it)
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check via_pipeline via_pipeline_tests benchmarks
	$(VENV)/bin/ruff format --check via_pipeline via_pipeline_tests benchmarks
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format via_pipeline via_pipeline_tests
	$(VENV)/bin/ruff check --fix via_pipeline via_pipeline_tests

## make dev: the Dagster UI and daemon on http://127.0.0.1:3000 (loopback only)
dev: $(STAMP)
	mkdir -p $(DAGSTER_HOME)
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

## make bench [BENCH_SIZE=tiny] [BENCH=import bulk_load ...]: benchmarks; writes docs/performance.md
## (full size takes long: run it on a quiet machine; PostgreSQL from VIA_BENCH_POSTGRES_URL, default the local test server)
bench: $(STAMP)
	BENCH_SIZE=$(or $(BENCH_SIZE),full) $(PY) -m benchmarks.run $(if $(BENCH),--only $(BENCH))

validate: $(STAMP)
	mkdir -p $(DAGSTER_HOME)
	$(VENV)/bin/dagster definitions validate -w workspace.yaml

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
