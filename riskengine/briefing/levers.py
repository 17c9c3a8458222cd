"""Levers: what each variant changes, which parameters carry the change, and how much the
data informed them.

A variant differs from the baseline in the scenario inputs the cube records in
``constant_data`` (e.g. the escalation covariate ``crisis_management`` from 0 to 1). Where
such an input has a dimension that a parameter also has (``covariate`` of
``escalation.coefficients``), the parameter's entry at the changed coordinate is what
carries the lever's effect. Its *information ratio* is the spread (standard deviation)
of its draws in the cube over the spread of the model's prior: near 1 the data taught
nothing and the lever's effect rests on the prior alone (MID records no crisis
management, so its slope keeps its prior); well below 1 the data informed it.

The prior is drawn with the model's own ``prior_draws`` (its numpyro priors), from a key
derived from the cube's seed, so a brief is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import xarray as xr

from riskengine.errors import ModelError

__all__ = [
    "PRIOR_ONLY_RATIO",
    "INFORMED_RATIO",
    "Lever",
    "LeverParameter",
    "variant_levers",
]

PRIOR_ONLY_RATIO = 0.9
"""A parameter whose posterior spread is at least this share of its prior's rests on its
prior alone."""

INFORMED_RATIO = 0.5
"""Below this share the data informed the parameter clearly."""

NUM_PRIOR_DRAWS = 4000


@dataclass(frozen=True)
class LeverParameter:
    """One parameter entry a lever moves, with its posterior and prior spread."""

    name: str
    posterior_sd: float
    prior_sd: float

    @property
    def ratio(self) -> float:
        return self.posterior_sd / self.prior_sd if self.prior_sd > 0 else float("nan")


@dataclass(frozen=True)
class Lever:
    """What a variant changes against the baseline and the parameters carrying it."""

    variant: str
    changes: tuple[str, ...]
    parameters: tuple[LeverParameter, ...]

    @property
    def rests_on_prior(self) -> bool:
        """Every parameter the lever moves kept (nearly) its prior spread."""
        ratios = [p.ratio for p in self.parameters]
        return bool(ratios) and all(r >= PRIOR_ONLY_RATIO for r in ratios)

    @property
    def partly_on_prior(self) -> bool:
        return any(p.ratio >= PRIOR_ONLY_RATIO for p in self.parameters)

    @property
    def information_ratio(self) -> float:
        """The largest ratio: the lever is only as informed as its least informed part."""
        return max((p.ratio for p in self.parameters), default=float("nan"))


@cache
def _prior_draws(model_name: str, seed: int) -> dict[str, np.ndarray]:
    import jax

    from riskengine.models import get_model

    model = get_model(model_name)
    return model.prior_draws(jax.random.key(seed), NUM_PRIOR_DRAWS)


def _changed(inputs: xr.DataArray, variant: str, baseline: str) -> dict[str, list]:
    """Per non-variant dim of an input: the coordinates where the variant differs."""
    difference = inputs.sel(variant=variant) != inputs.sel(variant=baseline)
    changed = {}
    for dim in difference.dims:
        others = [d for d in difference.dims if d != dim]
        mask = difference.any(others) if others else difference
        changed[dim] = [coord.item() for coord in mask[dim][mask.values]]
    return changed


def _spreads(cube: xr.DataTree, dim: str, coord, seed: int) -> list[LeverParameter]:
    posterior = cube["posterior"].to_dataset()
    found = []
    for name, values in posterior.data_vars.items():
        if dim not in values.dims or "." not in name:
            continue
        model_name, parameter = name.split(".", 1)
        try:
            prior = _prior_draws(model_name, seed)[parameter]
        except (ModelError, KeyError):  # no such model or parameter: nothing to compare
            continue
        position = values.dims.index(dim) - 1  # prior draws: (sample, ...)
        index = int(np.flatnonzero(values[dim].values == coord)[0])
        prior_values = np.take(prior, index, axis=position)
        posterior_values = values.sel({dim: coord}).values
        found.append(
            LeverParameter(
                f"{name}[{coord}]", float(np.std(posterior_values)), float(np.std(prior_values))
            )
        )
    return found


def _describe_change(inputs: xr.DataArray, dim: str, coord, variant: str, baseline: str) -> str:
    """``crisis_management from 0 to 1``; for an input with more dims, what changed where."""
    before = inputs.sel({"variant": baseline, dim: coord})
    after = inputs.sel({"variant": variant, dim: coord})
    if before.ndim == 0:
        return f"{coord} from {float(before):g} to {float(after):g}"
    changed = int((before != after).sum())
    return f"{inputs.name} at {coord} ({changed} of {before.size} entries)"


def variant_levers(cube: xr.DataTree) -> dict[str, Lever]:
    """The lever of every variant but the baseline (the first variant)."""
    if "constant_data" not in cube.children or "posterior" not in cube.children:
        return {}
    constant = cube["constant_data"].to_dataset()
    variants = [str(v) for v in cube["predictions"]["variant"].values]
    seed = int(cube.attrs.get("seed", 0))
    levers = {}
    for variant in variants[1:]:
        changes, parameters = [], []
        for name, inputs in constant.data_vars.items():
            inputs = inputs.rename(name)
            if "variant" not in inputs.dims or inputs.dtype.kind not in "biuf":
                continue
            for dim, coords in _changed(inputs, variant, variants[0]).items():
                for coord in coords:
                    changes.append(_describe_change(inputs, dim, coord, variant, variants[0]))
                    parameters.extend(_spreads(cube, dim, coord, seed))
        levers[variant] = Lever(variant, tuple(changes), tuple(parameters))
    return levers
