"""The supply-chain model's scenario section: who imports what, from whom, through where.

Importers name the commodities they need; each commodity is one of the shipped
production table (a commodity and a stage: ``rare_earths_magnet`` at ``refining``, see
``tables/production_shares.csv``) or ``oil``. By default an importer sources like the
world produces (its share from each producer = the producer's world share) and ships
oil like world maritime trade (its share through each listed chokepoint = the
chokepoint's share of world maritime oil trade, EIA 2023); ``sourcing`` and ``routes``
override both. ``stock_months`` is months of cover (default: oil 3, the IEA's 90-day
stockholding obligation; minerals 0). ``pool: true`` puts the importer's stocks into the
allied pool when the section's ``pooling`` lever is on.

``restrictors`` are producers that may restrict exports of their commodities (their
onset hazard rises with the crisis level and, when ``actor`` is the sanctions section's
target, with sanctions in force); ``chokepoints`` may close (crisis-linked or not). Every
monthly base rate is a judgment the scenario states; the defaults and their reasoning
are in :data:`CHOKEPOINT_DEFAULTS`. Variants change numbers (stocks, pooling,
friend-shoring, hazard rates), not the network's names.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from riskengine.config.core import (
    Actor,
    ActorName,
    ConfigModel,
    Count,
    Fraction,
    ModelSection,
    Multiplier,
    Problems,
    SectionPatch,
)
from riskengine.config.messages import Allowed
from riskengine.config.references import names_text

__all__ = [
    "CHOKEPOINT_DEFAULTS",
    "COMMODITY_DEFAULTS",
    "PATCH",
    "SECTION",
    "SupplyChainPatch",
    "SupplyChainSection",
]

NonNegative = Annotated[float, Field(ge=0), Allowed("a number of at least 0")]
Probability = Annotated[
    float, Field(gt=0, lt=1), Allowed("a probability greater than 0 and less than 1")
]
TiltFactor = Annotated[float, Field(ge=1, le=1000), Allowed("a number from 1 to 1000")]

CHOKEPOINT_DEFAULTS: dict[str, dict] = {
    # monthly closure probability outside a crisis, crisis-linked, reroute share, reason
    "Strait of Malacca": {
        "monthly_probability": 0.0005,
        "crisis_linked": True,
        "reroute_share": 0.9,
        "reason": "never closed; the Sunda and Lombok straits carry diverted tankers",
    },
    "Strait of Hormuz": {
        "monthly_probability": 0.002,
        "crisis_linked": True,
        "reroute_share": 0.12,
        "reason": "tanker war 1984-88 and repeated threats; Saudi and UAE bypass pipelines "
        "have about 2.6 mb/d spare (EIA, recalled), 12% of the 20.9 mb/d",
    },
    "Suez Canal and SUMED Pipeline": {
        "monthly_probability": 0.0035,
        "crisis_linked": True,
        "reroute_share": 0.7,
        "reason": "closed 1956-57, 1967-75 and six days in 2021: about 3 closures in 840 "
        "months; the Cape route replaced two thirds of the 2024 Red Sea loss (EIA)",
    },
    "Bab el-Mandeb": {
        "monthly_probability": 0.003,
        "crisis_linked": True,
        "reroute_share": 0.7,
        "reason": "attacks on shipping from late 2023; the Cape route replaced about two "
        "thirds of the lost flow (EIA: Cape +3.2 of 4.7 mb/d lost)",
    },
    "Danish Straits": {
        "monthly_probability": 0.0005,
        "crisis_linked": True,
        "reroute_share": 0.3,
        "reason": "never closed; little alternative for Baltic exports",
    },
    "Turkish Straits (Dardanelles)": {
        "monthly_probability": 0.001,
        "crisis_linked": True,
        "reroute_share": 0.3,
        "reason": "Montreux Convention closures to warships; pipelines carry part",
    },
    "Panama Canal": {
        "monthly_probability": 0.004,
        "crisis_linked": False,
        "reroute_share": 0.5,
        "reason": "drought cut transits in 2023-24 (a non-political hazard); Cape Horn and "
        "US pipelines carry part",
    },
    "Cape of Good Hope": {
        "monthly_probability": 0.0001,
        "crisis_linked": False,
        "reroute_share": 0.0,
        "reason": "open ocean route; the rerouting of last resort",
    },
}
"""Chokepoint -> default monthly closure probability, crisis link and reroute share."""

COMMODITY_DEFAULTS: dict[str, dict[str, float]] = {
    "oil": {"spare_capacity": 0.03, "ramp_months": 2.0, "stock_months": 3.0},
    "mineral": {"spare_capacity": 0.05, "ramp_months": 12.0, "stock_months": 0.0},
}
"""Spare capacity (fraction of world supply other producers can add: OPEC+ spare about
3 mb/d of 100), ramp-up months and stock months by kind (oil; minerals, whose spare
refining capacity outside China is small and slow to start)."""


class Commodity(ConfigModel):
    """A commodity at one stage of its chain (a row group of the production table)."""

    noun: ClassVar[str] = "a commodity"
    name: ActorName
    stage: ActorName | None = Field(
        None, description="Stage (mine, refining, ...); needed when the table has several."
    )
    spare_capacity: Fraction | None = None
    ramp_months: Multiplier | None = None
    friend_shoring: Fraction = Field(
        0.0, description="Capacity added by friend-shoring, a fraction of world supply."
    )

    def default(self, field: str) -> float:
        kind = "oil" if self.name == "oil" else "mineral"
        value = getattr(self, field, None)
        return COMMODITY_DEFAULTS[kind][field] if value is None else value


class Importer(ConfigModel):
    """An importing state or union and its needs."""

    noun: ClassVar[str] = "an importer"
    name: ActorName
    demand: dict[ActorName, Multiplier] = Field(
        default_factory=dict, description="Commodity -> relative monthly demand (default 1)."
    )
    stock_months: dict[ActorName, NonNegative] = Field(default_factory=dict)
    sourcing: dict[ActorName, dict[ActorName, Fraction]] = Field(default_factory=dict)
    routes: dict[ActorName, dict[ActorName, Fraction]] = Field(default_factory=dict)
    pool: bool = True


class Restrictor(ConfigModel):
    """A producer that may restrict its exports."""

    noun: ClassVar[str] = "a restricting producer"
    producer: ActorName
    actor: ActorName | None = Field(None, description="The scenario actor it is (sanctions link).")
    commodities: list[ActorName] = Field(min_length=1)
    monthly_probability: Probability = 0.002
    world_share: dict[ActorName, Fraction] = Field(
        default_factory=dict, description="Commodity -> world share, where the table has none."
    )


class Chokepoint(ConfigModel):
    """A maritime chokepoint that may close."""

    noun: ClassVar[str] = "a chokepoint"
    name: ActorName
    monthly_probability: Probability | None = None
    crisis_linked: bool | None = None
    reroute_share: Fraction | None = None

    def default(self, field: str):
        value = getattr(self, field)
        return CHOKEPOINT_DEFAULTS[self.name][field] if value is None else value


class Headline(ConfigModel):
    """The importer and commodity whose shortfall the conditional judgments read."""

    noun: ClassVar[str] = "a headline"
    importer: ActorName | None = None
    commodity: ActorName | None = None
    within_months: Count = 12


class RareEvent(ConfigModel):
    """Importance sampling of P(headline shortfall >= threshold within the window)."""

    noun: ClassVar[str] = "a rare-event setting"
    threshold: Annotated[
        float, Field(gt=0, le=1), Allowed("a number greater than 0 and at most 1")
    ] = 0.5
    tilt: TiltFactor = 10.0
    importance_sampling: bool = Field(
        True, description="False: only the plain Monte Carlo estimate (no tilted copy)."
    )


class SupplyChainSection(ModelSection):
    """Importers, commodities, restricting producers and chokepoints (see the module docstring)."""

    noun: ClassVar[str] = "a supply_chain section"
    importers: list[Importer] = Field(min_length=1)
    commodities: list[Commodity] = Field(min_length=1)
    restrictors: list[Restrictor] = Field(default_factory=list)
    chokepoints: list[Chokepoint] = Field(default_factory=list)
    pooling: bool = Field(False, description="Importers with pool: true share their stocks.")
    headline: Headline = Field(default_factory=Headline)
    rare_event: RareEvent | None = None

    @property
    def commodity_names(self) -> tuple[str, ...]:
        return tuple(commodity.name for commodity in self.commodities)

    @property
    def importer_names(self) -> tuple[str, ...]:
        return tuple(importer.name for importer in self.importers)

    @property
    def chokepoint_names(self) -> tuple[str, ...]:
        return tuple(chokepoint.name for chokepoint in self.chokepoints)

    def headline_indices(self) -> tuple[int, int]:
        importer = self.headline.importer or self.importers[0].name
        commodity = self.headline.commodity or self.commodities[0].name
        return self.importer_names.index(importer), self.commodity_names.index(commodity)

    def problems(self, actors: dict[str, Actor]) -> Problems:
        from riskengine.models.supply_chain.validation import section_problems

        return section_problems(self, actors)

    def scenario_problems(self, sections: dict[str, ModelSection]) -> Problems:
        """A restrictor linked to sanctions must be the sanctions' target."""
        problems: Problems = []
        sanctions = sections.get("sanctions")
        for index, restrictor in enumerate(self.restrictors):
            if restrictor.actor is None or sanctions is None:
                continue
            if restrictor.actor != sanctions.target:
                message = (
                    f"got {restrictor.actor!r}; allowed: the sanctions target "
                    f"{sanctions.target!r}, or no actor (the restriction then ignores sanctions)"
                )
                problems.append((("restrictors", index, "actor"), message))
        return problems


class SupplyChainPatch(SectionPatch):
    """A variant's changes to numbers; the network's names stay the section's."""

    noun: ClassVar[str] = "changes to the supply_chain section"
    pooling: bool | None = None
    set_stock_months: dict[ActorName, dict[ActorName, NonNegative]] = Field(default_factory=dict)
    set_friend_shoring: dict[ActorName, Fraction] = Field(default_factory=dict)
    set_restriction_probability: dict[ActorName, Probability] = Field(default_factory=dict)
    set_closure_probability: dict[ActorName, Probability] = Field(default_factory=dict)

    def problems(self, section: SupplyChainSection, actors: dict[str, Actor]) -> Problems:
        checks = (
            ("set_stock_months", section.importer_names, "an importer"),
            ("set_friend_shoring", section.commodity_names, "a commodity"),
            (
                "set_restriction_probability",
                [r.producer for r in section.restrictors],
                "a restricting producer",
            ),
            ("set_closure_probability", section.chokepoint_names, "a chokepoint"),
        )
        problems: Problems = []
        for field, names, what in checks:
            for name in getattr(self, field):
                if name not in names:
                    message = f"{name!r} is not {what} of the section; allowed: {names_text(names)}"
                    problems.append(((field, name), message))
        for importer, stocks in self.set_stock_months.items():
            for commodity in stocks:
                if commodity not in section.commodity_names:
                    message = f"{commodity!r} is not a commodity of the section; allowed: {names_text(section.commodity_names)}"
                    problems.append((("set_stock_months", importer, commodity), message))
        return problems

    def apply(self, section: SupplyChainSection, actors: dict[str, Actor]):
        data = section.model_dump()
        if self.pooling is not None:
            data["pooling"] = self.pooling
        for importer in data["importers"]:
            importer["stock_months"] |= self.set_stock_months.get(importer["name"], {})
        for commodity in data["commodities"]:
            commodity["friend_shoring"] = self.set_friend_shoring.get(
                commodity["name"], commodity["friend_shoring"]
            )
        for restrictor in data["restrictors"]:
            restrictor["monthly_probability"] = self.set_restriction_probability.get(
                restrictor["producer"], restrictor["monthly_probability"]
            )
        for chokepoint in data["chokepoints"]:
            chokepoint["monthly_probability"] = self.set_closure_probability.get(
                chokepoint["name"], chokepoint["monthly_probability"]
            )
        return SupplyChainSection.build(**data), actors


SECTION = SupplyChainSection
PATCH = SupplyChainPatch
