"""Model registry: the one list of models, read by the config, the engine, the CLI and
``fit``.

Each model is a package ``riskengine/models/<name>/`` with (at least) the modules
``section`` (``SECTION`` and ``PATCH``: its scenario section and a variant's changes to
it; pydantic only, no jax), ``ensemble`` (``MODEL``: its declarations and simulator as
a :class:`riskengine.models.base.EnsembleModel`) and ``fit`` (``fit_command``). The
order of :data:`MODEL_NAMES` is the order in which models step within one simulated
path: a model reads only what models before it expose. :data:`STREAM_INDICES` gives each
model a fixed random-stream number, independent of that order, so adding a model never
changes the random numbers of the others.
"""

from __future__ import annotations

import functools
import importlib
from types import ModuleType

from riskengine.errors import ModelError

__all__ = [
    "MODEL_NAMES",
    "STREAM_INDICES",
    "ensemble_model",
    "get_model",
    "model_module",
    "section_classes",
]

MODEL_NAMES = ("onset", "escalation", "joining", "coalition", "sanctions", "supply_chain")
STREAM_INDICES = {
    "escalation": 0,
    "sanctions": 1,
    "onset": 2,
    "joining": 3,
    "coalition": 4,
    "supply_chain": 5,
}
"""Model name -> its random-stream number (model ``i`` draws from ``fold_in(key, i)``,
model 0 from the key itself); a new model takes the next free number."""


def model_module(name: str, part: str) -> ModuleType:
    """The module ``riskengine.models.<name>.<part>`` of a registered model."""
    if name not in MODEL_NAMES:
        raise ModelError(f"unknown model {name!r}; available: {', '.join(MODEL_NAMES)}")
    return importlib.import_module(f"riskengine.models.{name}.{part}")


def section_classes(name: str) -> tuple[type, type]:
    """The scenario section class and the variant patch class of a model."""
    module = model_module(name, "section")
    return module.SECTION, module.PATCH


def get_model(name: str):
    """The ``EnsembleModel`` registered under ``name``."""
    return model_module(name, "ensemble").MODEL


@functools.lru_cache(maxsize=16)
def ensemble_model(names: tuple[str, ...]):
    """The models ``names`` (in registry order) as one ``EnsembleModel`` (a Composite)."""
    from riskengine.models.composite import Composite

    ordered = sorted(names, key=MODEL_NAMES.index)
    return Composite([get_model(name) for name in ordered], [STREAM_INDICES[n] for n in ordered])
