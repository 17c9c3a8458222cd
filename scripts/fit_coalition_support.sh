#!/usr/bin/env bash
# Regenerate riskengine/models/coalition/fitted/support_posterior.nc and
# support_posterior_ppc.json (the coalition model's member support: which states joined
# TIES sanctions cases as senders) from ../shared/data (or $RISKENGINE_DATA_DIR) with
# the shipped settings (FIT_DEFAULTS in riskengine/models/coalition/support_fit.py:
# NUTS, 4 parallel chains, seed, warmup and draws). Extra arguments are passed on
# (e.g. --out /tmp/support_posterior.nc, --listing capped_unknown). Exit code 1: a
# diagnostic floor or a required PPC row missed (the files are still written).
# About 10-20 minutes on 2 loaded cores; `nice` keeps it from starving other work.
set -euo pipefail
cd "$(dirname "$0")/.."
exec nice -n "${NICENESS:-19}" "${PYTHON:-.venv/bin/python}" -m riskengine.models.coalition.support_fit "$@"
