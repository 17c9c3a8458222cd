"""The escalation model's scenario section: who confronts whom, with which support, at
which level the crisis starts; and the changes a variant may make to it.

The challenger, its ``challenger_allies`` and the defender are the crisis's originators:
the states confronting each other from month 1. ``coalition`` members are third states
committed to the defender but not (yet) taking part, and ``challenger_partners`` third
states pledged to defend the challenger; the model reads a ``defence_pact`` member's or a
partner's capability as a pre-crisis defence pledge (see
:mod:`riskengine.models.escalation.ensemble` for the covariates).

Actors are declared once at the scenario's top level; the section names them. Every
actor taking part in the crisis needs a ``capability`` (COW CINC share). Escalation
levels follow :data:`LEVELS`; their index is the level code used by the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import Field

from riskengine.config.core import (
    Actor,
    ActorName,
    ConfigModel,
    ModelSection,
    Multiplier,
    Problems,
    SectionPatch,
)
from riskengine.config.references import capable_actor_problems, names_text

__all__ = [
    "LEVELS",
    "START_LEVELS",
    "Commitment",
    "CoalitionMember",
    "Crisis",
    "Era",
    "EscalationPatch",
    "EscalationSection",
    "Member",
    "StartLevel",
    "SECTION",
    "PATCH",
]

LEVELS = ("settled", "threat", "display", "use_of_force", "war")
"""Escalation levels; the index of a name is its level code (0..4)."""
START_LEVELS = {"threat": 1, "display": 2, "use_of_force": 3, "war": 4, "onset": -1}
"""Start level name -> level code; ``onset`` (-1) draws the first month's level from the
model's onset distribution."""

Commitment = Literal["defence_pact", "ad_hoc", "none"]
StartLevel = Literal["threat", "display", "use_of_force", "war", "onset"]
# Historical eras of the escalation model's era effect (core.ERA_NAMES).
Era = Literal["before_1914", "world_wars", "cold_war", "post_cold_war"]


class CoalitionMember(ConfigModel):
    """A third state committed to the defender (not taking part from month 1), with its
    kind of commitment: only ``defence_pact`` enters the model's covariates."""

    noun: ClassVar[str] = "a coalition member"
    name: ActorName
    commitment: Commitment = Field(
        description=(
            "defence_pact (a defence pledge to the defender, counted with its capability), "
            "ad_hoc or none (neither enters the escalation covariates)."
        )
    )


@dataclass(frozen=True)
class Member:
    """A coalition member resolved against the actors: its attributes and commitment."""

    name: str
    capability: float
    major_power: bool
    commitment: str


@dataclass(frozen=True)
class Crisis:
    """A crisis resolved against the actors (what the model's covariates are built from)."""

    challenger: Actor
    challenger_allies: tuple[Actor, ...]
    defender: Actor
    coalition: tuple[Member, ...]
    start_level: str
    crisis_management: bool
    era: str
    challenger_partners: tuple[Actor, ...] = ()


class EscalationSection(ModelSection):
    """Who confronts whom, with which support, at which level the crisis starts."""

    noun: ClassVar[str] = "an escalation section"
    challenger: ActorName
    challenger_allies: list[ActorName] = Field(
        default_factory=list,
        description="States confronting the defender alongside the challenger from month 1.",
    )
    defender: ActorName
    coalition: list[CoalitionMember] = Field(
        default_factory=list,
        description="Third states committed to the defender, not taking part from month 1.",
    )
    challenger_partners: list[ActorName] = Field(
        default_factory=list,
        description=(
            "Third states with a defence pledge to the challenger, not taking part from month 1."
        ),
    )
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
    def participant_names(self) -> tuple[str, ...]:
        """Challenger, its allies, defender, coalition members, challenger partners."""
        return (
            self.challenger,
            *self.challenger_allies,
            self.defender,
            *self.member_names,
            *self.challenger_partners,
        )

    @property
    def start_level_code(self) -> int:
        """Level code of ``start_level`` (index into :data:`LEVELS`; -1 for onset)."""
        return START_LEVELS[self.start_level]

    def _locations(self):
        yield ("challenger",), self.challenger
        for index, name in enumerate(self.challenger_allies):
            yield ("challenger_allies", index), name
        yield ("defender",), self.defender
        for index, member in enumerate(self.coalition):
            yield ("coalition", index, "name"), member.name
        for index, name in enumerate(self.challenger_partners):
            yield ("challenger_partners", index), name

    def problems(self, actors: dict[str, Actor]) -> Problems:
        """Participants are actors of the scenario, each once, each with a capability."""
        return capable_actor_problems(self._locations(), actors, "in the crisis")

    def crisis(self, actors: dict[str, Actor]) -> Crisis:
        """The crisis with every participant's attributes."""
        coalition = tuple(
            Member(m.name, actors[m.name].capability, actors[m.name].major_power, m.commitment)
            for m in self.coalition
        )
        return Crisis(
            actors[self.challenger],
            tuple(actors[name] for name in self.challenger_allies),
            actors[self.defender],
            coalition,
            self.start_level,
            self.crisis_management,
            self.era,
            tuple(actors[name] for name in self.challenger_partners),
        )


class EscalationPatch(SectionPatch):
    """A variant's changes to the crisis, applied in this order: remove members and
    challenger partners, add members and challenger partners, set commitments, scale
    capabilities, crisis management, era."""

    noun: ClassVar[str] = "changes to the escalation section"
    set_commitment: dict[ActorName, Commitment] = Field(default_factory=dict)
    crisis_management: bool | None = Field(None, description="None keeps the section's value.")
    era: Era | None = Field(None, description="None keeps the section's value.")
    remove_members: list[ActorName] = Field(default_factory=list)
    add_members: list[CoalitionMember] = Field(default_factory=list)
    remove_challenger_partners: list[ActorName] = Field(default_factory=list)
    add_challenger_partners: list[ActorName] = Field(default_factory=list)
    scale_capability: dict[ActorName, Multiplier] = Field(default_factory=dict)

    def problems(self, section: EscalationSection, actors: dict[str, Actor]) -> Problems:
        """Names a patch refers to must exist once its earlier changes are applied."""
        problems = self._member_problems(section, actors)
        kept = [name for name in section.member_names if name not in self.remove_members]
        members = kept + [member.name for member in self.add_members]
        for name in self.set_commitment:
            if name not in members:
                message = f"{name!r} is not a coalition member; allowed: {names_text(members)}"
                problems.append((("set_commitment", name), message))
        return problems + self._scale_problems(section, actors)

    def _removed(self) -> set[str]:
        return {*self.remove_members, *self.remove_challenger_partners}

    def _added(self) -> list[tuple[tuple, str]]:
        return [
            *((("add_members", i, "name"), m.name) for i, m in enumerate(self.add_members)),
            *(
                (("add_challenger_partners", i), n)
                for i, n in enumerate(self.add_challenger_partners)
            ),
        ]

    def _member_problems(self, section: EscalationSection, actors) -> Problems:
        problems: Problems = []
        removals = (
            ("remove_members", self.remove_members, section.member_names, "a coalition member"),
            (
                "remove_challenger_partners",
                self.remove_challenger_partners,
                tuple(section.challenger_partners),
                "a challenger partner",
            ),
        )
        for field, names, current, noun in removals:
            for index, name in enumerate(names):
                if name not in current:
                    message = f"{name!r} is not {noun}; allowed: {names_text(current)}"
                    problems.append(((field, index), message))
        removed = self._removed()
        taking_part = [n for n in section.participant_names if n not in removed]
        for location, name in self._added():
            free = [actor for actor in actors if actor not in taking_part]
            if name not in actors or name in taking_part:
                message = (
                    f"got {name!r}; allowed: an actor of the scenario not yet taking "
                    f"part in the crisis: {names_text(free)}"
                )
                problems.append((location, message))
            taking_part.append(name)
        return problems

    def _scale_problems(self, section: EscalationSection, actors) -> Problems:
        """scale_capability must name a participant and keep capability <= 1."""
        removed = self._removed()
        taking_part = [n for n in section.participant_names if n not in removed]
        taking_part += [name for _, name in self._added()]
        problems: Problems = []
        for name, factor in self.scale_capability.items():
            where = ("scale_capability", name)
            capability = actors[name].capability if name in actors else None
            if name not in taking_part or capability is None:
                message = f"{name!r} is not an actor of this variant's crisis; allowed: {names_text(taking_part)}"
                problems.append((where, message))
            elif factor * capability > 1:
                message = (
                    f"got {factor!r}, which makes the capability of {name} "
                    f"{factor * capability:.4g}; allowed: a multiplier of at most "
                    f"{1 / capability:.4g} (capability stays at most 1)"
                )
                problems.append((where, message))
        return problems

    def apply(self, section: EscalationSection, actors: dict[str, Actor]):
        data = section.model_dump()
        removed = self._removed()
        members = [member for member in data["coalition"] if member["name"] not in removed]
        members += [member.model_dump() for member in self.add_members]
        for member in members:
            member["commitment"] = self.set_commitment.get(member["name"], member["commitment"])
        data["coalition"] = members
        partners = [n for n in data["challenger_partners"] if n not in removed]
        data["challenger_partners"] = partners + list(self.add_challenger_partners)
        if self.crisis_management is not None:
            data["crisis_management"] = self.crisis_management
        if self.era is not None:
            data["era"] = self.era
        actors = {
            name: actor.model_copy(
                update={"capability": actor.capability * self.scale_capability[name]}
            )
            if name in self.scale_capability
            else actor
            for name, actor in actors.items()
        }
        return EscalationSection.build(**data), actors


SECTION = EscalationSection
PATCH = EscalationPatch
