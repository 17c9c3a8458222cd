"""The covariate ranges a fitted posterior was fitted on, read back from its file.

A model's fit stores, per covariate, the minimum and maximum over the rows it was fitted
to (root attribute ``covariate_ranges``, written with
:func:`riskengine.inference.fit.covariate_ranges`). Scenarios outside them make the model
extrapolate; each model words its own warnings (e.g.
:mod:`riskengine.models.escalation.ranges`).
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["covariate_ranges_from_posterior"]


def covariate_ranges_from_posterior(path) -> dict[str, tuple[float, float]]:
    """Covariate name -> (min, max) read from a posterior file's root attributes."""
    import xarray as xr

    with xr.open_datatree(Path(path), engine="h5netcdf") as tree:
        stored = tree.attrs.get("covariate_ranges")
    if stored is None:
        return {}
    ranges = json.loads(stored) if isinstance(stored, str) else stored
    return {name: (float(low), float(high)) for name, (low, high) in ranges.items()}
