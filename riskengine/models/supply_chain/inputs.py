"""A scenario's supply_chain section as arrays, stacked over variants.

Axes: importer ``i``, commodity ``c``, restricting producer ``r``, chokepoint ``k``, in
the section's order (variants change numbers only, so every variant has the same
names). An importer's share from a producer is its ``sourcing`` entry, else the
producer's world share (the shipped production table, or the restrictor's
``world_share``); its share of a commodity through a chokepoint is its ``routes`` entry,
else, for oil, the chokepoint's share of world maritime oil trade (EIA 2023), else 0.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from riskengine.models.base import ScenarioInputs, Variable
from riskengine.models.supply_chain.data import (
    OIL,
    chokepoint_shares,
    commodity_stages,
    producer_shares,
)

__all__ = ["SHORTFALL_THRESHOLDS", "SupplyInputs", "scenario_arrays"]

SHORTFALL_THRESHOLDS = (0.05, 0.1, 0.2, 0.5)


class SupplyInputs(NamedTuple):
    """One variant's network and settings (see the module docstring)."""

    restrictor_share: jnp.ndarray  # (i, c, r) importer's share from r of what r restricts
    world_restrictor_share: jnp.ndarray  # (c, r) world share of what r restricts
    route_share: jnp.ndarray  # (i, c, k)
    restriction_probability: jnp.ndarray  # (r,) monthly base rate
    restrictor_sanctioned: jnp.ndarray  # (r,) bool: the restrictor is the sanctions target
    closure_probability: jnp.ndarray  # (k,)
    crisis_linked: jnp.ndarray  # (k,) 1.0 or 0.0
    reroute_share: jnp.ndarray  # (k,)
    spare_capacity: jnp.ndarray  # (c,)
    ramp_months: jnp.ndarray  # (c,)
    friend_shoring: jnp.ndarray  # (c,)
    stock_months: jnp.ndarray  # (i, c)
    demand: jnp.ndarray  # (i, c)
    pool: jnp.ndarray  # (i,) bool: draws on the allied pool
    headline: jnp.ndarray  # (2,) int32: importer, commodity
    window_months: jnp.ndarray  # () int32: the headline window
    rare_threshold: jnp.ndarray  # () float: the rare event's shortfall threshold
    tilt: jnp.ndarray  # () float: importance-sampling factor of the onset hazards


def _stage(commodity) -> str | None:
    if commodity.name == OIL:
        return None
    return commodity.stage or commodity_stages()[commodity.name][0]


def _world_share(restrictor, commodity) -> float:
    if commodity.name not in restrictor.commodities:
        return 0.0
    if commodity.name in restrictor.world_share:
        return restrictor.world_share[commodity.name]
    return producer_shares(commodity.name, _stage(commodity)).get(restrictor.producer, 0.0)


def _grid(rows, columns, items, value) -> np.ndarray:
    """(rows, columns, items) float32 array of ``value(row, column, item)``."""
    cells = [[[value(r, c, i) for i in items] for c in columns] for r in rows]
    return np.asarray(cells, np.float32).reshape(len(rows), len(columns), len(items))


def _sourcing(importer, commodity, restrictor) -> float:
    """The importer's share from a restrictor of what it restricts (its world share
    unless the importer's ``sourcing`` says otherwise)."""
    if commodity.name not in restrictor.commodities:
        return 0.0
    given = importer.sourcing.get(commodity.name, {})
    return given.get(restrictor.producer, _world_share(restrictor, commodity))


def _route(importer, commodity, chokepoint, oil_routes) -> float:
    """The importer's share of a commodity through a chokepoint (for oil, the world's
    maritime share unless the importer's ``routes`` says otherwise)."""
    default = oil_routes.get(chokepoint.name, 0.0) if commodity.name == OIL else 0.0
    return importer.routes.get(commodity.name, {}).get(chokepoint.name, default)


def _variant_arrays(section, sanctions_target) -> dict[str, np.ndarray]:
    importers, commodities = section.importers, section.commodities
    restrictors, chokepoints = section.restrictors, section.chokepoints
    world = _grid([None], commodities, restrictors, lambda _, c, r: _world_share(r, c))[0]
    restrictor_share = _grid(importers, commodities, restrictors, _sourcing)
    oil_routes = chokepoint_shares()
    route_share = _grid(
        importers, commodities, chokepoints, lambda i, c, k: _route(i, c, k, oil_routes)
    )
    headline = section.headline_indices()
    return {
        "restrictor_share": restrictor_share,
        "world_restrictor_share": world,
        "route_share": route_share,
        "restriction_probability": np.asarray(
            [r.monthly_probability for r in restrictors], np.float32
        ),
        "restrictor_sanctioned": np.asarray(
            [r.actor is not None and r.actor == sanctions_target for r in restrictors], bool
        ),
        "closure_probability": np.asarray(
            [k.default("monthly_probability") for k in chokepoints], np.float32
        ),
        "crisis_linked": np.asarray(
            [float(k.default("crisis_linked")) for k in chokepoints], np.float32
        ),
        "reroute_share": np.asarray([k.default("reroute_share") for k in chokepoints], np.float32),
        "spare_capacity": np.asarray(
            [c.default("spare_capacity") for c in commodities], np.float32
        ),
        "ramp_months": np.asarray([c.default("ramp_months") for c in commodities], np.float32),
        "friend_shoring": np.asarray([c.friend_shoring for c in commodities], np.float32),
        "stock_months": np.asarray(
            [
                [i.stock_months.get(c.name, c.default("stock_months")) for c in commodities]
                for i in importers
            ],
            np.float32,
        ),
        "demand": np.asarray(
            [[i.demand.get(c.name, 1.0) for c in commodities] for i in importers], np.float32
        ),
        "pool": np.asarray([section.pooling and i.pool for i in importers], bool),
        "headline": np.asarray(headline, np.int32),
        "window_months": np.asarray(section.headline.within_months, np.int32),
        "rare_threshold": np.asarray(
            section.rare_event.threshold if section.rare_event else 1.0, np.float32
        ),
        "tilt": np.asarray(section.rare_event.tilt if section.rare_event else 1.0, np.float32),
    }


def scenario_arrays(scenario) -> ScenarioInputs:
    """Inputs stacked over variants; the cube's constant data and coordinates."""
    variants = scenario.resolved_variants()
    per_variant = []
    for variant in variants:
        sanctions = variant.sections.get("sanctions")
        target = sanctions.target if sanctions is not None else None
        per_variant.append(_variant_arrays(variant.sections["supply_chain"], target))
    stacked = {name: np.stack([v[name] for v in per_variant]) for name in per_variant[0]}
    section = variants[0].sections["supply_chain"]
    inputs = SupplyInputs(**{name: jnp.asarray(value) for name, value in stacked.items()})
    constant_data = _constant_data(stacked)
    coords = {
        "month": np.arange(1, scenario.horizon_months + 1),
        "importer": np.asarray(section.importer_names),
        "commodity": np.asarray(section.commodity_names),
        "restrictor": np.asarray([r.producer for r in section.restrictors], dtype=str),
        "chokepoint": np.asarray(section.chokepoint_names, dtype=str),
        "shortfall_threshold": np.asarray(SHORTFALL_THRESHOLDS),
    }
    importer, commodity = section.headline_indices()
    static = {
        "num_months": scenario.horizon_months,
        "supply_headline": (
            section.importer_names[importer],
            section.commodity_names[commodity],
            min(section.headline.within_months, scenario.horizon_months),
        ),
        "supply_importance_sampling": bool(
            section.rare_event and section.rare_event.importance_sampling
        ),
    }
    return ScenarioInputs(inputs, static, constant_data, coords)


def _constant_data(stacked: dict[str, np.ndarray]) -> dict[str, Variable]:
    def variable(name, dims, description, units):
        return Variable(("variant", *dims), stacked[name], description, units)

    return {
        "supply_restrictor_share": variable(
            "restrictor_share",
            ("importer", "commodity", "restrictor"),
            "importer's sourcing share from the producer (of the commodities it may restrict)",
            "1",
        ),
        "supply_route_share": variable(
            "route_share",
            ("importer", "commodity", "chokepoint"),
            "share of the importer's supply of the commodity shipped through the chokepoint",
            "1",
        ),
        "supply_stock_months": variable(
            "stock_months", ("importer", "commodity"), "stocks at the start", "months of demand"
        ),
        "supply_friend_shoring": variable(
            "friend_shoring",
            ("commodity",),
            "capacity added by friend-shoring",
            "fraction of world supply",
        ),
        "supply_pool_member": variable(
            "pool", ("importer",), "the importer draws on the allied stock pool", "1"
        ),
        "supply_restriction_probability": variable(
            "restriction_probability",
            ("restrictor",),
            "base monthly probability of an export restriction",
            "probability",
        ),
        "supply_closure_probability": variable(
            "closure_probability",
            ("chokepoint",),
            "base monthly probability of a closure",
            "probability",
        ),
    }
