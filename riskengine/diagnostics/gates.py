"""The diagnostics gate of a judgment: R-hat and effective sample size of its draws.

A judgment is a function of the parameter draws, so its values over ``(chain, draw)``
must mix like any posterior quantity. The floors here apply to the cube's draws (a
thinned selection of a fit that met the fit's own, stricter floors: R-hat <= 1.01 and
ESS >= 400, recorded in the cube's parameter provenance and checked at fit time). They
are set so that a few hundred independent draws pass and a stuck or shifted chain fails:

- rank-normalized split R-hat <= 1.05 (Vehtari et al. 2021);
- bulk effective sample size >= 100 (below it the 90% interval's ends are not known).

A judgment that misses a floor is "not assessable"; its reason names the value and the
floor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import arviz as az
import numpy as np
import xarray as xr

__all__ = ["MAX_RHAT", "MIN_ESS_BULK", "GateResult", "gate_judgment"]

MAX_RHAT = 1.05
MIN_ESS_BULK = 100.0


@dataclass(frozen=True)
class GateResult:
    """R-hat and bulk ESS of a judgment's draws, and why it fails the floors (or "")."""

    rhat: float
    ess_bulk: float
    reason: str

    @property
    def passed(self) -> bool:
        return not self.reason


def _statistic(function, values: xr.DataArray) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(function(values.to_dataset(name="value"))["value"])


def gate_judgment(values: xr.DataArray) -> GateResult:
    """Check a ``(chain, draw)`` DataArray against the floors. Undefined draws (NaN) are
    left out as in the summaries (the rest then count as one chain, without an R-hat); a
    constant judgment (every draw equal) passes."""
    finite = np.isfinite(values.values)
    if not finite.any():
        return GateResult(math.nan, math.nan, "")
    if not finite.all():
        values = xr.DataArray(values.values[finite][None, :], dims=("chain", "draw"))
    if np.ptp(values.values) == 0:
        return GateResult(1.0, float(values.size), "")
    rhat = _statistic(az.rhat, values) if values.sizes["chain"] > 1 else math.nan
    ess = _statistic(az.ess, values)
    reasons = []
    if values.sizes["chain"] > 1 and not rhat <= MAX_RHAT:
        reasons.append(
            f"R-hat {rhat:.3f} above the floor {MAX_RHAT}"
            if math.isfinite(rhat)
            else f"R-hat not computable from {values.size} draws"
        )
    if not ess >= MIN_ESS_BULK:
        reasons.append(
            f"effective sample size {ess:.0f} below the floor {MIN_ESS_BULK:.0f}"
            if math.isfinite(ess)
            else f"effective sample size not computable from {values.size} draws"
        )
    return GateResult(rhat, ess, "; ".join(reasons))
