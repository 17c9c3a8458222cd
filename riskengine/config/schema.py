"""Scenario schema: the crisis, the policy variants to compare and the ensemble settings.

Every model forbids unknown fields and validates on assignment, so a notebook user can
change ``scenario.horizon_months`` in code and get the same checks as the YAML loader.
Problems are raised as :class:`riskengine.errors.ConfigError`, one line per problem.

Capabilities are shares of world capability on the Correlates of War CINC scale
(0 < capability <= 1). Escalation levels follow :data:`LEVELS`; their index is the
level code used by the models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from riskengine.config.messages import (
    REFERENCES_ERROR,
    Allowed,
    Location,
    translate_errors,
)
from riskengine.config.references import crisis_problems, scenario_problems
from riskengine.errors import ConfigError

__all__ = [
    "LEVELS",
    "MAX_SEED",
    "MODEL_NAMES",
    "SCHEMA_VERSION",
    "START_LEVELS",
    "SUPPORTED_SCHEMA_VERSIONS",
    "Actor",
    "Commitment",
    "ConfigModel",
    "Crisis",
    "EnsembleSettings",
    "Member",
    "ModelName",
    "ParameterSource",
    "Scenario",
    "StartLevel",
    "Era",
    "Variant",
]

SCHEMA_VERSION = 1
SUPPORTED_SCHEMA_VERSIONS = (SCHEMA_VERSION,)
LEVELS = ("settled", "threat", "display", "use_of_force", "war")
"""Escalation levels; the index of a name is its level code (0..4)."""
START_LEVELS = {"threat": 1, "display": 2, "use_of_force": 3, "war": 4, "onset": -1}
"""Start level name -> level code; ``onset`` (-1) draws the first month's level from the
model's onset distribution."""
MAX_SEED = 2**32 - 1

ModelName = Literal["escalation"]
MODEL_NAMES: tuple[str, ...] = ModelName.__args__
Commitment = Literal["defence_pact", "ad_hoc", "none"]
StartLevel = Literal["threat", "display", "use_of_force", "war", "onset"]
# Historical eras of the escalation model's era effect (riskengine.models.escalation.core.ERA_NAMES).
Era = Literal["before_1914", "world_wars", "cold_war", "post_cold_war"]
ParameterSource = Literal["auto", "prior", "posterior"]

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Slug = Annotated[
    str,
    Field(pattern=SLUG_PATTERN),
    Allowed(
        "a lowercase name of letters a-z, digits, '_' and '-', starting with a letter or digit"
    ),
]
Text = Annotated[str, Field(min_length=1), Allowed("non-empty text")]
ActorName = Annotated[str, Field(min_length=1), Allowed("a non-empty name")]
Capability = Annotated[
    float,
    Field(gt=0, le=1),
    Allowed("a number greater than 0 and at most 1 (share of world capability, CINC scale)"),
]
Multiplier = Annotated[float, Field(gt=0), Allowed("a number greater than 0")]
Count = Annotated[int, Field(ge=1), Allowed("an integer of at least 1")]
HorizonMonths = Annotated[int, Field(ge=1, le=240), Allowed("an integer from 1 to 240")]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED), Allowed(f"an integer from 0 to {MAX_SEED}")]
SchemaVersion = Annotated[
    Literal[SCHEMA_VERSION],
    Allowed(
        f"{SCHEMA_VERSION} (the schema versions this riskengine reads: "
        f"{', '.join(map(str, SUPPORTED_SCHEMA_VERSIONS))})"
    ),
]


def _raise_problems(problems: list[tuple[Location, str]]) -> None:
    """Raise the cross-field problems as one pydantic error the translator expands."""
    if problems:
        summary = "; ".join(message for _, message in problems)
        raise PydanticCustomError(REFERENCES_ERROR, summary, {"problems": problems})


class ConfigModel(BaseModel):
    """Base of the schema: no unknown fields; assignments validated, raising ConfigError.

    (``__init__`` is not overridden: pydantic would then call it for nested models.
    Use :meth:`build` for a constructor that raises ConfigError.)
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)
    noun: ClassVar[str] = "a mapping"

    @classmethod
    def build(cls, **data: Any) -> Self:
        """Like the constructor, but raises ConfigError with one line per problem."""
        try:
            return cls(**data)
        except ValidationError as error:
            raise ConfigError(translate_errors(error, cls)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in type(self).model_fields:
            super().__setattr__(name, value)
            return
        previous = dict(self.__dict__)
        try:
            super().__setattr__(name, value)
        except ValidationError as error:
            # pydantic has already stored the value when a model validator rejects it
            object.__setattr__(self, "__dict__", previous)
            raise ConfigError(translate_errors(error, type(self))) from None


class Actor(ConfigModel):
    """A state in the crisis."""

    noun: ClassVar[str] = "an actor"
    name: ActorName = Field(description="Display name, unique within the crisis.")
    capability: Capability = Field(description="Share of world capability (COW CINC).")
    major_power: bool = Field(False, description="Whether the state is a major power.")


class Member(Actor):
    """A coalition member supporting the defender, with its kind of commitment."""

    noun: ClassVar[str] = "a coalition member"
    commitment: Commitment = Field(description="defence_pact, ad_hoc or none.")


class Crisis(ConfigModel):
    """Who confronts whom, with which support, at which level the crisis starts."""

    noun: ClassVar[str] = "a crisis"
    challenger: Actor
    challenger_allies: list[Actor] = Field(default_factory=list)
    defender: Actor
    coalition: list[Member] = Field(default_factory=list)
    start_level: StartLevel = "threat"
    crisis_management: bool = Field(
        False, description="A mediation / crisis-management intervention is active."
    )
    era: Era = Field(
        "post_cold_war",
        description=(
            "Historical era whose escalation base rates the crisis follows: before_1914 "
            "(1816-1913), world_wars (1914-1945), cold_war (1946-1989) or post_cold_war "
            "(1990 on, the default for present-day crises)."
        ),
    )

    @property
    def member_names(self) -> tuple[str, ...]:
        """Names of the coalition members, in order."""
        return tuple(member.name for member in self.coalition)

    @property
    def actor_names(self) -> tuple[str, ...]:
        """Names of all actors: challenger, its allies, defender, coalition members."""
        actors = [self.challenger, *self.challenger_allies, self.defender, *self.coalition]
        return tuple(actor.name for actor in actors)

    @property
    def start_level_code(self) -> int:
        """Level code of ``start_level`` (index into :data:`LEVELS`; -1 for onset)."""
        return START_LEVELS[self.start_level]

    @model_validator(mode="after")
    def _check_names(self) -> Crisis:
        _raise_problems(crisis_problems(self))
        return self


class Variant(ConfigModel):
    """A policy variant: changes applied to the scenario's crisis."""

    noun: ClassVar[str] = "a variant"
    name: Slug
    description: str = ""
    set_commitment: dict[ActorName, Commitment] = Field(default_factory=dict)
    crisis_management: bool | None = Field(None, description="None keeps the crisis value.")
    era: Era | None = Field(None, description="None keeps the crisis value.")
    remove_members: list[ActorName] = Field(default_factory=list)
    add_members: list[Member] = Field(default_factory=list)
    scale_capability: dict[ActorName, Multiplier] = Field(default_factory=dict)

    def apply(self, crisis: Crisis) -> Crisis:
        """The crisis with this variant's changes, in the documented order."""
        data = crisis.model_dump()
        removed = set(self.remove_members)
        members = [member for member in data["coalition"] if member["name"] not in removed]
        members += [member.model_dump() for member in self.add_members]
        for member in members:
            member["commitment"] = self.set_commitment.get(member["name"], member["commitment"])
        data["coalition"] = members
        for actor in [data["challenger"], *data["challenger_allies"], data["defender"], *members]:
            actor["capability"] *= self.scale_capability.get(actor["name"], 1.0)
        if self.crisis_management is not None:
            data["crisis_management"] = self.crisis_management
        if self.era is not None:
            data["era"] = self.era
        return Crisis.build(**data)


class EnsembleSettings(ConfigModel):
    """How many crises to simulate and how to seed them."""

    noun: ClassVar[str] = "ensemble settings"
    seed: Seed
    paths_per_draw: Count = Field(2000, description="Simulated crises per parameter draw.")
    num_chains: Count = 4
    num_draws: Count = Field(100, description="Parameter draws per chain.")
    chunk_paths: Count = Field(100_000, description="Paths per dask task (performance only).")
    common_random_numbers: bool = Field(True, description="Variants share random numbers.")
    parameters: ParameterSource = "auto"


def _default_variants() -> list[Variant]:
    return [Variant(name="baseline")]


class Scenario(ConfigModel):
    """A scenario file: one crisis, variants to compare, ensemble settings."""

    noun: ClassVar[str] = "a scenario"
    schema_version: SchemaVersion = SCHEMA_VERSION
    name: Slug
    title: Text
    description: str = ""
    model: ModelName = "escalation"
    crisis: Crisis
    horizon_months: HorizonMonths = 24
    variants: list[Variant] = Field(default_factory=_default_variants, min_length=1)
    ensemble: EnsembleSettings

    _source_path: Path | None = PrivateAttr(None)
    _source_text: str | None = PrivateAttr(None)
    _source_dump: dict[str, Any] | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        _raise_problems(scenario_problems(self))
        return self

    def __eq__(self, other: object) -> bool:
        """Scenarios are equal when their fields are; where they came from does not count."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    @property
    def variant_names(self) -> tuple[str, ...]:
        """Variant names in order; the first is the reference (baseline)."""
        return tuple(variant.name for variant in self.variants)

    def resolved_crises(self) -> list[tuple[Variant, Crisis]]:
        """Each variant with the crisis it describes (the variant's changes applied)."""
        Scenario.build(**self.model_dump())  # catches in-place edits that bypassed checks
        return [(variant, variant.apply(self.crisis)) for variant in self.variants]

    def with_ensemble(self, **changes: Any) -> Scenario:
        """A validated copy with the given ensemble fields changed; ``self`` is untouched."""
        data = self.model_dump()
        data["ensemble"].update(changes)
        copy = Scenario.build(**data)
        copy._attach_source(self._source_path, self._source_text, self._source_dump)
        return copy

    def to_yaml(self) -> str:
        """The scenario as YAML text that :func:`load_scenario_text` reads back."""
        data = self.model_dump(mode="json")
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
