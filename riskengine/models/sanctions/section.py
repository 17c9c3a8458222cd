"""The sanctions model's scenario section: who imposes what on whom, and when.

Senders and target are actors of the scenario and need a Correlates of War ``ccode``:
the run looks up their trade (COW Trade), alliance ties (ATOP) and the target's regime
(V-Dem) to build the model's predictors, unless ``predictors`` gives them. ``trigger``
says when the sanctions are imposed: at once (``immediate``), or in the first month the
crisis of the scenario's escalation section reaches that level, or (``authorised``) in
the month the institution of the scenario's coalition section authorises the action.

What ``authorised`` does and does not do: it reads the coalition model's ``authorised``
signal of the same path, so the sanctions start in the decision month (never, in paths
where no decision is taken within the horizon). The sender set stays the variant's
``senders`` list: the coalition that forms in a path (who supports) does not change
the senders, their number or their trade in that path; per-path sender sets are not
modelled. Declare the expected senders (e.g. the institution, ``institution: eu``).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from riskengine.config.core import (
    Actor,
    ActorName,
    ConfigModel,
    Fraction,
    ModelSection,
    Problems,
    SectionPatch,
)
from riskengine.config.messages import Allowed
from riskengine.config.references import names_text
from riskengine.models.sanctions.coding import ISSUE_NAMES, SANCTION_TYPES

__all__ = [
    "PATCH",
    "SECTION",
    "LossFractions",
    "Predictors",
    "SanctionsPatch",
    "SanctionsSection",
    "AUTHORISED_TRIGGER",
    "TRIGGERS",
]

AUTHORISED_TRIGGER = -1
TRIGGERS = {
    "immediate": 0,
    "threat": 1,
    "display": 2,
    "use_of_force": 3,
    "war": 4,
    "authorised": AUTHORISED_TRIGGER,
}
"""Trigger name -> the crisis level (escalation level code) that imposes the sanctions;
0 imposes them in month 1 whatever the crisis; ``AUTHORISED_TRIGGER`` (-1) in the month the
coalition's institution authorises the action."""
Trigger = Literal["immediate", "threat", "display", "use_of_force", "war", "authorised"]
SenderCount = Literal["listed", "coalition"]
Institution = Literal["none", "un", "eu", "other"]
NonNegative = Annotated[float, Field(ge=0), Allowed("a number of at least 0")]
SanctionType = Literal[SANCTION_TYPES]
Issue = Literal[ISSUE_NAMES]


class Predictors(ConfigModel):
    """Predictors given directly instead of looked up in the shared data."""

    noun: ClassVar[str] = "predictors"
    trade_dependence: Fraction | None = Field(
        None, description="Target's trade with the senders / its total trade."
    )
    defence_pact: bool | None = Field(
        None, description="A sender has a defence pact with the target."
    )
    target_democracy: Fraction | None = Field(None, description="V-Dem polyarchy of the target.")
    sender_trade_musd: dict[ActorName, NonNegative] | None = Field(
        None, description="The target's annual trade with each sender, million USD."
    )

    @property
    def complete(self) -> bool:
        """Every predictor given: the run needs no data files."""
        return None not in (
            self.trade_dependence,
            self.defence_pact,
            self.target_democracy,
            self.sender_trade_musd,
        )


class LossFractions(ConfigModel):
    """Assumed share of the sanctioned trade lost per month in force, by cost level.

    TIES codes the costs of sanctions as levels (minor, major, severe), not amounts; the
    model fits the levels. Money needs this assumption: a month in force costs the
    target this share of its monthly trade with the senders, and each sender this share
    of its own monthly trade with the target. Defaults: minor 0.1, major 0.4, severe 0.8
    (a judgment, not an estimate: change them to test its weight).
    """

    noun: ClassVar[str] = "loss fractions"
    minor: Fraction = 0.1
    major: Fraction = 0.4
    severe: Fraction = 0.8


class SanctionsSection(ModelSection):
    """Sanctions imposed by ``senders`` (through ``institution`` if any) on ``target``."""

    noun: ClassVar[str] = "a sanctions section"
    target: ActorName
    senders: list[ActorName] = Field(min_length=1)
    institution: Institution = Field(
        "none", description="International institution imposing the sanctions, if any."
    )
    sanction_type: SanctionType = "trade_restriction"
    issue: Issue = "security"
    trigger: Trigger = "immediate"
    sender_count: SenderCount = Field(
        "listed",
        description="'listed': the senders as listed; 'coalition' (with trigger authorised "
        "and no institution): as many senders as the coalition's supporters at its decision, "
        "path by path (capped at TIES's five); the listed senders still price the money costs.",
    )
    predictors: Predictors = Field(default_factory=Predictors)
    loss_fraction: LossFractions = Field(default_factory=LossFractions)

    @property
    def trigger_level(self) -> int:
        """Crisis level code that imposes the sanctions (0: month 1)."""
        return TRIGGERS[self.trigger]

    def problems(self, actors: dict[str, Actor]) -> Problems:
        """Target and senders are distinct actors of the scenario with a ccode."""
        problems = _actor_problems(("target",), self.target, actors)
        seen = {self.target}
        for index, name in enumerate(self.senders):
            if name in seen:
                message = f"got {name!r} twice (or as the target); allowed: each sender once"
                problems.append((("senders", index), message))
            else:
                problems += _actor_problems(("senders", index), name, actors)
            seen.add(name)
        return problems + self._trade_problems() + self._sender_count_problems()

    def _sender_count_problems(self) -> Problems:
        if self.sender_count != "coalition":
            return []
        if self.trigger != "authorised":
            message = (
                f"got 'coalition' with trigger {self.trigger!r}; allowed: 'listed', or "
                "'coalition' with trigger: authorised (the coalition's decision sets the senders)"
            )
            return [(("sender_count",), message)]
        if self.institution != "none":
            message = (
                f"got 'coalition' with institution {self.institution!r}; allowed: 'listed' "
                "(an imposing institution is one sender), or 'coalition' with institution: none"
            )
            return [(("sender_count",), message)]
        return []

    def _trade_problems(self) -> Problems:
        given = self.predictors.sender_trade_musd
        if given is None:
            return []
        problems: Problems = [
            (
                ("predictors", "sender_trade_musd", name),
                f"{name!r} is not a sender; allowed: {names_text(self.senders)}",
            )
            for name in given
            if name not in self.senders
        ]
        missing = [name for name in self.senders if name not in given]
        if missing:
            message = f"missing senders {', '.join(missing)}; allowed: a value for every sender"
            problems.append((("predictors", "sender_trade_musd"), message))
        return problems

    def scenario_problems(self, sections: dict[str, ModelSection]) -> Problems:
        """A crisis-level trigger reads escalation; ``authorised`` reads the coalition."""
        if self.trigger == "authorised" and "coalition" not in sections:
            message = (
                "got 'authorised', but the scenario has no coalition section; allowed: "
                "immediate or a crisis level (or add a coalition section)"
            )
            return [(("trigger",), message)]
        if self.trigger not in ("immediate", "authorised") and "escalation" not in sections:
            message = (
                f"got {self.trigger!r}, a crisis level, but the scenario has no escalation "
                "section; allowed: immediate (or add an escalation section)"
            )
            return [(("trigger",), message)]
        return []


def _actor_problems(location: tuple, name: str, actors: dict[str, Actor]) -> Problems:
    if name not in actors:
        return [
            (location, f"got {name!r}; allowed: an actor of the scenario: {names_text(actors)}")
        ]
    if actors[name].ccode is None:
        message = (
            f"actor {name!r} has no ccode; allowed: an actor with a Correlates of War country "
            "code (set actors[].ccode; sanctions look up its trade)"
        )
        return [(location, message)]
    return []


class SanctionsPatch(SectionPatch):
    """A variant's changes: fields replaced, then senders removed and added."""

    noun: ClassVar[str] = "changes to the sanctions section"
    target: ActorName | None = None
    senders: list[ActorName] | None = None
    remove_senders: list[ActorName] = Field(default_factory=list)
    add_senders: list[ActorName] = Field(default_factory=list)
    institution: Institution | None = None
    sanction_type: SanctionType | None = None
    issue: Issue | None = None
    trigger: Trigger | None = None
    sender_count: SenderCount | None = None
    predictors: Predictors | None = None
    loss_fraction: LossFractions | None = None

    def problems(self, section: SanctionsSection, actors: dict[str, Actor]) -> Problems:
        senders = self.senders if self.senders is not None else section.senders
        problems: Problems = []
        for index, name in enumerate(self.remove_senders):
            if name not in senders:
                message = f"{name!r} is not a sender; allowed: {names_text(senders)}"
                problems.append((("remove_senders", index), message))
        return problems

    def apply(self, section: SanctionsSection, actors: dict[str, Actor]):
        changes = self.model_dump(
            exclude_none=True,
            exclude={"remove_senders", "add_senders", "predictors", "loss_fraction"},
        )
        data = section.model_dump() | changes
        for name in ("predictors", "loss_fraction"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name).model_dump()
        removed = set(self.remove_senders)
        data["senders"] = [n for n in data["senders"] if n not in removed] + self.add_senders
        return SanctionsSection.build(**data), actors


SECTION = SanctionsSection
PATCH = SanctionsPatch
