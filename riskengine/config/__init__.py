"""Scenario configuration: the pydantic schema and the YAML loader.

``load_scenario("configs/baltic.yaml")`` returns a validated :class:`Scenario`, or
raises :class:`riskengine.errors.ConfigError` listing every problem of the file as
``file:line: field.path: got <value>; allowed: <what is allowed>``. A model's own
section lives in its package (``riskengine.models.<name>.section``).

The loader, the assembled schema and the upgrader are imported on first use: the
schema is built from every model's section, and a section imports
:mod:`riskengine.config.core`, so importing them here eagerly would make
``from riskengine.models.escalation.section import ...`` (as a first import) circular.
"""

from __future__ import annotations

import importlib

from riskengine.config.core import (
    SCHEMA_VERSION,
    Actor,
    EnsembleSettings,
    ModelSection,
    SectionPatch,
)

_LAZY = {
    "load_scenario": "riskengine.config.loading",
    "load_scenario_text": "riskengine.config.loading",
    "validate_files": "riskengine.config.loading",
    "ResolvedVariant": "riskengine.config.schema",
    "Scenario": "riskengine.config.schema",
    "Variant": "riskengine.config.schema",
    "upgrade_text": "riskengine.config.upgrade",
}

__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "EnsembleSettings",
    "ModelSection",
    "ResolvedVariant",
    "Scenario",
    "SectionPatch",
    "Variant",
    "load_scenario",
    "load_scenario_text",
    "upgrade_text",
    "validate_files",
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'riskengine.config' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
