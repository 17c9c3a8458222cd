"""The supply model's per-path state and monthly transition (a composable ``Component``).

Each month, in this order: restrictions in force may lift, then restrictions may start
(for producers not restricting at the start of the month) at the hazard of that month's
crisis level and sanctions; likewise closures end, then start; then the month's flows
propagate (:func:`riskengine.models.supply_chain.core.propagate`) and the records
(shortfall by month, the first year's worst and mean shortfall, cumulative shortfall,
months short, peak price) are updated. Month 1 is drawn in ``start``.

**Importance sampling.** With a ``rare_event`` setting the component carries a second,
*tilted* copy of its hazard state and flows (a second "measure") in the same path: its
onset hazards within the headline window are ``min(tilt x p, max(p, 0.2))`` (the plain
``p`` after it) and a closure's severity is drawn from ``u ** (1/3)`` (severe closures
likelier), for the items that can move the headline line (:func:`_relevant`); it keeps
the log likelihood ratio of these draws, ``w = prod p/q`` (onset) ``x (1-p)/(1-q)`` (no
onset) ``x 1 / (3 u**2)`` (severity). It reads
the same crisis and sanctions as the plain copy, which alone feeds every other output:
``w x 1{headline shortfall >= threshold within the window}`` averaged over paths is an
unbiased estimate of the event's probability (the plain copy's indicator is the plain
Monte Carlo estimate of the same event, from the same paths).

Counter streams (the model's own key words): for month ``m`` and item ``j``, step
``(m - 1) | j << 16 | kind << 24``: kind 0 a restriction's onset, 1 its end, 2 a
closure's onset, 3 its end, 4 its severity. Both measures use the same draws.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from riskengine.models.base import Event
from riskengine.models.supply_chain import core
from riskengine.models.supply_chain.inputs import SHORTFALL_THRESHOLDS, SupplyInputs
from riskengine.primitives.counter_rng import bits_to_unit_interval, uniform_bits
from riskengine.primitives.ordered_logit import probability_to_bits

__all__ = [
    "ANNUAL_EDGES",
    "BAND_EDGES",
    "BAND_NAMES",
    "RECOVERY_EDGES",
    "SHORT_MONTH_THRESHOLD",
    "PRICE_SCALE",
    "SPLIT_BITS",
    "SUM_SCALE",
    "SupplyComponent",
]

BAND_EDGES = (0.05, 0.2, 0.5)
BAND_NAMES = ("under_5pct", "5_to_20pct", "20_to_50pct", "50pct_or_more")
"""The headline importer-commodity's worst monthly shortfall within the window, banded."""
ANNUAL_EDGES = (
    0.001,
    0.005,
    *(round(0.01 * k, 2) for k in range(1, 10)),
    *(round(0.025 * k, 3) for k in range(4, 41)),
)
"""Bin edges of the first year's worst and mean monthly shortfall (exceedance curves):
fine below 10%, every 2.5 points above; bin ``b`` holds ``[edge[b-1], edge[b])``."""
RECOVERY_EDGES = (1, 2, 4, 7, 13, 25)
"""Months from the first month short (> 1%) to the last, by bins; plus 'never short'
and 'still short at the horizon'."""
SHORT_MONTH_THRESHOLD = 0.01
LEDGER_TOLERANCE = 1e-5  # float32 rounding of five fractions summed
SUM_SCALE = 1024  # shortfall summed over paths as round(shortfall * 1024)
PRICE_SCALE = 64  # price multiplier (at most 10) summed as round(price * 64)
SPLIT_BITS = 11
_KIND_SHIFT, _ITEM_SHIFT = 24, 16


class Hazards(NamedTuple):
    """One measure's per-path hazard and stock state (items first, paths last)."""

    restricted: jnp.ndarray  # (r, p) bool
    closed_months: jnp.ndarray  # (k, p) int32: months the closure has lasted, 0 = open
    severity: jnp.ndarray  # (k, p)
    disrupted_months: jnp.ndarray  # (c, p) int32: months of restriction losses
    stock: jnp.ndarray  # (i, c, p) months of demand
    log_weight: jnp.ndarray  # (p,)
    window_max: jnp.ndarray  # (p,) headline's worst shortfall within the window


class SupplyState(NamedTuple):
    hazards: Hazards  # each leaf with a leading measure axis (1 or 2)
    shortfall: jnp.ndarray  # (i, c, p) this month's (plain measure)
    cumulative: jnp.ndarray  # (i, c, p) months of demand short
    year_max: jnp.ndarray  # (i, c, p) worst month of the first 12
    year_sum: jnp.ndarray  # (i, c, p)
    first_short: jnp.ndarray  # (i, c, p) int32 month, 0 = never
    last_short: jnp.ndarray
    price: jnp.ndarray  # (c, p) this month's price multiplier
    price_peak: jnp.ndarray  # (c, p) price multiplier, worst month
    ledger_error: jnp.ndarray  # (p,) largest |ledger - 1| of any month (plain measure)
    month: jnp.ndarray
    valid: jnp.ndarray
    tables: dict


def _params(params) -> core.Params:
    return params if isinstance(params, core.Params) else core.Params(*params)


def _bits(words, stream, month, kind: int, count: int):
    items = jnp.arange(count, dtype=jnp.uint32)
    steps = (
        (jnp.asarray(month, jnp.uint32) - 1)
        | (items << _ITEM_SHIFT)
        | jnp.uint32(kind << _KIND_SHIFT)
    )
    return uniform_bits(words, stream[None, :], steps[:, None])


SEVERITY_TILT = 3.0
"""The tilted copy draws a relevant closure's severity from ``u ** (1 / 3)`` (density
``3 u**2``: severe closures likelier), weighting by ``1 / (3 u**2)``."""


def _relevant(shares, inputs: SupplyInputs) -> jnp.ndarray:
    """Items (restrictors or chokepoints) whose share of the headline line is at least
    half the rare-event threshold: only they are tilted (an item that cannot move the
    headline much would only add weight variance)."""
    line = shares[inputs.headline[0], inputs.headline[1]]
    return line >= 0.5 * inputs.rare_threshold


def _onset_tables(probability, tilt) -> dict:
    """Thresholds and log ratios per measure (plain; tilted when tilt > 1); ``tilt``
    broadcasts against ``probability`` (items first)."""
    tilted = jnp.minimum(tilt * probability, jnp.maximum(probability, 0.2))
    measures = jnp.stack([probability, tilted])
    bits = probability_to_bits(measures)
    exact = bits.astype(jnp.float32) * jnp.float32(2.0**-32)
    plain = exact[:1]
    return {
        "bits": bits,
        "log_onset": jnp.log(jnp.maximum(plain, 1e-30)) - jnp.log(jnp.maximum(exact, 1e-30)),
        "log_none": jnp.log1p(-plain) - jnp.log1p(-exact),
    }


def _tables(params: core.Params, inputs: SupplyInputs, measures: int) -> dict:
    restriction = jax.nn.sigmoid(
        core.hazard_logits(
            inputs.restriction_probability,
            params.restriction_rate_scale,
            params.restriction_level_slope,
            params.restriction_sanctions_effect * inputs.restrictor_sanctioned,
        )
    )  # (r, level, sanctioned)
    closure = jax.nn.sigmoid(
        core.hazard_logits(
            inputs.closure_probability,
            params.closure_rate_scale,
            params.closure_level_slope,
            exposed=inputs.crisis_linked,
        )[..., 0]
    )  # (k, level)
    keep = slice(0, measures)
    restriction_tilt = jnp.where(_relevant(inputs.restrictor_share, inputs), inputs.tilt, 1.0)
    closure_relevant = _relevant(inputs.route_share, inputs)
    closure_tilt = jnp.where(closure_relevant, inputs.tilt, 1.0)
    restriction_tables = _onset_tables(restriction, restriction_tilt[:, None, None])
    closure_tables = _onset_tables(closure, closure_tilt[:, None])
    power = jnp.where(closure_relevant & (inputs.tilt > 1.0), SEVERITY_TILT, 1.0)
    return {
        "restriction": {k: v[keep] for k, v in restriction_tables.items()},
        "closure": {k: v[keep] for k, v in closure_tables.items()},
        "severity_power": jnp.stack([jnp.ones_like(power), power])[keep],
        "restriction_end": probability_to_bits(params.restriction_end),
        "closure_end": probability_to_bits(params.closure_end),
    }


def _onsets(tables, bits, eligible, index):
    """(measure, items, p) onsets and the log-weight increment (measure, p)."""
    threshold = tables["bits"][index]
    starts = eligible & (bits[None] < threshold)
    log_ratio = jnp.where(starts, tables["log_onset"][index], tables["log_none"][index])
    return starts, jnp.sum(jnp.where(eligible, log_ratio, 0.0), axis=1)


def _measure_rows(tables, tilting):
    """Each measure's row of the tables: its own inside the window, the plain one after
    (the event reads the window only, so tilting later draws would only add variance)."""
    measures = tables["bits"].shape[0]
    return jnp.where(tilting, jnp.arange(measures), 0)[:, None, None]


def _restriction_index(tables, level, sanctioned_signal, inputs, tilting):
    """Index arrays into the (measure, r, level, sanctioned) tables."""
    items = tables["bits"].shape[1]
    sanctioned = (sanctioned_signal[None, :] & inputs.restrictor_sanctioned[:, None]).astype(
        jnp.int32
    )
    return (
        _measure_rows(tables, tilting),
        jnp.arange(items)[None, :, None],
        level[None, None, :],
        sanctioned[None],
    )


def _closure_index(tables, level, tilting):
    items = tables["bits"].shape[1]
    rows = _measure_rows(tables, tilting)
    return rows, jnp.arange(items)[None, :, None], level[None, None, :]


def _hazard_step(params, inputs, tables, hazards: Hazards, draws, level, sanctioned, tilting):
    """Ends, then onsets, of restrictions and closures for every measure."""
    restriction_on, restriction_end, closure_on, closure_end, severity_bits = draws
    lifts = hazards.restricted & (restriction_end[None] < tables["restriction_end"])
    restricted = hazards.restricted & ~lifts
    starts, restriction_weight = _onsets(
        tables["restriction"],
        restriction_on,
        ~hazards.restricted,
        _restriction_index(tables["restriction"], level, sanctioned, inputs, tilting),
    )
    restricted = restricted | starts
    was_closed = hazards.closed_months > 0
    reopens = was_closed & (closure_end[None] < tables["closure_end"])
    closes, closure_weight = _onsets(
        tables["closure"],
        closure_on,
        ~was_closed,
        _closure_index(tables["closure"], level, tilting),
    )
    still = was_closed & ~reopens
    closed_months = jnp.where(still, hazards.closed_months + 1, jnp.where(closes, 1, 0))
    power = jnp.where(tilting, tables["severity_power"], 1.0)[..., None]  # (measure, k, 1)
    unit = bits_to_unit_interval(severity_bits)[None] ** (1.0 / power)
    new_severity = core.severity(params.closure_severity, unit)
    severity = jnp.where(closes, new_severity, hazards.severity)
    severity_weight = jnp.sum(
        jnp.where(closes, -jnp.log(power) - (power - 1.0) * jnp.log(unit), 0.0), axis=1
    )
    return hazards._replace(
        restricted=restricted,
        closed_months=closed_months.astype(jnp.int32),
        severity=severity,
        log_weight=hazards.log_weight + restriction_weight + closure_weight + severity_weight,
    )


def _flows(params, inputs: SupplyInputs, hazards: Hazards):
    """One measure's month of flows: (Flows, hazards with stock and disruption updated)."""
    coverage = params.restriction_coverage
    restricted = hazards.restricted.astype(jnp.float32)
    restricted_share = jnp.einsum("icr,rp->icp", inputs.restrictor_share, restricted) * coverage
    world_restricted = jnp.einsum("cr,rp->cp", inputs.world_restrictor_share, restricted) * coverage
    closed = (hazards.closed_months > 0).astype(jnp.float32)
    cut = inputs.route_share[..., None] * (closed * hazards.severity)[None, None]  # (i, c, k, p)
    cut_share = 1.0 - jnp.prod(1.0 - cut, axis=2)
    reroute = jnp.minimum(1.0, inputs.reroute_share * params.reroute_scale)
    rerouting = reroute[:, None] * (hazards.closed_months >= 2)  # (k, p)
    total_cut = jnp.sum(cut, axis=2)
    rerouted_fraction = jnp.sum(cut * rerouting[None, None], axis=2) / jnp.where(
        total_cut > 0, total_cut, 1.0
    )
    disrupted = jnp.where(world_restricted > 0, hazards.disrupted_months + 1, 0)
    available = core.capacity(
        (inputs.spare_capacity * params.spare_scale)[:, None],
        inputs.friend_shoring[:, None],
        (inputs.ramp_months * params.ramp_scale)[:, None],
        disrupted.astype(jnp.float32),
    )
    flows, stock = core.propagate(
        restricted_share,
        cut_share,
        cut_share * rerouted_fraction,
        world_restricted,
        available,
        hazards.stock,
        inputs.demand,
        inputs.pool,
        inputs.stock_months[..., None],
    )
    return flows, hazards._replace(stock=stock, disrupted_months=disrupted.astype(jnp.int32))


def _window(inputs, hazards: Hazards, shortfall, month):
    """The headline's worst shortfall within the window, per measure."""
    headline = shortfall[:, inputs.headline[0], inputs.headline[1]]  # (measure, p)
    inside = month <= inputs.window_months
    return jnp.where(inside, jnp.maximum(hazards.window_max, headline), hazards.window_max)


class SupplyComponent:
    """Importers' shortfall path by path (see the module docstring)."""

    name = "supply_chain"
    final_categories = BAND_NAMES
    events = (
        Event(
            "shortfall_above_20pct",
            (2, 3),
            "the headline importer's supply of the headline commodity falls short by 20% or "
            "more in some month of the window",
        ),
        Event(
            "shortfall_above_50pct",
            (3,),
            "the headline importer's supply of the headline commodity falls short by 50% or "
            "more in some month of the window",
        ),
    )
    headline_events = ("shortfall_above_20pct",)

    def start(
        self,
        words,
        params,
        inputs: SupplyInputs,
        stream,
        valid,
        context,
        *,
        num_months,
        supply_importance_sampling=False,
        **_,
    ):
        params = _params(params)
        measures = 2 if supply_importance_sampling else 1
        paths = stream.shape[0]
        sizes = inputs.restrictor_share.shape  # (i, c, r)
        chokepoints = inputs.route_share.shape[2]

        def zeros(*shape, dtype=jnp.float32):
            return jnp.zeros((measures, *shape, paths), dtype)

        hazards = Hazards(
            restricted=zeros(sizes[2], dtype=bool),
            closed_months=zeros(chokepoints, dtype=jnp.int32),
            severity=zeros(chokepoints),
            disrupted_months=zeros(sizes[1], dtype=jnp.int32),
            stock=jnp.broadcast_to(
                inputs.stock_months[None, ..., None], (measures, *sizes[:2], paths)
            ),
            log_weight=jnp.zeros((measures, paths)),
            window_max=jnp.zeros((measures, paths)),
        )
        records = jnp.zeros((*sizes[:2], paths))
        state = SupplyState(
            hazards=hazards,
            shortfall=records,
            cumulative=records,
            year_max=records,
            year_sum=records,
            first_short=jnp.zeros((*sizes[:2], paths), jnp.int32),
            last_short=jnp.zeros((*sizes[:2], paths), jnp.int32),
            price=jnp.ones((sizes[1], paths)),
            price_peak=jnp.ones((sizes[1], paths)),
            ledger_error=jnp.zeros(paths),
            month=jnp.int32(1),
            valid=valid,
            tables=_tables(params, inputs, measures),
        )
        return self._advance(words, params, inputs, stream, state, context)

    def step(self, words, params, inputs: SupplyInputs, stream, state, step, context):
        state = state._replace(month=state.month + 1)
        return self._advance(words, _params(params), inputs, stream, state, context)

    def _advance(self, words, params, inputs, stream, state: SupplyState, context):
        level = jnp.asarray(context.get("level", jnp.zeros_like(stream, jnp.int32)), jnp.int32)
        sanctioned = jnp.asarray(context.get("sanctions_in_force", jnp.zeros_like(stream, bool)))
        restrictors = inputs.restrictor_share.shape[2]
        chokepoints = inputs.route_share.shape[2]
        draws = (
            _bits(words, stream, state.month, 0, restrictors),
            _bits(words, stream, state.month, 1, restrictors),
            _bits(words, stream, state.month, 2, chokepoints),
            _bits(words, stream, state.month, 3, chokepoints),
            _bits(words, stream, state.month, 4, chokepoints),
        )
        tilting = state.month <= inputs.window_months
        hazards = _hazard_step(
            params, inputs, state.tables, state.hazards, draws, level, sanctioned, tilting
        )
        flows, hazards = jax.vmap(lambda h: _flows(params, inputs, h))(hazards)
        shortfall = flows.shortfall
        hazards = hazards._replace(window_max=_window(inputs, hazards, shortfall, state.month))
        error = jnp.max(jnp.abs(core.ledger(flows)[0] - 1.0), axis=(0, 1))
        state = state._replace(hazards=hazards, ledger_error=jnp.maximum(state.ledger_error, error))
        return self._record(params, inputs, state, shortfall[0])

    def _record(self, params, inputs, state: SupplyState, shortfall):
        month = state.month
        short = shortfall > SHORT_MONTH_THRESHOLD
        first_year = month <= 12
        weights = inputs.demand / jnp.sum(inputs.demand, axis=0, keepdims=True)
        market = jnp.einsum("ic,icp->cp", weights, shortfall)
        price = core.price_multiplier(market, params.elasticity)
        return state._replace(
            shortfall=shortfall,
            cumulative=state.cumulative + shortfall,
            year_max=jnp.where(first_year, jnp.maximum(state.year_max, shortfall), state.year_max),
            year_sum=jnp.where(first_year, state.year_sum + shortfall, state.year_sum),
            first_short=jnp.where(short & (state.first_short == 0), month, state.first_short),
            last_short=jnp.where(short, month, state.last_short),
            price=price,
            price_peak=jnp.maximum(state.price_peak, price),
        )

    def signals(self, state) -> dict:
        return {}

    def final_category(self, state) -> jnp.ndarray:
        worst = state.hazards.window_max[0]
        return jnp.searchsorted(jnp.asarray(BAND_EDGES), worst, side="right").astype(jnp.int32)

    def tally(self, state, valid) -> dict:
        scaled = jnp.floor(state.shortfall * SUM_SCALE + 0.5).astype(jnp.int32)
        mask = valid[None, None, :]
        above = state.shortfall[..., None, :] >= jnp.asarray(SHORTFALL_THRESHOLDS)[:, None]
        price = jnp.floor(state.price * PRICE_SCALE + 0.5).astype(jnp.int32)
        return {
            "shortfall_sum": jnp.sum(jnp.where(mask, scaled, 0), axis=-1),
            "above": jnp.sum(above & mask[..., None, :], axis=-1, dtype=jnp.int32),
            "price_sum": jnp.sum(jnp.where(valid[None, :], price, 0), axis=-1),
        }

    def unpack(self, tallies: dict) -> dict:
        return (
            _split("shortfall_sum", tallies["shortfall_sum"])
            | _split("price_sum", tallies["price_sum"])
            | {"above": tallies["above"]}
        )

    def finish(
        self,
        params,
        inputs: SupplyInputs,
        state,
        valid,
        *,
        num_months,
        supply_importance_sampling=False,
        **_,
    ):
        params = _params(params)
        first_year_months = min(12, num_months)
        counts = {
            "annual_worst": _histogram(state.year_max, valid, ANNUAL_EDGES),
            "annual_mean": _histogram(state.year_sum / first_year_months, valid, ANNUAL_EDGES),
            "recovery": _recovery_counts(state, valid, num_months),
            "band": _histogram_categories(self.final_category(state), valid, len(BAND_NAMES)),
            "ledger_broken": jnp.sum(
                valid & (state.ledger_error > LEDGER_TOLERANCE), dtype=jnp.int32
            ),
        }
        per_path = {
            "cumulative_shortfall": state.cumulative,
            "price_peak": state.price_peak,
        }
        hazards = state.hazards
        counts["rare_plain"] = jnp.sum(
            valid & (hazards.window_max[0] >= inputs.rare_threshold), dtype=jnp.int32
        )
        if supply_importance_sampling:
            hit = hazards.window_max[1] >= inputs.rare_threshold
            per_path["rare_weighted"] = jnp.where(hit, jnp.exp(hazards.log_weight[1]), 0.0)
            counts["rare_tilted_hits"] = jnp.sum(valid & hit, dtype=jnp.int32)
        return counts, per_path

    def complete(self, tallies, finals, num_valid) -> dict:
        return {
            **{name: value for name, value in tallies.items() if name != "above"},
            "above_count": tallies["above"],
            "path_count": num_valid,
        } | {f"{name}_count": value for name, value in finals.items()}


def _split(name: str, total) -> dict:
    """A sweep's int32 sums as two words whose sums over sweeps cannot overflow."""
    return {
        f"{name}_high": total >> SPLIT_BITS,
        f"{name}_low": total & ((1 << SPLIT_BITS) - 1),
    }


def _histogram(values, valid, edges) -> jnp.ndarray:
    """(..., len(edges) + 1) counts of ``values`` (paths last) in the bins of ``edges``."""
    bins = jnp.searchsorted(jnp.asarray(edges, jnp.float32), values, side="right")
    return _histogram_categories(bins, valid, len(edges) + 1)


def _recovery_counts(state: SupplyState, valid, num_months: int) -> jnp.ndarray:
    """(i, c, bins): never short, months short by RECOVERY_EDGES, still short at the horizon."""
    span = state.last_short - state.first_short + 1
    still = state.last_short == num_months
    binned = jnp.searchsorted(jnp.asarray(RECOVERY_EDGES), span, side="right")
    category = jnp.where(
        state.first_short == 0, 0, jnp.where(still, len(RECOVERY_EDGES) + 1, binned)
    )
    size = len(RECOVERY_EDGES) + 2
    return _histogram_categories(category, valid, size)


def _histogram_categories(category, valid, size: int) -> jnp.ndarray:
    """(..., size) counts of the valid paths (last axis) in each category."""
    one_hot = (category[..., None] == jnp.arange(size)) & valid[:, None]
    return jnp.sum(one_hot, axis=-2, dtype=jnp.int32)
