"""Fixed parameters, a one-line network and a stepping loop for tests and examples.

``example_params()`` sits near the priors' centres; ``single_line(...)`` is one importer
and one commodity with one restricting producer and one chokepoint, every number a
keyword; ``simulate(...)`` steps the component month by month with the crisis held at a
level and returns the monthly shortfalls and the final state.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.models.supply_chain import core
from riskengine.models.supply_chain.component import SupplyComponent
from riskengine.models.supply_chain.inputs import SupplyInputs
from riskengine.primitives.counter_rng import stream_words

__all__ = ["example_params", "simulate", "single_line"]

COMPONENT = SupplyComponent()


def example_params(**changes) -> core.Params:
    values = {
        "restriction_level_slope": 0.7,
        "restriction_sanctions_effect": 1.5,
        "restriction_rate_scale": 1.0,
        "restriction_end": 0.08,
        "restriction_coverage": 0.6,
        "closure_level_slope": 0.8,
        "closure_rate_scale": 1.0,
        "closure_end": 0.33,
        "closure_severity": 0.6,
        "reroute_scale": 1.0,
        "spare_scale": 1.0,
        "ramp_scale": 1.0,
        "elasticity": 0.084,
    } | changes
    return core.Params(**{name: jnp.float32(values[name]) for name in core.Params._fields})


def single_line(
    *,
    sourcing=1.0,
    route=0.0,
    restriction_probability=0.01,
    closure_probability=0.01,
    reroute_share=0.0,
    spare=0.0,
    friend_shoring=0.0,
    stock_months=0.0,
    sanctioned=False,
    window_months=12,
    rare_threshold=1.0,
    tilt=1.0,
) -> SupplyInputs:
    """One importer, one commodity, one restrictor (its share ``sourcing`` of the importer
    and of the world), one chokepoint carrying ``route`` of the supply."""

    def array(value, dtype=jnp.float32):
        return jnp.asarray(value, dtype)

    return SupplyInputs(
        restrictor_share=array([[[sourcing]]]),
        world_restrictor_share=array([[sourcing]]),
        route_share=array([[[route]]]),
        restriction_probability=array([restriction_probability]),
        restrictor_sanctioned=array([sanctioned], bool),
        closure_probability=array([closure_probability]),
        crisis_linked=array([1.0]),
        reroute_share=array([reroute_share]),
        spare_capacity=array([spare]),
        ramp_months=array([6.0]),
        friend_shoring=array([friend_shoring]),
        stock_months=array([[stock_months]]),
        demand=array([[1.0]]),
        pool=array([False], bool),
        headline=array([0, 0], jnp.int32),
        window_months=array(window_months, jnp.int32),
        rare_threshold=array(rare_threshold),
        tilt=array(tilt),
    )


def simulate(
    params, inputs, *, num_months, num_paths, seed, level=0, sanctions=False, importance=False
):
    """(monthly shortfall (month, i, c, paths) as NumPy, final state)."""
    words = jax.random.key_data(jax.random.key(seed)).astype(jnp.uint32)
    stream = stream_words(words, jnp.arange(num_paths))
    valid = jnp.ones(num_paths, bool)
    context = {
        "level": jnp.full(num_paths, level, jnp.int32),
        "sanctions_in_force": jnp.full(num_paths, sanctions, bool),
    }
    start = jax.jit(
        lambda: COMPONENT.start(
            words,
            params,
            inputs,
            stream,
            valid,
            context,
            num_months=num_months,
            supply_importance_sampling=importance,
        )
    )
    step = jax.jit(
        lambda state, s: COMPONENT.step(words, params, inputs, stream, state, s, context)
    )
    state = start()
    shortfalls = [np.asarray(state.shortfall)]
    for month in range(num_months - 1):
        state = step(state, jnp.uint32(month))
        shortfalls.append(np.asarray(state.shortfall))
    return np.stack(shortfalls), state
