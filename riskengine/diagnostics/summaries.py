"""Posterior summaries of a per-draw probability: mean, credible interval, Monte Carlo error.

A risk metric in the cube is a probability ``p[chain, draw]`` estimated from a finite
number of paths per draw. Its posterior mean is summarised with an equal-tailed credible
interval over draws and the Monte Carlo standard error of the mean from arviz
(``mcse(method="mean")``), which sees both sources of Monte Carlo noise: the finite
number of draws (through their effective sample size) and the finite number of paths per
draw (binomial noise makes the per-draw values vary more).
"""

from __future__ import annotations

from dataclasses import dataclass

import arviz as az
import numpy as np
import xarray as xr

__all__ = ["ProbabilitySummary", "summarize_probability"]


@dataclass(frozen=True)
class ProbabilitySummary:
    """Posterior mean, equal-tailed credible interval and Monte Carlo standard error."""

    mean: float
    lower: float
    upper: float
    mcse: float
    credible_mass: float


def summarize_probability(values: xr.DataArray, credible_mass: float = 0.9) -> ProbabilitySummary:
    """Summarise a (chain, draw) DataArray of probabilities (or differences of them).

    Undefined draws (NaN: a conditional probability whose condition no path met) are
    left out; the MCSE then treats the remaining draws as one chain. Draws that are all
    equal have an MCSE of 0 (arviz gives NaN).
    """
    tail = (1.0 - credible_mass) / 2.0
    finite = np.isfinite(values.values)
    if not finite.all():
        values = xr.DataArray(values.values[finite][None, :], dims=("chain", "draw"))
    if values.size == 0:
        nan = float("nan")
        return ProbabilitySummary(nan, nan, nan, nan, credible_mass)
    lower, upper = np.quantile(values.values, [tail, 1.0 - tail])
    if np.ptp(values.values) == 0:  # every draw equal: the mean is exact
        mcse = 0.0
    else:
        mcse = az.mcse(values.to_dataset(name="value"), method="mean")["value"]
    return ProbabilitySummary(
        mean=float(values.mean()),
        lower=float(lower),
        upper=float(upper),
        mcse=float(mcse),
        credible_mass=credible_mass,
    )
