"""Capability ratio of the two sides of a dispute from COW National Material Capabilities.

``capability_ratio = log(sum CINC of side B / sum CINC of side A)`` in the dispute's start
year, clipped to ``[-CAPABILITY_RATIO_BOUND, CAPABILITY_RATIO_BOUND]``. Positive values
mean the defending side is stronger than the challenger.

Missing values: a state with no CINC in the start year takes the CINC of the nearest year
within ``NEAREST_YEAR_TOLERANCE`` years (ties go to the earlier year); a state with none
within that window is left out of its side's sum. When a whole side has no CINC the
ratio is undefined; the covariate is then 0.0 (even capabilities, the prior's centre)
and ``capability_missing`` is True for that dispute.

Clipping at +/-6 (a factor of about 400) only bounds the covariate for the likelihood;
CINC shares are strictly positive, so the logarithm is always finite before clipping.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "CAPABILITY_RATIO_BOUND",
    "NEAREST_YEAR_TOLERANCE",
    "capability_ratio",
    "member_capabilities",
]

CAPABILITY_RATIO_BOUND = 6.0
NEAREST_YEAR_TOLERANCE = 5


def member_capabilities(members: pd.DataFrame, capabilities: pd.DataFrame) -> pd.DataFrame:
    """Attach each side member's CINC in the dispute's start year (nearest year within 5).

    ``members`` has columns dispute_id, ccode, on_side_a, start_year; ``capabilities``
    has ccode, year, cinc (integer ccode and year). Returns ``members`` with ``cinc``
    (NaN where none within the window) and ``cinc_year`` (the year used).
    """
    left = members.sort_values("start_year", kind="stable").reset_index(drop=True)
    right = capabilities.assign(start_year=capabilities["year"]).rename(
        columns={"year": "cinc_year"}
    )
    return pd.merge_asof(
        left,
        right.sort_values("start_year", kind="stable"),
        on="start_year",
        by="ccode",
        direction="nearest",
        tolerance=NEAREST_YEAR_TOLERANCE,
    )


def capability_ratio(members: pd.DataFrame, capabilities: pd.DataFrame) -> pd.DataFrame:
    """Return, per dispute_id, ``capability_ratio`` (float64) and ``capability_missing``.

    See the module docstring for the missing-value and clipping rules.
    """
    with_cinc = member_capabilities(members, capabilities)
    sums = with_cinc.pivot_table(
        index="dispute_id", columns="on_side_a", values="cinc", aggfunc="sum", fill_value=0.0
    ).reindex(columns=[True, False], fill_value=0.0)
    side_a, side_b = sums[True].to_numpy(), sums[False].to_numpy()
    missing = (side_a <= 0.0) | (side_b <= 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(side_b / side_a)
    ratio = np.where(missing, 0.0, np.clip(ratio, -CAPABILITY_RATIO_BOUND, CAPABILITY_RATIO_BOUND))
    return pd.DataFrame(
        {"capability_ratio": ratio.astype(np.float64), "capability_missing": missing},
        index=sums.index,
    )
