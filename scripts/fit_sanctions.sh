#!/usr/bin/env bash
# Regenerate riskengine/models/sanctions/fitted/posterior.nc and ppc.json from the TIES
# cases in ../shared/data (or $RISKENGINE_DATA_DIR) with the shipped settings, which are
# the defaults of `riskengine fit sanctions` (FIT_DEFAULTS in riskengine/models/sanctions/
# fit.py: NUTS, 4 parallel chains, seed, warmup and draws). Extra arguments are passed on
# (e.g. --out /tmp/posterior.nc). Exit code 1: a diagnostic floor or a required PPC row
# missed (the files are still written).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${RISKENGINE:-.venv/bin/riskengine}" fit sanctions --ppc "$@"
