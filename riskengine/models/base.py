"""The small interface through which a model plugs into the ensemble engine and the cube.

A model package (``models/escalation/`` and, later, coalition, sanctions, supply chain)
exposes one ``EnsembleModel`` instance (``models/escalation/ensemble.py``). The engine never looks inside a model: it draws
parameters (``prior_draws`` or a fitted posterior), turns a scenario into per-variant
inputs (``scenario_inputs``), calls ``summarize`` on blocks of paths under ``jit`` and
``vmap`` (over draws and variants), sums the integer counts it returns over path blocks,
and asks ``metrics`` to turn summed counts into risk metrics. Everything is plain JAX or
NumPy: models never import dask or xarray, and describe their outputs by dimension names
from the cube's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

__all__ = ["Variable", "ScenarioInputs", "EnsembleModel"]


@dataclass(frozen=True)
class Variable:
    """A named array with dimension names and the attributes the cube records."""

    dims: tuple[str, ...]
    values: np.ndarray
    description: str
    units: str
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioInputs:
    """What a model needs from a scenario.

    ``inputs`` is a pytree whose leaves have a leading ``variant`` axis (passed to
    ``summarize`` one variant at a time under ``vmap``); ``static`` holds hashable
    settings fixed for the whole ensemble (e.g. the horizon), passed as keywords;
    ``constant_data`` describes the inputs for the cube; ``coords`` gives the coordinate
    values of the dimensions the model's outputs use (e.g. ``month``, ``level``).
    """

    inputs: Any
    static: dict[str, Any]
    constant_data: dict[str, Variable]
    coords: dict[str, np.ndarray]


class EnsembleModel(Protocol):
    """What the ensemble engine needs from a model (see module docstring)."""

    name: str
    parameter_dims: dict[str, tuple[str, ...]]
    parameter_coords: dict[str, tuple[str, ...]]

    def prior_draws(self, rng_key, num_samples: int) -> dict[str, np.ndarray]:
        """Parameter draws from the priors, each with leading axis ``num_samples``."""
        ...

    def scenario_inputs(self, scenario) -> ScenarioInputs:
        """Per-variant inputs, static settings and cube constant data for a scenario."""
        ...

    def summarize(self, key_words, params, inputs, path_index, valid, **static) -> dict:
        """Integer counts for one draw, one variant and a block of paths (jit/vmap safe)."""
        ...

    def metrics(self, counts: dict[str, np.ndarray], **static) -> dict[str, Variable]:
        """Counts summed over all paths -> count and probability variables."""
        ...
