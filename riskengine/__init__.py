"""riskengine: Monte Carlo risk engine for multilateral-security questions.

Public API (imported lazily, so ``import riskengine`` is cheap and the CLI can configure
JAX before it loads):

- ``load_scenario(path)`` -> ``Scenario`` (pydantic; change it in code, validated)
- ``run(scenario, client=None, scheduler=None, workers=None)`` -> cube (``xarray.DataTree``)
- ``brief(cube)`` -> ``Brief`` (HTML in Jupyter; ``.html``, ``.markdown``, ``.write``)
- ``conditional(cube, event, given)``, ``tail_table(cube, ...)``,
  ``tail_convergence(cube, ...)``: questions across models, supply tails
- ``open_cube(path)`` / ``write_cube(cube, path, format)``
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "load_scenario": "riskengine.config",
    "load_scenario_text": "riskengine.config",
    "Scenario": "riskengine.config",
    "run": "riskengine.api",
    "brief": "riskengine.api",
    "RangeWarning": "riskengine.api",
    "PosteriorWarning": "riskengine.api",
    "conditional": "riskengine.queries",
    "tail_table": "riskengine.queries",
    "tail_convergence": "riskengine.queries",
    "open_cube": "riskengine.cube",
    "write_cube": "riskengine.cube",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'riskengine' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
