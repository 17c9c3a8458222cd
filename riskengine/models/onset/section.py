"""The onset model's scenario section: who might challenge whom, and the posture before any
dispute.

A scenario with an ``onset`` section starts *before* a dispute: each month the
challenger may open one (the onset model), and when the scenario also has an
``escalation`` section, the crisis starts in the month of the challenge and climbs the
ladder from there, in the same path. Without an ``onset`` section the crisis is on from
month 1 (a scenario that starts at a dispute).

``target_allies`` are third states with a defence pact with the target (their number
does not enter the model, their presence and capability do). ``coalition`` (the
default) takes the escalation section's members whose commitment is ``defence_pact``, so
that a variant that adds or removes a pact ally in the crisis changes the pre-crisis
posture too. The pair's other predictors (contiguity, distance, democracy, rivalry,
years since their last dispute, a pact between them) are stated in ``dyad``.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from riskengine.config.core import (
    Actor,
    ActorName,
    ConfigModel,
    ModelSection,
    Problems,
    SectionPatch,
)
from riskengine.config.messages import Allowed
from riskengine.config.references import capable_actor_problems, names_text

__all__ = ["COALITION", "Dyad", "OnsetPatch", "OnsetSection", "PATCH", "SECTION"]

COALITION = "coalition"
"""``target_allies`` value: the escalation section's members with a defence pact."""
Era = Literal["before_1914", "world_wars", "cold_war", "post_cold_war"]
Contiguity = Literal["land", "sea", "none"]
Kilometres = Annotated[float, Field(ge=0, le=25_000), Allowed("a distance from 0 to 25000 km")]
Years = Annotated[int, Field(ge=0, le=1000), Allowed("an integer from 0 to 1000")]


class Dyad(ConfigModel):
    """The pair's predictors other than alliances and capabilities."""

    noun: ClassVar[str] = "the dyad's predictors"
    contiguity: Contiguity = Field(
        description="land (a land or river border), sea (at most 400 miles of water) or none."
    )
    distance_km: Kilometres = Field(
        description="Minimum distance between the two states' territories (0 when contiguous)."
    )
    joint_democracy: bool = Field(description="Both states are democracies.")
    rivalry: bool = Field(description="A strategic rivalry between the two is on.")
    peace_years: Years = Field(description="Years since the pair's last militarized dispute.")
    defence_pact: bool = Field(False, description="Challenger and target share a defence pact.")


class OnsetSection(ModelSection):
    """Who might challenge whom, and their posture before any dispute."""

    noun: ClassVar[str] = "an onset section"
    challenger: ActorName
    target: ActorName
    target_allies: list[ActorName] | Literal["coalition"] = Field(
        COALITION,
        description=(
            "Third states with a defence pact with the target, or 'coalition': the "
            "escalation section's members whose commitment is defence_pact."
        ),
    )
    challenger_partners: list[ActorName] = Field(
        default_factory=list,
        description="Third states with an offense or neutrality pact with the challenger.",
    )
    dyad: Dyad
    era: Era = Field("post_cold_war", description="Era whose base rates the onset follows.")

    def _named(self):
        yield ("challenger",), self.challenger
        yield ("target",), self.target
        if self.target_allies != COALITION:
            for index, name in enumerate(self.target_allies):
                yield ("target_allies", index), name
        for index, name in enumerate(self.challenger_partners):
            yield ("challenger_partners", index), name

    def problems(self, actors: dict[str, Actor]) -> Problems:
        """Named states are actors with a capability, each named once."""
        return capable_actor_problems(self._named(), actors, "in the section")

    def scenario_problems(self, sections: dict[str, ModelSection]) -> Problems:
        """``coalition`` allies need an escalation section (and its crisis the same pair)."""
        escalation = sections.get("escalation")
        if escalation is None:
            if self.target_allies == COALITION:
                message = (
                    "got 'coalition', but the scenario has no escalation section; allowed: a "
                    "list of actor names (or add an escalation section)"
                )
                return [(("target_allies",), message)]
            return []
        pair = (escalation.challenger, escalation.defender)
        if (self.challenger, self.target) != pair:
            message = (
                f"got challenger {self.challenger!r} and target {self.target!r}; allowed: the "
                f"escalation section's challenger and defender ({pair[0]!r}, {pair[1]!r}), "
                "whose crisis the onset opens"
            )
            return [(("target",), message)]
        return []

    def allies(self, sections: dict[str, ModelSection]) -> tuple[str, ...]:
        """Names of the target's third-state defence allies."""
        if self.target_allies != COALITION:
            return tuple(self.target_allies)
        coalition = sections["escalation"].coalition
        return tuple(m.name for m in coalition if m.commitment == "defence_pact")


class OnsetPatch(SectionPatch):
    """A variant's changes: allies removed then added (on an explicit list), partners
    replaced, the dyad's predictors replaced, the era."""

    noun: ClassVar[str] = "changes to the onset section"
    remove_allies: list[ActorName] = Field(default_factory=list)
    add_allies: list[ActorName] = Field(default_factory=list)
    challenger_partners: list[ActorName] | None = None
    dyad: Dyad | None = None
    era: Era | None = None

    def problems(self, section: OnsetSection, actors: dict[str, Actor]) -> Problems:
        if (self.remove_allies or self.add_allies) and section.target_allies == COALITION:
            message = (
                "the target's allies are the escalation coalition's pact members; allowed: "
                "change them with the variant's escalation add_members / remove_members / "
                "set_commitment"
            )
            field = "remove_allies" if self.remove_allies else "add_allies"
            return [((field,), message)]
        problems: Problems = []
        allies = [] if section.target_allies == COALITION else list(section.target_allies)
        for index, name in enumerate(self.remove_allies):
            if name not in allies:
                message = f"{name!r} is not an ally of the target; allowed: {names_text(allies)}"
                problems.append((("remove_allies", index), message))
        return problems

    def apply(self, section: OnsetSection, actors: dict[str, Actor]):
        data = section.model_dump()
        if section.target_allies != COALITION:
            removed = set(self.remove_allies)
            kept = [name for name in section.target_allies if name not in removed]
            data["target_allies"] = kept + list(self.add_allies)
        if self.challenger_partners is not None:
            data["challenger_partners"] = list(self.challenger_partners)
        if self.dyad is not None:
            data["dyad"] = self.dyad.model_dump()
        if self.era is not None:
            data["era"] = self.era
        return OnsetSection.build(**data), actors


SECTION = OnsetSection
PATCH = OnsetPatch
