"""Defence pacts inside a dispute's defending side, from ATOP directed dyad-years.

A dispute has ``defence_pact = 1.0`` when at least one pair of distinct states on the
defending side B shares an ATOP defence pledge (``atop_defense == 1``) in the dispute's
start year. ATOP is directed; the pair (x, y) is looked up as (ccode1, ccode2) = (x, y)
and as (y, x), so a pledge recorded in either direction counts. A one-state defending
side never has a pact. ATOP runs to 2018 and MID to 2014, so every start year is covered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["defence_pact"]


def defence_pact(members: pd.DataFrame, alliances: pd.DataFrame) -> pd.Series:
    """Return a boolean Series indexed by dispute_id: does side B contain a defence pact?

    ``members`` has columns dispute_id, ccode, on_side_a, start_year; ``alliances`` has
    ccode1, ccode2, year, atop_defense (integer codes and years).
    """
    defenders = members.loc[~members["on_side_a"], ["dispute_id", "ccode", "start_year"]]
    defenders = defenders.drop_duplicates()
    pairs = defenders.merge(defenders, on=["dispute_id", "start_year"], suffixes=("1", "2"))
    pairs = pairs[pairs["ccode1"] != pairs["ccode2"]]
    pledges = alliances.loc[alliances["atop_defense"] == 1, ["ccode1", "ccode2", "year"]]
    pledges = pledges.drop_duplicates().rename(columns={"year": "start_year"})
    # Both orders of each pair are in ``pairs``, so this one join checks both directions.
    linked = pairs.merge(pledges, on=["ccode1", "ccode2", "start_year"], how="inner")
    disputes = pd.Index(members["dispute_id"].unique(), name="dispute_id")
    return pd.Series(
        np.isin(disputes.to_numpy(), linked["dispute_id"].unique()),
        index=disputes,
        name="defence_pact",
    )
