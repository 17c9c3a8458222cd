#!/usr/bin/env bash
# Regenerate riskengine/models/sanctions/fitted/posterior.nc and ppc.json from the TIES
# cases in ../shared/data (or $RISKENGINE_DATA_DIR) with the shipped settings, which are
# the defaults of `python -m riskengine.models.sanctions.fit`: NUTS, 4 parallel chains,
# the seed, warmup and draws written in fit.py (DEFAULT_*). Extra arguments are passed on
# (e.g. --out /tmp/posterior.nc). Exit code 1: a diagnostic floor or a required PPC row
# missed (the files are still written).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "$PYTHON" -m riskengine.models.sanctions.fit --ppc "$@"
