#!/usr/bin/env bash
# Regenerate riskengine/data/escalation_posterior.nc and escalation_ppc.json from
# ../shared/data (or $RISKENGINE_DATA_DIR): NUTS, 4 chains x (500 warmup + 1500 draws),
# about 25 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/riskengine fit escalation --ppc --seed 20260611 --chains 4 --warmup 500 --samples 1500 \
  --chain-method "${CHAIN_METHOD:-sequential}" "$@"
