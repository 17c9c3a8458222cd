"""Warnings when a scenario's covariates lie outside the range of the fitted data.

The fitted posterior stores, per covariate, the minimum and maximum over the disputes it
was fitted to (root attribute ``covariate_ranges``, read by
:func:`riskengine.inference.ranges.covariate_ranges_from_posterior`). A scenario variant
whose covariate lies outside ``[min, max]`` makes the model extrapolate; the run API
reports each such case with these messages.
"""

from __future__ import annotations

import math

import numpy as np

from riskengine.models.escalation.core import COVARIATE_NAMES

__all__ = ["out_of_range_warnings"]

_COUNT_COVARIATES = {"challenger_side_size", "defender_side_size"}  # log(number of states)


def _describe(name: str, value: float) -> str:
    if name in _COUNT_COVARIATES:
        return f"{name} = log({math.exp(value):.0f} states) = {value:.2f}"
    return f"{name} = {value:.2f}"


def _describe_range(name: str, low: float, high: float) -> str:
    text = f"[{low:.3g}, {high:.3g}]"
    if name in _COUNT_COVARIATES:
        text += f" (max {math.exp(high):.0f} states)"
    return text


def out_of_range_warnings(covariates, variant_names, covariate_ranges) -> list[str]:
    """One message per (variant, covariate) outside the fitted range; [] when none.

    ``covariates`` (variants, 12) in ``COVARIATE_NAMES`` order; ``covariate_ranges`` maps
    name -> (min, max); covariates without a stored range are not checked.
    """
    covariates = np.atleast_2d(np.asarray(covariates, dtype=np.float64))
    messages = []
    for row, variant in zip(covariates, variant_names, strict=True):
        for index, name in enumerate(COVARIATE_NAMES):
            if name not in covariate_ranges:
                continue
            low, high = covariate_ranges[name]
            value = float(row[index])
            if value < low - 1e-9 or value > high + 1e-9:
                messages.append(
                    f"variant {variant!r}: {_describe(name, value)} lies outside the fitted "
                    f"data's range {_describe_range(name, low, high)}; the model extrapolates"
                )
    return messages
