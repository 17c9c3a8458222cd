"""What a model declares so that the shared layers (ensemble, cube, briefing, api, cli)
can run it without knowing it.

A model package (``riskengine/models/<name>/``) exposes one ``EnsembleModel`` as
``ensemble.MODEL``. The engine draws its parameters (``prior_draws``, or the fitted
posterior at ``posterior_path``), turns a scenario into per-variant inputs
(``scenario_inputs``), calls ``summarize`` on blocks of paths under ``jit`` and ``vmap``
(over draws and variants), reduces each output as the model declares (``reductions``),
and asks ``metrics`` to turn the reduced totals into the cube's variables. The cube
takes units, descriptions and dimensions from ``parameters`` and ``dimensions``; the
brief takes its key judgments from ``judgments``; ``warnings`` says where a scenario
strains the model (data range, failed posterior checks).

To compose within one path, a model also exposes a :class:`Component` (its per-path
state and monthly transition); ``riskengine.models.composite`` steps several in one
scan. Everything here is plain JAX or NumPy: models never import dask or xarray.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

__all__ = [
    "Component",
    "CoreEnsemble",
    "Count",
    "EnsembleModel",
    "Event",
    "Figure",
    "FixedPointSum",
    "Histogram",
    "Judgment",
    "Parameter",
    "ScenarioInputs",
    "Variable",
]


@dataclass(frozen=True)
class Variable:
    """A named array with dimension names and the attributes the cube records."""

    dims: tuple[str, ...]
    values: np.ndarray
    description: str
    units: str
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Parameter:
    """A model parameter as the cube shows it: its dims (after chain, draw) and units."""

    dims: tuple[str, ...]
    units: str
    description: str


@dataclass(frozen=True)
class Judgment:
    """A headline judgment the brief states for every variant.

    ``variable`` is a ``predictions`` variable with dims (chain, draw, variant, ...);
    ``select`` picks one value per draw and variant (``{"month": 12}``; a negative month
    counts from the horizon, -1 being the last). ``kind`` is ``probability`` (stated
    with the estimative yardsticks) or ``quantity`` (stated with ``units``).
    """

    variable: str
    label: str
    select: dict[str, Any] = field(default_factory=dict)
    kind: str = "probability"
    units: str = "probability"


@dataclass(frozen=True)
class Figure:
    """A figure the brief draws from a ``predictions`` variable (dims chain, draw,
    variant, ...), so that the brief names no model's variables.

    ``kind`` ``fan``: one panel per variant, a line per value of ``series`` over ``x``
    (probabilities in %, log scale). ``exceedance``: a curve over ``x`` per variant, one
    panel per value of ``panels`` (if any), after ``select`` (log scale). Lines carry the
    posterior mean and the 90% credible band.
    """

    kind: str
    variable: str
    x: str
    title: str
    caption: str
    series: str | None = None
    panels: str | None = None
    select: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Count:
    """An integer output summed exactly over paths (the default for integer outputs)."""


@dataclass(frozen=True)
class FixedPointSum:
    """A per-path float output (last axis: paths) summed exactly as fixed-point integers:
    ``round(value * 2**scale_bits)`` and ``round(value**2 * 2**square_scale_bits)``, so
    the total and the sum of squares do not depend on how paths are grouped."""

    scale_bits: int = 8
    square_scale_bits: int = 0


@dataclass(frozen=True)
class Histogram:
    """A per-path output (last axis: paths) counted in fixed bins: ``len(edges) + 1``
    counts, bin ``i`` holding values in ``[edges[i-1], edges[i])`` (open-ended ends)."""

    edges: tuple[float, ...]


@dataclass(frozen=True)
class Event:
    """A named set of a component's final categories (e.g. ``use_of_force``: peak level
    use of force or war), used for conditional probabilities across models."""

    name: str
    categories: tuple[int, ...]
    description: str


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


class Component(Protocol):
    """A model's per-path state and monthly transition, for composing in one path.

    All arrays are per path (a sweep of paths); ``context`` maps signal names to the
    per-path values earlier components exposed this month (``signals``).
    """

    name: str
    final_categories: tuple[str, ...]
    events: tuple[Event, ...]

    def start(self, key_words, params, inputs, stream, valid, context: dict, *, num_months): ...

    def step(self, key_words, params, inputs, stream, state, step, context: dict): ...

    def signals(self, state) -> dict: ...

    def tally(self, state, valid) -> dict:
        """This month's counts over the sweep's valid paths (possibly packed)."""
        ...

    def unpack(self, tallies: dict) -> dict:
        """A sweep's monthly tallies (month, ...) -> int32 counts, before sweeps are summed."""
        ...

    def finish(self, params, inputs, state, valid, *, num_months) -> tuple[dict, dict]:
        """At the horizon: (integer counts, per-path values for declared reductions)."""
        ...

    def final_category(self, state): ...

    def complete(self, tallies: dict, finals: dict, num_valid) -> dict:
        """Summed tallies and counts -> the model's outputs (as its own summarize names)."""
        ...


class CoreEnsemble:
    """What every model's ``EnsembleModel`` derives the same way from its ``name`` and its
    core module (``core_module``: a numpyro ``model`` and a ``Params`` named tuple): the
    shipped posterior's path and prior draws of every ``Params`` field.

    ``posterior_source`` names the model whose fitted posterior supplies the draws (None:
    this model's own) and ``posterior_names`` maps parameter names to that file's variable
    names where they differ (the coalition reads its veto parameters from the veto
    model's posterior)."""

    name: str
    core_module: Any
    posterior_source: str | None = None
    posterior_names: dict[str, str] = {}

    @property
    def posterior_path(self) -> Path:
        from riskengine.models.paths import posterior_path

        return posterior_path(self.posterior_source or self.name)

    def figures(self, **static) -> list[Figure]:
        """The figures the brief draws from this model's outputs: none unless declared."""
        return []

    def prior_draws(self, rng_key, num_samples: int) -> dict[str, np.ndarray]:
        if num_samples == 1:  # numpyro runs one sample op by op; so does this
            from numpyro.infer import Predictive

            draws = Predictive(self.core_module.model, num_samples=1)(rng_key)
        else:
            draws = _prior_sampler(self.core_module, num_samples)(rng_key)
        return {name: np.asarray(draws[name]) for name in self.core_module.Params._fields}


@functools.lru_cache(maxsize=16)
def _prior_sampler(core_module, num_samples: int):
    """``numpyro.infer.Predictive(core_module.model, num_samples)`` for ``num_samples > 1``
    with its scan traced once per process and size.

    Predictive traces, lowers and compiles its ``lax.map`` over the sample keys again on
    every call (a fresh closure each time): ~0.12-0.2 s of every ``riskengine.run`` on the
    prior, measured on 2 cores. Here the same scan (numpyro's ``single_prediction``, with
    no posterior samples and its default options) is traced once to a jaxpr and evaluated
    eagerly, as Predictive does, so its one compiled executable is reused; a jit around
    the whole would constant-fold the model's constants and change the last bits of some
    draws (seen on the sanctions model). The draws equal Predictive's bit for bit
    (``tests/unit/test_prior_sampler.py``, every registered model).
    """
    import jax
    from numpyro.handlers import mask, seed, trace

    model = mask(core_module.model, mask=False)

    def single_prediction(key_data):
        model_trace = trace(seed(model, key_data)).get_trace()
        return {
            name: site["value"]
            for name, site in model_trace.items()
            if site["type"] in ("sample", "deterministic")
        }

    def mapped(key_data):
        return jax.lax.map(single_prediction, key_data)

    key_shape = jax.eval_shape(lambda: jax.random.key_data(jax.random.key(0))).shape
    shape = jax.ShapeDtypeStruct((num_samples, *key_shape), np.uint32)
    closed = jax.make_jaxpr(mapped)(shape)
    names = jax.tree.structure(jax.eval_shape(mapped, shape))

    def sample(rng_key):
        keys = jax.random.key_data(jax.random.split(rng_key, num_samples))
        flat = jax.core.eval_jaxpr(closed.jaxpr, closed.consts, keys)
        return jax.tree.unflatten(names, flat)

    return sample


class EnsembleModel(Protocol):
    """What the shared layers need from a model (see the module docstring)."""

    name: str
    parameters: dict[str, Parameter]
    dimensions: dict[str, str]  # dimension name -> description, for the cube's vocabulary
    parameter_coords: dict[str, tuple[str, ...]]
    reductions: dict[str, Count | FixedPointSum | Histogram]
    posterior_path: Path
    counter_steps: str  # how the model uses its counter stream (recorded in the cube)
    data_note: str  # what the model is fitted to, in a few words (for the brief)
    component: Component

    def prior_draws(self, rng_key, num_samples: int) -> dict[str, np.ndarray]: ...

    def scenario_inputs(self, scenario) -> ScenarioInputs: ...

    def summarize(self, key_words, params, inputs, path_index, valid, **static) -> dict: ...

    def metrics(self, totals: dict[str, Any], **static) -> dict[str, Variable]: ...

    def judgments(self, **static) -> list[Judgment]: ...

    def figures(self, **static) -> list[Figure]:
        """The figures the brief draws from this model's outputs."""
        ...

    def warnings(
        self, scenario, scenario_inputs, parameter_provenance: dict
    ) -> dict[str, list[str]]:
        """Notes by kind: ``posterior`` (the fitted posterior's own checks), ``range``
        (the scenario outside the fitted data)."""
        ...
