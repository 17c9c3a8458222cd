"""Assemble the cube (an arviz-ready ``xarray.DataTree``) from draws, counts and inputs."""

from __future__ import annotations

import numpy as np
import xarray as xr

from riskengine.cube.schema import DIMENSIONS, GROUPS
from riskengine.models.base import Variable

__all__ = ["build_cube"]


def _data_array(variable: Variable, coords: dict) -> xr.DataArray:
    used = {dim: coords[dim] for dim in variable.dims if dim in coords}
    attrs = {"description": variable.description, "units": variable.units, **variable.attrs}
    return xr.DataArray(variable.values, dims=variable.dims, coords=used, attrs=attrs)


def _dataset(
    variables: dict[str, Variable], coords: dict, description: str, dimensions: dict
) -> xr.Dataset:
    dataset = xr.Dataset({name: _data_array(v, coords) for name, v in variables.items()})
    dataset.attrs["description"] = description
    for dim in dataset.dims:
        if dim in dataset.coords and dim in dimensions:
            dataset.coords[dim].attrs["description"] = dimensions[dim]
    return dataset


def _posterior_variables(model, parameter_draws: dict[str, np.ndarray]) -> dict[str, Variable]:
    """Parameters namespaced ``<model>.<name>``, with the units the model declares."""
    return {
        name: Variable(
            ("chain", "draw", *parameter.dims),
            np.asarray(parameter_draws[name]),
            parameter.description,
            parameter.units,
        )
        for name, parameter in model.parameters.items()
    }


def build_cube(
    model, scenario_inputs, parameter_draws, counts, *, variant_names, attributes
) -> xr.DataTree:
    """The cube: ``posterior``, ``predictions``, ``constant_data`` and provenance attributes.

    ``model`` is a ``riskengine.models.composite.Composite``: its declarations give the
    parameters' dims, units and descriptions and the meaning of its dimensions."""
    num_chains, num_draws = next(iter(parameter_draws.values())).shape[:2]
    coords = {
        "chain": np.arange(num_chains),
        "draw": np.arange(num_draws),
        "variant": np.asarray(variant_names),
        **{dim: np.asarray(values) for dim, values in model.parameter_coords.items()},
        **scenario_inputs.coords,
    }
    predictions = model.metrics(counts, **scenario_inputs.static)
    dimensions = DIMENSIONS | model.dimensions
    posterior = _posterior_variables(model, parameter_draws)
    groups = {
        "posterior": _dataset(posterior, coords, GROUPS["posterior"], dimensions),
        "predictions": _dataset(predictions, coords, GROUPS["predictions"], dimensions),
        "constant_data": _dataset(
            scenario_inputs.constant_data, coords, GROUPS["constant_data"], dimensions
        ),
    }
    tree = xr.DataTree.from_dict(groups)
    tree.attrs.update(attributes)
    return tree
