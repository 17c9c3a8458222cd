"""The cube's vocabulary: dimensions, groups and the meaning of every coordinate.

A cube is an ``xarray.DataTree`` that arviz 1.x reads as is:

- ``/posterior``: model parameters with dims ``(chain, draw, ...)`` (prior draws when no
  fitted posterior was used: the root attribute ``parameter_source`` says which);
- ``/predictions``: risk metrics per parameter draw, dims ``(chain, draw, variant, ...)``,
  and the integer path counts they derive from (for Monte Carlo standard errors);
- ``/constant_data``: the scenario's inputs per variant;
- root attributes: provenance (see ``riskengine.cube.provenance``).

Every data variable carries ``description`` and ``units`` attributes.
"""

from __future__ import annotations

__all__ = ["DIMENSIONS", "GROUPS", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"

DIMENSIONS = {
    "chain": "Markov chain (posterior) or prior-sample block of the parameter draw",
    "draw": "parameter draw within a chain",
    "variant": "scenario variant (policy lever); the first is the baseline",
    "month": "month since the crisis began, 1-based; month 1 is the start level",
    "level": "escalation level: settled, threat, display, use_of_force, war (COW MID hostlev - 1)",
    "covariate": "escalation-model covariate (see riskengine.models.escalation.COVARIATE_NAMES)",
    "onset_cutpoint": "boundary between two first-month levels",
    "step_cutpoint": "boundary between two monthly step categories",
    "shifted_level": "active level whose step location is shifted vs use of force (threat, display, war)",
    "compared_era": "historical era compared with the post-Cold War reference era (before_1914, world_wars, cold_war)",
}

GROUPS = {
    "posterior": "model parameters (chain, draw, ...): posterior or prior draws",
    "predictions": "risk metrics and path counts (chain, draw, variant, ...)",
    "constant_data": "scenario inputs per variant",
}
