"""The coalition model's scenario section: an institution deciding on an action.

``coalition:`` names the ``institution`` that decides (``security_council``, ``nato``,
``eu_unanimity``, ``eu_qualified_majority``, ``coalition_of_the_willing``), the
``proposer`` of the action and its ``target`` (actors of the scenario), and the
``members`` who take positions. **Members are scenario actors, named by their actor
name**, and each needs a ``capability`` (COW CINC share: cost shares are
capability-weighted). ``members`` may be left out: the members on ``date`` then come from the institution
tables (:func:`riskengine.models.coalition.institutions.members`; a coalition of the
willing's default candidates are NATO's members, as ``tables/rules.yaml`` says), matched
to the declared actors by ``ccode``; a table member without a declared actor is a
problem that names it. (A variant that changes the ``institution`` of such a section
takes the new institution's members on the same date.)

Per member, ``member_inputs`` gives the support covariates (all optional, defaults in
:class:`MemberInputs`), ``election_in_window`` and an optional fixed ``position``
(``support``, ``abstain``, ``oppose``) for a member whose stance is known. The proposer
always supports. ``tabled_month`` is the scenario month the item is tabled (default 1);
``minimum_members`` the supporters a coalition of the willing needs to act (and the yes
votes a Security Council resolution needs, 9 by default).
"""

from __future__ import annotations

import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from riskengine.config.core import (
    Actor,
    ActorName,
    ConfigModel,
    Count,
    Fraction,
    HorizonMonths,
    ModelSection,
    Problems,
    SectionPatch,
)
from riskengine.config.messages import Allowed
from riskengine.config.references import capable_actor_problems, names_text

__all__ = [
    "INSTITUTIONS",
    "PATCH",
    "POSITIONS",
    "SECTION",
    "CoalitionPatch",
    "CoalitionSection",
    "MemberInputs",
]

INSTITUTIONS = (
    "security_council",
    "nato",
    "eu_unanimity",
    "eu_qualified_majority",
    "coalition_of_the_willing",
)
POSITIONS = {"oppose": -1, "abstain": 0, "support": 1}
"""A fixed position's name -> its code (the decision rules read -1 no, 0 abstain, 1 yes)."""
SECURITY_COUNCIL_VOTES = 9  # UN Charter art. 27(3): nine affirmative votes
_MINIMUM_INSTITUTIONS = ("security_council", "coalition_of_the_willing")
Institution = Literal[INSTITUTIONS]
Position = Literal["oppose", "abstain", "support"]
Agreement = Annotated[
    float, Field(ge=-1, le=1), Allowed("a number from -1 to 1 (UN General Assembly agreement)")
]
NonNegative = Annotated[float, Field(ge=0), Allowed("a number of at least 0")]
Positive = Annotated[float, Field(gt=0), Allowed("a number greater than 0")]


class MemberInputs(ConfigModel):
    """One member's covariates of support (defaults: a neutral, unaligned member).

    ``affinity_*`` is UN General Assembly voting agreement (an S-score or ideal-point
    agreement rescaled to -1..1; 0 = unaligned); ``ally_*`` an ATOP defence or
    consultation pact; ``trade_exposure`` the member's trade with the target as a share of
    its total trade; ``distance_km`` from the member's capital to the crisis;
    ``democracy`` V-Dem polyarchy; ``population_millions`` weighs the member in the EU's
    rules (default: the EU table's Eurostat 2024 population for an EU member, else 1).
    A permanent member of the Security Council also needs ``agreement_target``, the veto
    model's alignment: its share of General Assembly roll calls voted as the target voted
    (abstaining against a vote counts half; :func:`riskengine.data.alignment.alignment_before`
    for the latest year before the scenario), and ``party_to_situation`` when the draft
    addresses its own forces or decisions.
    """

    noun: ClassVar[str] = "a member's inputs"
    ally_proposer: bool = False
    ally_target: bool = False
    affinity_proposer: Agreement = 0.0
    affinity_target: Agreement = 0.0
    trade_exposure: Fraction = 0.0
    distance_km: NonNegative = 2000.0
    democracy: Fraction = 0.5
    election_in_window: bool = False
    population_millions: Positive | None = None
    agreement_target: Fraction | None = None
    party_to_situation: bool = False
    position: Position | None = Field(
        None, description="A fixed position (the member's stance is known); None: drawn."
    )


class CoalitionSection(ModelSection):
    """An action proposed by ``proposer`` against ``target``, decided by ``institution``."""

    noun: ClassVar[str] = "a coalition section"
    institution: Institution
    proposer: ActorName
    target: ActorName
    date: datetime.date | None = Field(
        None, description="Membership date for the institution tables (needed without members)."
    )
    members: list[ActorName] | None = Field(
        None, description="Members taking positions; None: the institution's at ``date``."
    )
    member_inputs: dict[ActorName, MemberInputs] = Field(default_factory=dict)
    tabled_month: HorizonMonths = Field(1, description="Scenario month the item is tabled.")
    minimum_members: Count | None = Field(
        None,
        description="Supporters needed: a coalition of the willing's size to act "
        "(default 2), the Security Council's yes votes (default 9).",
    )

    @property
    def rule_minimum(self) -> int:
        """The ``minimum_members`` the decision rule uses (its default where unset)."""
        if self.minimum_members is not None:
            return self.minimum_members
        return SECURITY_COUNCIL_VOTES if self.institution == "security_council" else 2

    def member_names(self, actors: dict[str, Actor]) -> tuple[str, ...]:
        """The members (actor names): the given list, or the institution's at ``date``."""
        if self.members is not None:
            return tuple(self.members)
        names, _ = _table_members(self.institution, self.date, actors)
        return names

    def problems(self, actors: dict[str, Actor]) -> Problems:
        """Proposer and target are distinct actors; members are actors with a capability,
        each once, the proposer among them (the target may be one: a permanent member
        votes on a draft against itself); member inputs name members."""
        problems: Problems = []
        for field in ("proposer", "target"):
            name = getattr(self, field)
            if name not in actors:
                message = f"got {name!r}; allowed: an actor of the scenario: {names_text(actors)}"
                problems.append(((field,), message))
        if self.proposer == self.target:
            message = f"got {self.target!r}, also the proposer; allowed: an actor other than it"
            problems.append((("target",), message))
        if self.members is None:
            _, table_problems = _table_members(self.institution, self.date, actors)
            problems += table_problems
            members = () if table_problems else self.member_names(actors)
        else:
            members = tuple(self.members)
            named = [(("members", i), name) for i, name in enumerate(members)]
            problems += capable_actor_problems(named, actors, "among the members")
        return problems + self._member_problems(members)

    def _member_problems(self, members: tuple[str, ...]) -> Problems:
        if not members:
            return []
        problems: Problems = []
        where = "members" if self.members is not None else "institution"
        if self.proposer not in members:
            message = (
                f"the proposer {self.proposer!r} is not a member; allowed: members that "
                f"include the proposer: {names_text(members)}"
            )
            problems.append(((where,), message))
        for name in self.member_inputs:
            if name not in members:
                message = f"{name!r} is not a member; allowed: {names_text(members)}"
                problems.append((("member_inputs", name), message))
        if self.minimum_members is not None and self.institution not in _MINIMUM_INSTITUTIONS:
            message = (
                f"got {self.minimum_members} for {self.institution}, whose rule fixes its "
                f"majority; allowed: minimum_members only for {', '.join(_MINIMUM_INSTITUTIONS)}"
            )
            problems.append((("minimum_members",), message))
        elif self.institution in _MINIMUM_INSTITUTIONS and self.rule_minimum > len(members):
            default = " (the default)" if self.minimum_members is None else ""
            message = (
                f"got {self.rule_minimum}{default} supporters needed but there are "
                f"{len(members)} members; allowed: an integer from 1 to {len(members)}"
            )
            problems.append((("minimum_members",), message))
        return problems


def _table_members(institution, date, actors: dict[str, Actor]):
    """(member actor names, problems) from the institution tables on ``date``, matched to
    the declared actors by ccode."""
    from riskengine.errors import RiskEngineError
    from riskengine.models.coalition.institutions import members as table_members
    from riskengine.models.coalition.institutions import shipped_tables

    if date is None:
        message = (
            "missing; required when members are left out (the date of the institution's "
            "membership, e.g. 2026-11-30), or list the members"
        )
        return (), [(("date",), message)]
    try:
        codes = table_members(institution, date)
    except RiskEngineError as error:
        return (), [(("date",), f"got {date.isoformat()}; {error}")]
    by_code = {actor.ccode: name for name, actor in actors.items() if actor.ccode is not None}
    table = shipped_tables().frames[shipped_tables().rules[institution].member_table]
    labels = dict(zip(table["ccode"], table["name"], strict=False))
    missing = [f"{labels.get(code, code)} ({code})" for code in codes if code not in by_code]
    if missing:
        message = (
            f"members of {institution} on {date.isoformat()} without a declared actor: "
            f"{', '.join(missing)}; allowed: declare them as actors with their ccode and a "
            "capability, or list the members"
        )
        return (), [(("members",), message)]
    names = tuple(by_code[code] for code in codes)
    problems = capable_actor_problems(
        [(("members",), name) for name in names], actors, "among the members"
    )
    return names, problems


class CoalitionPatch(SectionPatch):
    """A variant's changes: fields replaced, then members removed and added, then member
    inputs merged (``set_member_inputs: {Germany: {position: oppose}}``)."""

    noun: ClassVar[str] = "changes to the coalition section"
    institution: Institution | None = None
    proposer: ActorName | None = None
    target: ActorName | None = None
    members: list[ActorName] | None = None
    remove_members: list[ActorName] = Field(default_factory=list)
    add_members: list[ActorName] = Field(default_factory=list)
    set_member_inputs: dict[ActorName, dict] = Field(default_factory=dict)
    tabled_month: HorizonMonths | None = None
    minimum_members: Count | None = None

    def problems(self, section: CoalitionSection, actors: dict[str, Actor]) -> Problems:
        changed = section.model_copy(
            update={"institution": self.institution or section.institution}
        )
        members = self.members or changed.member_names(actors)
        problems: Problems = []
        for index, name in enumerate(self.remove_members):
            if name not in members:
                message = f"{name!r} is not a member; allowed: {names_text(members)}"
                problems.append((("remove_members", index), message))
        for name, values in self.set_member_inputs.items():
            unknown = sorted(set(values) - set(MemberInputs.model_fields))
            if unknown:
                message = (
                    f"unknown member inputs {', '.join(unknown)}; allowed: "
                    f"{', '.join(MemberInputs.model_fields)}"
                )
                problems.append((("set_member_inputs", name), message))
        return problems

    def apply(self, section: CoalitionSection, actors: dict[str, Actor]):
        data = section.model_dump(exclude_none=False)
        data |= self.model_dump(
            exclude_none=True,
            exclude={"remove_members", "add_members", "set_member_inputs", "members"},
        )
        if self.members is not None:
            data["members"] = list(self.members)
        if self.remove_members or self.add_members:
            current = list(data["members"] or CoalitionSection.build(**data).member_names(actors))
            removed = set(self.remove_members)
            data["members"] = [n for n in current if n not in removed] + list(self.add_members)
        kept = set(data["members"]) if data["members"] is not None else None
        inputs = {
            name: values
            for name, values in data["member_inputs"].items()
            if kept is None or name in kept
        }
        for name, values in self.set_member_inputs.items():
            inputs[name] = {**inputs.get(name, {}), **values}
        data["member_inputs"] = inputs
        return CoalitionSection.build(**data), actors


SECTION = CoalitionSection
PATCH = CoalitionPatch
