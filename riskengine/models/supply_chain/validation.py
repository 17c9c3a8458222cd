"""Cross-field checks of a supply_chain section: every name refers to something known."""

from __future__ import annotations

from riskengine.config.core import Actor, Problems
from riskengine.config.references import names_text, unique_name_problems
from riskengine.models.supply_chain.data import OIL, commodity_stages, producer_shares

__all__ = ["section_problems"]


def section_problems(section, actors: dict[str, Actor]) -> Problems:
    """Problems of ``section`` (locations relative to it), one line each."""
    problems: Problems = []
    problems += unique_name_problems(section.importer_names, "importers", "importer")
    problems += unique_name_problems(section.commodity_names, "commodities", "commodity")
    problems += unique_name_problems(section.chokepoint_names, "chokepoints", "chokepoint")
    producers = [restrictor.producer for restrictor in section.restrictors]
    problems += unique_name_problems(producers, "restrictors", "producer")
    for index, commodity in enumerate(section.commodities):
        problems += _commodity_problems(("commodities", index), commodity)
    for index, chokepoint in enumerate(section.chokepoints):
        problems += _chokepoint_problems(("chokepoints", index), chokepoint)
    for index, importer in enumerate(section.importers):
        problems += _importer_problems(("importers", index), importer, section)
    for index, restrictor in enumerate(section.restrictors):
        problems += _restrictor_problems(("restrictors", index), restrictor, section, actors)
    return problems + _headline_problems(section)


def _commodity_problems(location, commodity) -> Problems:
    stages = commodity_stages()
    if commodity.name == OIL:
        if commodity.stage is not None:
            return [((*location, "stage"), f"got {commodity.stage!r}; allowed: no stage for oil")]
        return []
    if commodity.name not in stages:
        allowed = names_text([OIL, *stages])
        return [((*location, "name"), f"got {commodity.name!r}; allowed: {allowed}")]
    known = stages[commodity.name]
    if commodity.stage is None and len(known) > 1:
        message = f"missing for {commodity.name!r}; allowed: one of {names_text(known)}"
        return [((*location, "stage"), message)]
    if commodity.stage is not None and commodity.stage not in known:
        message = f"got {commodity.stage!r} for {commodity.name!r}; allowed: {names_text(known)}"
        return [((*location, "stage"), message)]
    return []


def _chokepoint_problems(location, chokepoint) -> Problems:
    from riskengine.models.supply_chain.section import CHOKEPOINT_DEFAULTS

    if chokepoint.name not in CHOKEPOINT_DEFAULTS:
        allowed = names_text(CHOKEPOINT_DEFAULTS)
        return [((*location, "name"), f"got {chokepoint.name!r}; allowed: {allowed}")]
    return []


def _importer_problems(location, importer, section) -> Problems:
    problems: Problems = []
    commodities = section.commodity_names
    for field in ("demand", "stock_months", "sourcing", "routes"):
        for name in getattr(importer, field):
            if name not in commodities:
                message = (
                    f"got {name!r}; allowed: a commodity of the section: {names_text(commodities)}"
                )
                problems.append(((*location, field, name), message))
    for commodity, shares in importer.sourcing.items():
        if sum(shares.values()) > 1 + 1e-9:
            message = f"shares sum to {sum(shares.values()):.4g}; allowed: a total of at most 1"
            problems.append(((*location, "sourcing", commodity), message))
    for commodity, routes in importer.routes.items():
        for name in routes:
            if name not in section.chokepoint_names:
                allowed = (
                    names_text(section.chokepoint_names)
                    or "none (the section lists no chokepoints)"
                )
                message = f"got {name!r}; allowed: a chokepoint of the section: {allowed}"
                problems.append(((*location, "routes", commodity, name), message))
    return problems


def _restrictor_problems(location, restrictor, section, actors) -> Problems:
    problems: Problems = []
    if restrictor.actor is not None and restrictor.actor not in actors:
        message = (
            f"got {restrictor.actor!r}; allowed: an actor of the scenario: {names_text(actors)}"
        )
        problems.append(((*location, "actor"), message))
    for name in restrictor.world_share:
        if name not in restrictor.commodities:
            message = f"got {name!r}; allowed: one of the restrictor's commodities: {names_text(restrictor.commodities)}"
            problems.append(((*location, "world_share", name), message))
    commodities = {commodity.name: commodity for commodity in section.commodities}
    for index, name in enumerate(restrictor.commodities):
        if name not in commodities:
            message = (
                f"got {name!r}; allowed: a commodity of the section: {names_text(commodities)}"
            )
            problems.append(((*location, "commodities", index), message))
        elif name not in restrictor.world_share and not _listed(
            restrictor.producer, commodities[name]
        ):
            message = (
                f"{restrictor.producer!r} is not a listed producer of {name!r}; allowed: a "
                "producer of the production table, or give world_share for it"
            )
            problems.append(((*location, "commodities", index), message))
    return problems


def _listed(producer: str, commodity) -> bool:
    if commodity.name == OIL:
        return False
    stage = commodity.stage or commodity_stages()[commodity.name][0]
    return producer in producer_shares(commodity.name, stage)


def _headline_problems(section) -> Problems:
    problems: Problems = []
    for field, names in (
        ("importer", section.importer_names),
        ("commodity", section.commodity_names),
    ):
        value = getattr(section.headline, field)
        if value is not None and value not in names:
            problems.append(((("headline", field)), f"got {value!r}; allowed: {names_text(names)}"))
    return problems
