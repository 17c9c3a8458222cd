"""Rebuild the supply-chain model's default tables from the shared data.

    python scripts/build_supply_tables.py [DATA_DIR]

writes ``riskengine/models/supply_chain/tables/production_shares.csv`` and
``chokepoint_shares.csv`` (see :mod:`riskengine.models.supply_chain.data`).
"""

from __future__ import annotations

import sys

from riskengine.data.paths import data_dir
from riskengine.models.supply_chain.data import CHOKEPOINT_TABLE, PRODUCTION_TABLE, build_tables


def main(argv: list[str]) -> None:
    production, chokepoints = build_tables(data_dir(argv[0] if argv else None))
    production.to_csv(PRODUCTION_TABLE, index=False, float_format="%.4f")
    chokepoints.to_csv(CHOKEPOINT_TABLE, index=False, float_format="%.4f")
    print(
        f"wrote {PRODUCTION_TABLE} ({len(production)} rows), {CHOKEPOINT_TABLE} ({len(chokepoints)} rows)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
