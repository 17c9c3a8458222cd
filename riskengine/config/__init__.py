"""Scenario configuration: the pydantic schema and the YAML loader.

``load_scenario("configs/baltic.yaml")`` returns a validated :class:`Scenario`, or
raises :class:`riskengine.errors.ConfigError` listing every problem of the file as
``file:line: field.path: got <value>; allowed: <what is allowed>``. A model's own
section lives in its package (``riskengine.models.<name>.section``).
"""

from riskengine.config.core import (
    SCHEMA_VERSION,
    Actor,
    EnsembleSettings,
    ModelSection,
    SectionPatch,
)
from riskengine.config.loading import load_scenario, load_scenario_text, validate_files
from riskengine.config.schema import ResolvedVariant, Scenario, Variant
from riskengine.config.upgrade import upgrade_text

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
