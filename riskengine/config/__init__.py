"""Scenario configuration: the pydantic schema and the YAML loader.

``load_scenario("configs/baltic.yaml")`` returns a validated :class:`Scenario`, or
raises :class:`riskengine.errors.ConfigError` listing every problem of the file as
``file:line: field.path: got <value>; allowed: <what is allowed>``.
"""

from riskengine.config.loading import load_scenario, load_scenario_text, validate_files
from riskengine.config.schema import (
    LEVELS,
    SCHEMA_VERSION,
    START_LEVELS,
    Actor,
    Crisis,
    EnsembleSettings,
    Member,
    Scenario,
    Variant,
)

__all__ = [
    "LEVELS",
    "SCHEMA_VERSION",
    "START_LEVELS",
    "Actor",
    "Crisis",
    "EnsembleSettings",
    "Member",
    "Scenario",
    "Variant",
    "load_scenario",
    "load_scenario_text",
    "validate_files",
]
