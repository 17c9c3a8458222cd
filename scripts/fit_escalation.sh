#!/usr/bin/env bash
# Regenerate riskengine/models/escalation/fitted/posterior.nc and ppc.json from
# ../shared/data (or $RISKENGINE_DATA_DIR) with the CLI's defaults, which are the shipped
# settings: NUTS, seed 20260611, 4 parallel chains x (300 warmup + 400 draws), about
# 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/riskengine fit escalation --ppc "$@"
