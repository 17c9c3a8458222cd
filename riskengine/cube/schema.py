"""The cube's vocabulary: dimensions, groups and the meaning of every coordinate.

A cube is an ``xarray.DataTree`` that arviz 1.x reads as is:

- ``/posterior``: model parameters with dims ``(chain, draw, ...)`` (prior draws when no
  fitted posterior was used: the root attribute ``parameter_source`` says which);
- ``/predictions``: risk metrics per parameter draw, dims ``(chain, draw, variant, ...)``,
  and the integer path counts they derive from (for Monte Carlo standard errors);
- ``/constant_data``: the scenario's inputs per variant;
- root attributes: provenance (see ``riskengine.cube.provenance``).

Every data variable carries ``description`` and ``units`` attributes. ``DIMENSIONS``
holds the dimensions every cube has; each model declares its own (``dimensions``), which
the cube adds to this vocabulary.
"""

from __future__ import annotations

__all__ = ["DIMENSIONS", "GROUPS", "SCHEMA_VERSION"]

SCHEMA_VERSION = "2"

DIMENSIONS = {
    "chain": "Markov chain (posterior) or prior-sample block of the parameter draw",
    "draw": "parameter draw within a chain",
    "variant": "scenario variant (policy lever); the first is the baseline",
    "month": "month of the scenario, 1-based; month 1 is the first simulated month",
}

GROUPS = {
    "posterior": "model parameters (chain, draw, ...): posterior or prior draws",
    "predictions": "risk metrics and path counts (chain, draw, variant, ...)",
    "constant_data": "scenario inputs per variant",
}
