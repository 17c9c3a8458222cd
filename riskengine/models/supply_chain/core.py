"""Supply disruption: hazards, propagation and prices, shared by the simulator and checks.

Monthly story, per path (importers ``i``, commodities ``c``, restricting producers
``r``, chokepoints ``k``):

**Hazards.** A producer that may restrict exports of its commodities starts a
restriction in a month with probability ``sigmoid(logit(base_r) + log(rate_scale) +
level_slope * level + sanctions_effect * sanctioned)``: ``level`` is the crisis level of
the escalation model that month (0 without one) and ``sanctioned`` whether sanctions
against that producer are in force (the sanctions model's signal; the producer must be
the sanctions target). A restriction stops ``coverage`` of the producer's exports to the
importers and lifts with probability ``restriction_end`` a month. A chokepoint closes
with probability ``sigmoid(logit(base_k) + log(closure_rate_scale) + closure_level_slope
* level * crisis_linked_k)`` (a non-political hazard such as a drought at the Panama
Canal is not crisis-linked); a closure cuts ``severity`` of the flow (drawn per closure:
``clip(closure_severity + 0.25 (2u - 1), 0.05, 1)``) and ends with probability
``closure_end`` a month. The hazards are dependent only through the shared crisis state.

**Propagation** (fractions of the importer's normal monthly supply of a commodity):
lost = ``a + b - a b`` with ``a`` the restricted share (sourcing share x coverage) and
``b`` the share cut at closed chokepoints (route share x severity), the two independent;
from the second month of a closure, ``min(1, reroute_share_k x reroute_scale)`` of the
cut flow arrives by another route (the Cape of Good Hope adds about two weeks);
producers outside the restriction substitute up to ``capacity_c(t) = (spare_c x
spare_scale + friend_shoring_c) x min(1, t / (ramp_c x ramp_scale))`` of world supply,
``t`` the months since the commodity's restriction began, shared pro rata to the
restricted losses; stocks (months of cover) cover what is left, alone or, with pooling,
from one pool across the pool's members, drawn pro rata to need. Stocks refill by
``REFILL_MONTHS`` months of cover a month when the importer is not short. The ledger of
every importer-month holds exactly: ``1 = arrived + rerouted + substituted + stock_draw +
shortfall`` (:func:`ledger`).

**Prices.** The commodity's price multiplier in a month is ``(1 - s)^(-1/elasticity)``,
``s`` the demand-weighted shortfall of the scenario's importers, capped at
``PRICE_CAP`` (demand destruction and substitution in use beyond that are not modelled).

**Priors** (per parameter draw; sources and reasoning):

- ``restriction_level_slope`` Normal(0.7, 0.25) logits per crisis level: a war (level 4)
  multiplies the odds of a restriction by about 16 (China's 2010 rare-earth curbs came
  in the Senkaku crisis);
- ``restriction_sanctions_effect`` Normal(1.5, 0.5): sanctions against the producer
  multiply the odds by about 4.5 (China's 2023 gallium, germanium and graphite controls
  answered US export controls);
- ``restriction_rate_scale``, ``closure_rate_scale`` LogNormal(0, 0.5): the scenario's
  base monthly rates are judgments, known to a factor of about 2;
- ``restriction_end`` Beta(2, 22), mean 0.083 a month (mean 12 months): restrictions
  persist (the 2010 rare-earth quotas until the 2014 WTO ruling; the 2023 gallium
  controls still in force in 2024);
- ``restriction_coverage`` Beta(5, 3), mean 0.62: licensing regimes slow exports more
  than they stop them;
- ``closure_level_slope`` Normal(0.8, 0.25) logits per crisis level;
- ``closure_end`` Beta(3, 6), mean 0.33 a month (mean 3 months): from the six days of the
  Ever Given's Suez blockage (2021) to a year and more of the Red Sea attacks (2024);
- ``closure_severity`` Beta(6, 4), mean 0.6: Suez transits fell by roughly 40-70% in
  early 2024, Bab el-Mandeb oil flows by 54% (8.7 to 4.0 mb/d, EIA), the Ever Given
  stopped all of Suez for six days;
- ``reroute_scale`` LogNormal(0, 0.2) on the scenario's reroute shares (EIA: rerouting
  via the Cape replaced about two thirds of the 2024 Red Sea loss);
- ``spare_scale`` LogNormal(0, 0.4), ``ramp_scale`` LogNormal(0, 0.3) on the
  scenario's spare capacity and ramp-up months;
- ``elasticity`` LogNormal(log 0.084, 0.87), the magnitude of the short-run demand
  elasticity: 90% between 0.02 and 0.35, the published range for oil.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

__all__ = [
    "PARAMETER_COORDS",
    "PARAMETER_DIMS",
    "PRICE_CAP",
    "REFILL_MONTHS",
    "SEVERITY_SPREAD",
    "Flows",
    "Params",
    "capacity",
    "hazard_logits",
    "ledger",
    "model",
    "price_multiplier",
    "propagate",
    "severity",
]

PRICE_CAP = 10.0
REFILL_MONTHS = 0.1
SEVERITY_SPREAD = 0.25
NUM_LEVELS = 5

PARAMETER_DIMS: dict[str, tuple[str, ...]] = {
    name: ()
    for name in (
        "restriction_level_slope",
        "restriction_sanctions_effect",
        "restriction_rate_scale",
        "restriction_end",
        "restriction_coverage",
        "closure_level_slope",
        "closure_rate_scale",
        "closure_end",
        "closure_severity",
        "reroute_scale",
        "spare_scale",
        "ramp_scale",
        "elasticity",
    )
}
PARAMETER_COORDS: dict[str, tuple[str, ...]] = {}


class Params(NamedTuple):
    """One draw of the supply model's parameters (see the module docstring)."""

    restriction_level_slope: jnp.ndarray
    restriction_sanctions_effect: jnp.ndarray
    restriction_rate_scale: jnp.ndarray
    restriction_end: jnp.ndarray
    restriction_coverage: jnp.ndarray
    closure_level_slope: jnp.ndarray
    closure_rate_scale: jnp.ndarray
    closure_end: jnp.ndarray
    closure_severity: jnp.ndarray
    reroute_scale: jnp.ndarray
    spare_scale: jnp.ndarray
    ramp_scale: jnp.ndarray
    elasticity: jnp.ndarray


def priors() -> dict[str, dist.Distribution]:
    """Parameter name -> prior (sources in the module docstring)."""
    return {
        "restriction_level_slope": dist.Normal(0.7, 0.25),
        "restriction_sanctions_effect": dist.Normal(1.5, 0.5),
        "restriction_rate_scale": dist.LogNormal(0.0, 0.5),
        "restriction_end": dist.Beta(2.0, 22.0),
        "restriction_coverage": dist.Beta(5.0, 3.0),
        "closure_level_slope": dist.Normal(0.8, 0.25),
        "closure_rate_scale": dist.LogNormal(0.0, 0.5),
        "closure_end": dist.Beta(3.0, 6.0),
        "closure_severity": dist.Beta(6.0, 4.0),
        "reroute_scale": dist.LogNormal(0.0, 0.2),
        "spare_scale": dist.LogNormal(0.0, 0.4),
        "ramp_scale": dist.LogNormal(0.0, 0.3),
        "elasticity": dist.LogNormal(float(np.log(0.084)), 0.87),
    }


def model() -> Params:
    """numpyro model: the priors (the supply model is not fitted to data)."""
    return Params(**{name: numpyro.sample(name, prior) for name, prior in priors().items()})


def hazard_logits(base_probability, rate_scale, level_slope, effect=0.0, exposed=1.0):
    """(..., 5 levels, 2 sanctioned) logits of a monthly onset: base rate scaled, plus the
    level slope per crisis level (times ``exposed``), plus ``effect`` when sanctioned."""
    base = jnp.log(base_probability) - jnp.log1p(-base_probability) + jnp.log(rate_scale)
    levels = jnp.arange(NUM_LEVELS, dtype=jnp.float32)
    by_level = base[..., None] + level_slope * levels * jnp.asarray(exposed)[..., None]
    return by_level[..., None] + jnp.asarray([0.0, 1.0]) * jnp.asarray(effect)


def severity(mean, bits_unit) -> jnp.ndarray:
    """A closure's cut fraction from its uniform draw (see the module docstring)."""
    return jnp.clip(mean + SEVERITY_SPREAD * (2.0 * bits_unit - 1.0), 0.05, 1.0)


def capacity(spare, friend_shoring, ramp_months, months_disrupted) -> jnp.ndarray:
    """Substitute supply available, a fraction of world supply, per commodity."""
    ramp = jnp.clip(months_disrupted / jnp.maximum(ramp_months, 1e-3), 0.0, 1.0)
    return (spare + friend_shoring) * ramp


class Flows(NamedTuple):
    """One month's ledger, fractions of each importer's normal supply (importer, commodity, paths)."""

    arrived: jnp.ndarray
    rerouted: jnp.ndarray
    substituted: jnp.ndarray
    stock_draw: jnp.ndarray
    shortfall: jnp.ndarray


def propagate(
    restricted_share,
    cut_share,
    rerouted_share,
    world_restricted,
    available,
    stock,
    demand,
    pool,
    stock_capacity,
):
    """One month's flows and the stocks after it.

    ``restricted_share`` (i, c, p): share of supply stopped by restrictions; ``cut_share``
    (i, c, p) share cut at closed chokepoints; ``rerouted_share`` (i, c, p) the part of
    the cut that arrives another way; ``world_restricted`` (c, p) and ``available`` (c, p)
    the world's restricted share and the substitutes available; ``stock`` (i, c, p) in
    months of the importer's demand, refilled up to ``stock_capacity`` (i, c, 1);
    ``demand`` (i, c) relative monthly demand; ``pool`` (i,) bool: the importer draws on
    the pool (False for every importer: no pooling).
    Returns (``Flows``, stock after the month)."""
    from_restrictions = restricted_share * (1.0 - cut_share)
    lost = from_restrictions + cut_share
    positive = world_restricted > 0
    covered = jnp.minimum(1.0, available / jnp.where(positive, world_restricted, 1.0))
    covered = jnp.where(positive, covered, 0.0)
    substituted = from_restrictions * covered[None]
    net = jnp.maximum(lost - rerouted_share - substituted, 0.0)
    draw, remaining = _stock_draw(net, stock, demand, pool)
    shortfall = jnp.maximum(net - draw, 0.0)
    refilled = jnp.where(net > 0, remaining, jnp.minimum(remaining + REFILL_MONTHS, stock_capacity))
    flows = Flows(1.0 - lost, rerouted_share, substituted, net - shortfall, shortfall)
    return flows, jnp.maximum(refilled, remaining)


def _stock_draw(net, stock, demand, pool):
    """(draw, stock left), fractions and months of the importer's demand (i, c, p).

    Alone: the lesser of need and stock. In the pool: the pool draws the lesser of the
    members' need and their stock (in units of demand), shares it pro rata to need, and
    every member's stock falls by the same fraction."""
    alone = jnp.minimum(net, stock)
    member = pool[:, None, None]
    weight = demand[..., None] * member
    pool_need = jnp.sum(net * weight, axis=0)
    pool_stock = jnp.sum(stock * weight, axis=0)
    pool_draw = jnp.minimum(pool_need, pool_stock)
    served = pool_draw / jnp.where(pool_need > 0, pool_need, 1.0)
    kept = 1.0 - pool_draw / jnp.where(pool_stock > 0, pool_stock, 1.0)
    draw = jnp.where(member, net * served[None], alone)
    remaining = jnp.where(member, stock * kept[None], stock - alone)
    return draw, jnp.maximum(remaining, 0.0)


def ledger(flows: Flows) -> jnp.ndarray:
    """arrived + rerouted + substituted + stock draw + shortfall: 1 when conserved."""
    return flows.arrived + flows.rerouted + flows.substituted + flows.stock_draw + flows.shortfall


def price_multiplier(shortfall, elasticity) -> jnp.ndarray:
    """Price relative to normal for a market shortfall fraction (capped at PRICE_CAP)."""
    log_multiplier = -jnp.log1p(-jnp.minimum(shortfall, 0.999)) / elasticity
    return jnp.exp(jnp.minimum(log_multiplier, jnp.log(PRICE_CAP)))
