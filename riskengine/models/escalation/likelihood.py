"""The escalation model's dispute likelihood: onset/step probabilities -> ladder recursion.

For dispute ``i`` with covariates ``x_i``, observed peak ``k_i`` and duration ``d_i``,

    L_i = E_r[ P(peak = k_i, duration = d_i | eta = mu_i + r) ],  mu_i = x_i . beta,
    r ~ Normal(0, s_i),  s_i = escalation.resolve_scales(params, x_i),

with ``P(. | eta)`` from :mod:`riskengine.primitives.ladder_likelihood` and the month-1 and
monthly-step probabilities from ``escalation.onset_probabilities`` /
``escalation.step_probabilities`` (the simulator's own core).

The model depends on the covariates only through the scalar ``eta`` and the crisis's era
(whose ``era_escalate_shift`` moves the stay|escalate cut-point), so ``log P(k, d | eta)``
is computed once per era (``NUM_ERAS`` tables) for every ``k`` and ``d <= num_months`` on a
fixed grid ``eta_g = -GRID_LIMIT + g h`` (``GRID_SIZE`` points; cost independent of the
number of disputes) and the resolve is integrated by the trapezoid rule on that grid:

    L_i ~= sum_g h * phi((eta_g - mu_i) / s) / s * P(k_i, d_i | eta_g).

For a Gaussian weight the trapezoid rule converges geometrically (error ~
``exp(-2 pi^2 s^2 / h^2)``); Gauss-Hermite quadrature does not suit this integrand: for
long disputes ``P(k, d | eta)`` is sharply peaked in ``eta``, and on the real data the
summed log-likelihood at ``s = 2`` still moved by 1-60 nats between 16, 24, 32, 64 and 100
nodes, while this grid (192 points, h = 0.25) agrees with a grid three times finer to
< 2e-3 nats per dispute for s in [0.35, 2.5] (``tests/unit/test_likelihood.py``). 128
points (h = 0.38) were tried to save 40% of the gradient's cost: fine at the fitted
s ~ 1.5 (1e-5 nats per dispute on the MID data) but 3e-3 to 1e-2 nats per dispute at
s <= 0.45 on synthetic disputes, so 192 stayed. The rule needs
``s >~ h``, which the prior of ``resolve_scale`` ensures (see ``escalation.priors``).
Probabilities are floored at ``PROBABILITY_FLOOR`` so float32 underflow far from the
cut-points cannot give log(0).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.models.escalation import core as escalation
from riskengine.primitives.ladder_likelihood import (
    log_peak_duration_probability,
    peak_duration_table,
    plan_recursion,
)

__all__ = [
    "GRID_LIMIT",
    "GRID_SIZE",
    "PROBABILITY_FLOOR",
    "location_grid",
    "conditional_table",
    "era_shifts",
    "era_tables",
    "dispute_log_likelihood",
    "table_log_likelihood",
    "exact_conditional_log_probability",
    "make_log_likelihood_fn",
    "peak_duration_probabilities",
]

GRID_LIMIT = 24.0
GRID_SIZE = 192
PROBABILITY_FLOOR = 1e-30


NUM_ERAS = len(escalation.ERA_NAMES)


def _probabilities(params, eta, shift=0.0):
    onset = jnp.maximum(escalation.onset_probabilities(params, eta), PROBABILITY_FLOOR)
    step = jnp.maximum(escalation.step_probabilities(params, eta, shift), PROBABILITY_FLOOR)
    return onset, step


def era_shifts(params) -> jnp.ndarray:
    """(NUM_ERAS,) stay|escalate cut-point shift of each era in ``ERA_NAMES`` order."""
    return jnp.concatenate([params.era_escalate_shift, jnp.zeros(1, jnp.float32)])


def location_grid() -> jnp.ndarray:
    """The fixed grid of locations ``eta_g`` (GRID_SIZE,) on which the table is computed."""
    return jnp.linspace(-GRID_LIMIT, GRID_LIMIT, GRID_SIZE)


def conditional_table(params, num_months: int, shift=0.0) -> jnp.ndarray:
    """log P(peak = k, duration = d | eta_g): (num_months, GRID_SIZE, 4), for crises whose
    stay|escalate cut-point is moved by ``shift`` (0: the reference era)."""
    return peak_duration_table(*_probabilities(params, location_grid(), shift), num_months)


def era_tables(params, num_months: int) -> jnp.ndarray:
    """``conditional_table`` of each era: (NUM_ERAS, num_months, GRID_SIZE, 4).

    The eras' grids go through ``peak_duration_table`` as one grid of NUM_ERAS *
    GRID_SIZE locations (one batch of matrix products).
    """
    grid = jnp.broadcast_to(location_grid(), (NUM_ERAS, GRID_SIZE))
    shifts = jnp.broadcast_to(era_shifts(params)[:, None], (NUM_ERAS, GRID_SIZE))
    onset, step = _probabilities(params, grid.reshape(-1), shifts.reshape(-1))
    table = peak_duration_table(onset, step, num_months)  # (D, eras * G, 4)
    return jnp.moveaxis(table.reshape(num_months, NUM_ERAS, GRID_SIZE, 4), 1, 0)


def _log_resolve_weights(params, covariates):
    """log of ``h phi((eta_g - mu) / s) / s`` per crisis: (..., GRID_SIZE).

    ``mu = x . coefficients`` and ``s = escalation.resolve_scales`` of each crisis.
    """
    grid = location_grid()
    spacing = 2 * GRID_LIMIT / (GRID_SIZE - 1)
    covariates = jnp.asarray(covariates)
    mean_location = escalation.location(params, covariates, 0.0)[..., None]
    scale = escalation.resolve_scales(params, covariates)[..., None]
    z = (grid - mean_location) / scale
    return -0.5 * z * z + jnp.log(spacing / (scale * jnp.sqrt(2 * jnp.pi)))


def dispute_log_likelihood(params, covariates, peak_level, duration_months, *, num_months):
    """(n,) marginal log P(peak, duration) of n disputes (trapezoid rule over the grid)."""
    tables = era_tables(params, num_months)
    log_weights = _log_resolve_weights(params, covariates)
    era = escalation.era_index(covariates)
    return table_log_likelihood(tables, log_weights, peak_level, duration_months, era)


def table_log_likelihood(table, log_weights, peak_level, duration_months, era=None):
    """(n,) log of ``sum_g weight_ig P(k_i, d_i | eta_g)`` from a ``conditional_table``
    (``era`` None) or from ``era_tables`` with each dispute's ``era`` index."""
    grid_index = jnp.arange(GRID_SIZE)
    rows = ((jnp.asarray(duration_months) - 1) * GRID_SIZE)[:, None] + grid_index
    if era is not None:
        rows = rows + (jnp.asarray(era) * table.shape[1] * GRID_SIZE)[:, None]
    log_conditional = table.reshape(-1)[rows * 4 + (jnp.asarray(peak_level) - 1)[:, None]]
    return jax.scipy.special.logsumexp(log_conditional + log_weights, axis=-1)


def exact_conditional_log_probability(params, location, peak_level, duration_months, shift=0.0):
    """(n,) log P(peak, duration | eta = location) by the per-dispute recursion (reference);
    ``shift`` (scalar or (n,)) moves each dispute's stay|escalate cut-point."""
    durations = np.asarray(duration_months)
    shift = jnp.broadcast_to(jnp.asarray(shift, jnp.float32), np.shape(location))[:, None]
    onset, step = _probabilities(params, jnp.asarray(location)[:, None], shift)
    log_probability = log_peak_duration_probability(
        onset, step, jnp.asarray(peak_level), durations, plan_recursion(durations)
    )
    return log_probability[:, 0]


def make_log_likelihood_fn(disputes):
    """``log_likelihood_fn(params, disputes)`` for ``escalation.model``, data bound once.

    ``disputes`` maps ``covariates`` (n, 12), ``peak_level`` and ``duration_months`` (n,);
    the table runs to the longest observed duration. The returned function ignores its
    second argument.
    """
    covariates = jnp.asarray(disputes["covariates"], jnp.float32)
    peak_level = jnp.asarray(disputes["peak_level"], jnp.int32)
    durations = jnp.asarray(disputes["duration_months"], jnp.int32)
    num_months = int(np.max(disputes["duration_months"]))

    def log_likelihood_fn(params, _disputes=None):
        return dispute_log_likelihood(
            params, covariates, peak_level, durations, num_months=num_months
        )

    return log_likelihood_fn


def peak_duration_probabilities(params, covariates, num_months: int) -> jnp.ndarray:
    """P(peak = k, duration = d | covariates), resolve integrated: (..., 4 peaks, num_months).

    ``covariates`` has shape (..., 12).
    """
    covariates = jnp.asarray(covariates, jnp.float32)
    table = era_tables(params, num_months)[escalation.era_index(covariates)]  # (..., D, G, 4)
    log_weights = _log_resolve_weights(params, covariates)  # (..., G)
    joint = log_weights[..., None, :, None] + table
    return jnp.exp(jnp.swapaxes(jax.scipy.special.logsumexp(joint, axis=-2), -1, -2))
