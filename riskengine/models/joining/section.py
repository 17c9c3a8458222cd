"""The joining model's scenario section: which coalition members may join the defender.

The model needs no actor data of its own: it reads the escalation section's coalition
(each member's commitment, capability and major-power status) and its defender, the side
the members would join. ``joining: {}`` turns the model on for every coalition member;
``members`` restricts it; ``contiguous`` names the members that share a land border with
the defender (a covariate of the model). A scenario with a joining section needs an
escalation section: joining happens month by month while the crisis is active.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from riskengine.config.core import (
    Actor,
    ActorName,
    ModelSection,
    Problems,
    SectionPatch,
)
from riskengine.config.references import names_text

__all__ = ["PATCH", "SECTION", "JoiningPatch", "JoiningSection"]


class JoiningSection(ModelSection):
    """Coalition members that may join the defender during the crisis."""

    noun: ClassVar[str] = "a joining section"
    members: list[ActorName] | None = Field(
        None, description="Coalition members that may join; None: every coalition member."
    )
    contiguous: list[ActorName] = Field(
        default_factory=list,
        description="Members sharing a land border with the escalation defender.",
    )

    def problems(self, actors: dict[str, Actor]) -> Problems:
        """Named members are actors of the scenario, each once."""
        problems: Problems = []
        for field in ("members", "contiguous"):
            seen: set[str] = set()
            for index, name in enumerate(getattr(self, field) or ()):
                if name not in actors:
                    message = (
                        f"got {name!r}; allowed: an actor of the scenario: {names_text(actors)}"
                    )
                    problems.append(((field, index), message))
                elif name in seen:
                    problems.append(
                        ((field, index), f"got {name!r} twice; allowed: each actor once")
                    )
                seen.add(name)
        return problems

    def scenario_problems(self, sections: dict) -> Problems:
        """The escalation section exists and lists the named members in its coalition."""
        if "escalation" not in sections:
            message = (
                "the scenario has no escalation section; allowed: a joining section only "
                "with an escalation section (members join while its crisis is active)"
            )
            return [((), message)]
        coalition = sections["escalation"].member_names
        problems: Problems = []
        for field in ("members", "contiguous"):
            for index, name in enumerate(getattr(self, field) or ()):
                if name not in coalition:
                    message = (
                        f"got {name!r}, not a coalition member of the escalation section; "
                        f"allowed: {names_text(coalition)}"
                    )
                    problems.append(((field, index), message))
        return problems

    def joining_members(self, coalition: tuple[str, ...]) -> tuple[str, ...]:
        """The members that may join, in coalition order, given the variant's coalition
        (a member a variant removes from the coalition cannot join in that variant)."""
        chosen = coalition if self.members is None else self.members
        return tuple(name for name in coalition if name in chosen)


class JoiningPatch(SectionPatch):
    """A variant's changes: the members that may join, the contiguous members."""

    noun: ClassVar[str] = "changes to the joining section"
    members: list[ActorName] | None = None
    contiguous: list[ActorName] | None = None

    def problems(self, section: JoiningSection, actors: dict[str, Actor]) -> Problems:
        return []

    def apply(self, section: JoiningSection, actors: dict[str, Actor]):
        data = section.model_dump() | self.model_dump(exclude_none=True)
        return JoiningSection.build(**data), actors


SECTION = JoiningSection
PATCH = JoiningPatch
