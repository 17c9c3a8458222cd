"""The scenario core every model shares: field types, actors, ensemble settings, the
base classes of a model's section and of a variant's patch of it.

Every model forbids unknown fields and validates on assignment, so a notebook user can
change ``scenario.horizon_months`` in code and get the same checks as the YAML loader.
Problems are raised as :class:`riskengine.errors.ConfigError`, one line per problem.

A model contributes two classes (in ``riskengine/models/<name>/section.py``): its
scenario section (a :class:`ModelSection`) and the changes a variant may make to it (a
:class:`SectionPatch`); :mod:`riskengine.config.schema` assembles the scenario from the
registry. Actors are declared once, at the top level, with the attributes any model
reads; sections refer to them by name.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from riskengine.config.messages import REFERENCES_ERROR, Allowed, Location, translate_errors
from riskengine.errors import ConfigError

__all__ = [
    "MAX_DRAW_INDEX",
    "MAX_PATHS_PER_DRAW",
    "MAX_SEED",
    "SCHEMA_VERSION",
    "SUPPORTED_SCHEMA_VERSIONS",
    "Actor",
    "ActorName",
    "Capability",
    "ConfigModel",
    "Count",
    "EnsembleSettings",
    "Fraction",
    "HorizonMonths",
    "ModelSection",
    "Multiplier",
    "ParameterSource",
    "Problems",
    "SectionPatch",
    "Seed",
    "Slug",
    "Text",
    "raise_problems",
]

SCHEMA_VERSION = 2
SUPPORTED_SCHEMA_VERSIONS = (SCHEMA_VERSION,)
MAX_SEED = 2**32 - 1
Problems = list[tuple[Location, str]]
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
CountryCode = Annotated[
    int, Field(ge=1, le=999), Allowed("a Correlates of War country code from 1 to 999")
]
Fraction = Annotated[float, Field(ge=0, le=1), Allowed("a number from 0 to 1")]
Multiplier = Annotated[float, Field(gt=0), Allowed("a number greater than 0")]
Count = Annotated[int, Field(ge=1), Allowed("an integer of at least 1")]
MAX_PATHS_PER_DRAW = 2**32
"""Path indices are uint32 in the counter-based key scheme: more paths would repeat."""
MAX_DRAW_INDEX = 2**31 - 1
"""Chain and draw indices are folded into the keys as int32."""
PathCount = Annotated[
    int,
    Field(ge=1, le=MAX_PATHS_PER_DRAW),
    Allowed(
        f"an integer from 1 to {MAX_PATHS_PER_DRAW} (2**32: path indices are 32-bit in the "
        "key scheme)"
    ),
]
IndexCount = Annotated[
    int,
    Field(ge=1, le=MAX_DRAW_INDEX),
    Allowed(f"an integer from 1 to {MAX_DRAW_INDEX} (chain and draw indices are 32-bit)"),
]
HorizonMonths = Annotated[int, Field(ge=1, le=240), Allowed("an integer from 1 to 240")]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED), Allowed(f"an integer from 0 to {MAX_SEED}")]


def raise_problems(problems: Problems) -> None:
    """Raise cross-field problems as one pydantic error the translator expands."""
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
    """A state (or an institution acting as one) named once in the scenario; each model
    reads the attributes it needs and says so when one is missing."""

    noun: ClassVar[str] = "an actor"
    name: ActorName = Field(description="Display name, unique within the scenario.")
    ccode: CountryCode | None = Field(
        None, description="Correlates of War country code (needed to look up trade data)."
    )
    capability: Capability | None = Field(
        None, description="Share of world capability (COW CINC); needed by escalation."
    )
    major_power: bool = Field(False, description="Whether the state is a major power.")


class EnsembleSettings(ConfigModel):
    """How many paths to simulate and how to seed them."""

    noun: ClassVar[str] = "ensemble settings"
    seed: Seed
    paths_per_draw: PathCount = Field(2000, description="Simulated paths per parameter draw.")
    num_chains: IndexCount = 4
    num_draws: IndexCount = Field(100, description="Parameter draws per chain.")
    chunk_paths: Count = Field(100_000, description="Paths per dask task (performance only).")
    common_random_numbers: bool = Field(True, description="Variants share random numbers.")
    parameters: ParameterSource = "auto"


class ModelSection(ConfigModel):
    """A model's part of a scenario. Subclasses add fields and override the checks."""

    noun: ClassVar[str] = "a model section"

    def problems(self, actors: dict[str, Actor]) -> Problems:
        """Cross-field problems given the scenario's actors (locations relative to here)."""
        return []

    def scenario_problems(self, sections: dict[str, ModelSection]) -> Problems:
        """Problems that depend on the other models the scenario runs (e.g. a trigger
        that needs the escalation model); locations relative to this section."""
        return []


class SectionPatch(ConfigModel):
    """A variant's changes to one model's section. Subclasses add fields and ``apply``."""

    noun: ClassVar[str] = "a section patch"

    def problems(self, section: ModelSection, actors: dict[str, Actor]) -> Problems:
        """Problems of this patch against the section it changes (relative locations)."""
        return []

    def apply(
        self, section: ModelSection, actors: dict[str, Actor]
    ) -> tuple[ModelSection, dict[str, Actor]]:
        """The changed section and actors (neither argument is modified)."""
        changes = self.model_dump(exclude_none=True, exclude_unset=True)
        data = section.model_dump() | changes
        return type(section).build(**data), actors
