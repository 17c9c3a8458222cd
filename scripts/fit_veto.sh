#!/usr/bin/env bash
# Regenerate riskengine/models/veto/fitted/posterior.nc and ppc.json from the veto list and
# the UN General Assembly votes in ../shared/data (or $RISKENGINE_DATA_DIR) with the shipped
# settings (FIT_DEFAULTS in riskengine/models/veto/fit.py: NUTS, 4 parallel chains, seed,
# warmup and draws). Until the model is registered this runs
# `python -m riskengine.models.veto.fit --ppc`; once it is, `riskengine fit veto --ppc` does
# the same. Extra arguments are passed on (e.g. --out /tmp/posterior.nc). Exit code 1: a
# diagnostic floor or a required PPC row missed (the files are still written).
set -euo pipefail
cd "$(dirname "$0")/.."
export XLA_FLAGS="${XLA_FLAGS:-} --xla_force_host_platform_device_count=4"
exec "${PYTHON:-.venv/bin/python}" -m riskengine.models.veto.fit --ppc "$@"
