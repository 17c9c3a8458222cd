"""The scenario: the generic core plus one typed section per model, assembled from the
model registry, and variants that patch any section.

A scenario file (schema version 2) names the scenario, its horizon and its actors once,
then has one section per model it runs (``escalation:``, ``sanctions:``, ...; the keys are
the registry's model names) and the ensemble settings. Each variant is a name, a
description and, per model, a patch of that model's section. Version-1 files (one
``crisis``) are refused with a one-line message naming ``riskengine upgrade``
(:mod:`riskengine.config.upgrade`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import Field, PrivateAttr, create_model, model_validator

from riskengine.config.core import (
    SCHEMA_VERSION,
    SUPPORTED_SCHEMA_VERSIONS,
    Actor,
    ConfigModel,
    EnsembleSettings,
    HorizonMonths,
    ModelSection,
    Slug,
    Text,
    raise_problems,
)
from riskengine.config.messages import Allowed
from riskengine.config.references import scenario_problems
from riskengine.models import MODEL_NAMES, section_classes

__all__ = ["ResolvedVariant", "Scenario", "Variant", "SchemaVersion"]

SchemaVersion = Annotated[
    Literal[SCHEMA_VERSION],
    Allowed(
        f"{SCHEMA_VERSION} (the schema versions this riskengine reads: "
        f"{', '.join(map(str, SUPPORTED_SCHEMA_VERSIONS))}; upgrade a version-1 file with "
        "`riskengine upgrade FILE`)"
    ),
]


@dataclass(frozen=True)
class ResolvedVariant:
    """A variant with its patches applied: the actors and the sections it describes."""

    name: str
    description: str
    actors: dict[str, Actor]
    sections: dict[str, ModelSection]


class _VariantBase(ConfigModel):
    noun: ClassVar[str] = "a variant"
    name: Slug
    description: str = ""

    def patches(self) -> dict[str, Any]:
        """Model name -> this variant's patch of that model's section (set ones only)."""
        return {name: getattr(self, name) for name in MODEL_NAMES if getattr(self, name)}


def _variant_fields() -> dict[str, Any]:
    return {name: (section_classes(name)[1] | None, None) for name in MODEL_NAMES}


Variant = create_model("Variant", __base__=_VariantBase, **_variant_fields())
Variant.__doc__ = "A policy variant: a name and per-model patches of the scenario's sections."


class ScenarioJudgment(ConfigModel):
    """A key judgment the scenario adds to those its models declare (e.g. a conditional
    probability the scenario stages): a ``predictions`` variable, one value per draw and
    variant after ``select``."""

    noun: ClassVar[str] = "a judgment"
    variable: Text = Field(description="A predictions variable, e.g. p_war_by.")
    label: Text = Field(description="What the brief calls it, e.g. 'war within 6 months'.")
    select: dict[str, int | str] = Field(
        default_factory=dict, description="Coordinates to pick, e.g. {month: 6}."
    )
    kind: Literal["probability", "quantity"] = "probability"
    units: str = "probability"


def _default_variants() -> list[Any]:
    return [Variant(name="baseline")]


class _ScenarioBase(ConfigModel):
    """Fields every scenario has; the model sections and variants are added below."""

    noun: ClassVar[str] = "a scenario"
    schema_version: SchemaVersion = SCHEMA_VERSION
    name: Slug
    title: Text
    description: str = ""
    horizon_months: HorizonMonths = 24
    actors: list[Actor] = Field(min_length=1)
    judgments: list[ScenarioJudgment] | None = Field(
        None, description="Key judgments the brief states besides the models' own."
    )

    _source_path: Path | None = PrivateAttr(None)
    _source_text: str | None = PrivateAttr(None)
    _source_dump: dict[str, Any] | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check_references(self):
        raise_problems(scenario_problems(self))
        return self

    def __eq__(self, other: object) -> bool:
        """Scenarios are equal when their fields are; where they came from does not count."""
        if not isinstance(other, _ScenarioBase):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    @property
    def actor_table(self) -> dict[str, Actor]:
        """Actors by name, in the order declared."""
        return {actor.name: actor for actor in self.actors}

    @property
    def sections(self) -> dict[str, ModelSection]:
        """The model sections present, in registry order (the order models compose in)."""
        return {name: getattr(self, name) for name in MODEL_NAMES if getattr(self, name)}

    @property
    def model_names(self) -> tuple[str, ...]:
        """Names of the models the scenario runs, in the order they compose."""
        return tuple(self.sections)

    @property
    def variant_names(self) -> tuple[str, ...]:
        """Variant names in order; the first is the reference (baseline)."""
        return tuple(variant.name for variant in self.variants)

    def resolved_variants(self) -> list[ResolvedVariant]:
        """Each variant with its patches applied, in order."""
        type(self).build(**self.model_dump())  # catches in-place edits that bypassed checks
        return [resolve_variant(self, variant) for variant in self.variants]

    def with_ensemble(self, **changes: Any):
        """A validated copy with the given ensemble fields changed; ``self`` is untouched."""
        data = self.model_dump()
        data["ensemble"].update(changes)
        copy = type(self).build(**data)
        copy._attach_source(self._source_path, self._source_text, self._source_dump)
        return copy

    def to_yaml(self) -> str:
        """The scenario as YAML text that :func:`load_scenario_text` reads back."""
        data = self.model_dump(mode="json", exclude_none=True)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)

    @property
    def source_path(self) -> Path | None:
        """The file the scenario was loaded from (None when built in code)."""
        return self._source_path

    @property
    def source_text(self) -> str:
        """The original file text while the scenario is unchanged, else :meth:`to_yaml`."""
        if self._source_text is not None and self._source_dump == self.model_dump():
            return self._source_text
        return self.to_yaml()

    def _attach_source(
        self, path: Path | None, text: str | None, dump: dict[str, Any] | None = None
    ) -> None:
        """Record where the scenario came from (used by the loader)."""
        self._source_path = path
        self._source_text = text
        self._source_dump = self.model_dump() if dump is None else dump


def resolve_variant(scenario, variant) -> ResolvedVariant:
    """Apply ``variant``'s patches, model by model in registry order."""
    actors = dict(scenario.actor_table)
    sections = dict(scenario.sections)
    for name, patch in variant.patches().items():
        sections[name], actors = patch.apply(sections[name], actors)
    return ResolvedVariant(variant.name, variant.description, actors, sections)


def _scenario_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {name: (section_classes(name)[0] | None, None) for name in MODEL_NAMES}
    fields["variants"] = (list[Variant], Field(default_factory=_default_variants, min_length=1))
    fields["ensemble"] = (EnsembleSettings, ...)
    return fields


Scenario = create_model("Scenario", __base__=_ScenarioBase, **_scenario_fields())
Scenario.__doc__ = (
    "A scenario file: its actors, one section per model it runs, the variants to compare "
    "and the ensemble settings."
)
