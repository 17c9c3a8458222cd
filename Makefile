# riskengine: two commands do all the set-up on a fresh clone: `make demo` and `make test`.
SHELL := /bin/bash
# The first Python >= 3.12 found (arviz 1.x and current jax need it); override with PYTHON=...
PYTHON ?= $(shell for p in python3.12 python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
            $$p -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export RISKENGINE_DATA_DIR ?= $(abspath ../shared/data)

.PHONY: demo test validate bench lint format lock clean

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "error: no Python >= 3.12 found; install python3.12 or run make PYTHON=/path/to/python3.12"; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[dev]"
	@touch $@

demo: $(STAMP)  ## run the quickstart scenario and say where the cube and the brief are
	$(BIN)/riskengine run configs/quickstart.yaml --out out/quickstart
	@echo "Open the brief: out/quickstart/brief.html (or brief.md); the cube: riskengine.open_cube('out/quickstart/cube.zarr')"

test: $(STAMP)  ## the test suite (quick checks; < 15 minutes on 2 cores)
	$(BIN)/python -m pytest -m "not slow" -q

MODEL ?= escalation sanctions onset joining supply_chain
ONLY ?=
validate: $(STAMP)  ## long validations per model (make validate MODEL=sanctions [ONLY="sbc"]): SBC with a negative control, recovery, backtest, refit
	@for model in $(MODEL); do echo "== validate $$model"; $(BIN)/python -m riskengine.models.$$model.validate $(if $(ONLY),--only $(ONLY)) || exit 1; done

BENCH_STAMP := $(VENV)/.bench-stamp
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[dev,bench]"
	@touch $@

bench: $(BENCH_STAMP)  ## benchmarks, written to benchmarks/RESULTS.md (and sanctions_nuts.json, SCALE.md, RARE_EVENT.md)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/sanctions_nuts.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/rare_event.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: $(STAMP)  ## re-pin requirements.lock from the current environment
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -v -e '^riskengine' -e '^pip==' > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf out .pytest_cache
