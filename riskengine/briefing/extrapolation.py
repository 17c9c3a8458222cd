"""How far each variant's inputs lie outside the data its models were fitted on.

A fitted model records, per covariate, the range of the rows it was fitted to (its
parameter provenance's ``covariate_ranges``); the cube's ``constant_data`` holds each
variant's inputs along a dimension whose coordinates name those covariates. The distance
of a value outside ``[lower, upper]`` is measured in widths of the range; a range of
zero width (a covariate constant in the data, such as MID's crisis management) makes
any other value infinitely far: the data say nothing there.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

__all__ = ["FAR_OUTSIDE", "Outside", "variant_extrapolation"]

FAR_OUTSIDE = 0.25
"""Beyond a quarter of the fitted range's width, a value is far outside the data."""


@dataclass(frozen=True)
class Outside:
    """One input of a variant outside its fitted range, and how far (in range widths)."""

    name: str
    value: float
    lower: float
    upper: float

    @property
    def distance(self) -> float:
        beyond = max(self.lower - self.value, self.value - self.upper, 0.0)
        width = self.upper - self.lower
        if beyond == 0.0:
            return 0.0
        return beyond / width if width > 0 else math.inf

    def describe(self) -> str:
        return (
            f"{self.name} {self.value:g} against a fitted range of {self.lower:g} to {self.upper:g}"
        )


def _fitted_ranges(cube: xr.DataTree) -> dict[str, tuple[float, float]]:
    provenance = json.loads(cube.attrs.get("parameter_provenance", "{}") or "{}")
    ranges = {}
    for facts in provenance.values():
        stored = facts.get("covariate_ranges") if isinstance(facts, dict) else None
        if isinstance(stored, str):
            stored = json.loads(stored)
        for name, (lower, upper) in (stored or {}).items():
            ranges[name] = (float(lower), float(upper))
    return ranges


def variant_extrapolation(cube: xr.DataTree) -> dict[str, list[Outside]]:
    """Per variant, its inputs outside the fitted ranges (none: an empty list)."""
    ranges = _fitted_ranges(cube)
    variants = [str(v) for v in cube["predictions"]["variant"].values]
    found = {variant: [] for variant in variants}
    if not ranges or "constant_data" not in cube.children:
        return found
    for inputs in cube["constant_data"].to_dataset().data_vars.values():
        if inputs.dims[:1] != ("variant",) or inputs.ndim != 2:
            continue
        dim = inputs.dims[1]
        for index, coord in enumerate(inputs[dim].values):
            if str(coord) not in ranges:
                continue
            lower, upper = ranges[str(coord)]
            for variant, value in zip(variants, np.asarray(inputs)[:, index], strict=True):
                outside = Outside(str(coord), float(value), lower, upper)
                if outside.distance > 0:
                    found[variant].append(outside)
    return found
