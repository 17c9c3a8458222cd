#!/usr/bin/env bash
# Regenerate riskengine/models/onset/fitted/posterior.nc and ppc.json from the directed
# dyad-years built from ../shared/data (or $RISKENGINE_DATA_DIR) with the shipped settings, which are
# the defaults of `riskengine fit onset` (FIT_DEFAULTS in riskengine/models/onset/
# fit.py: NUTS, 4 parallel chains, seed, warmup and draws). Extra arguments are passed on
# (e.g. --out /tmp/posterior.nc). Exit code 1: a diagnostic floor or a required PPC row
# missed (the files are still written).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${RISKENGINE:-.venv/bin/riskengine}" fit onset --ppc "$@"
