"""The escalation model's exact dispute likelihood: onset/step probabilities -> recursion.

For dispute ``i`` with covariates ``x_i``, observed peak ``k_i`` and duration ``d_i``,

    log L_i = log E_r[ P(peak = k_i, duration = d_i | eta_i = x_i . beta + r) ],
    r ~ Normal(0, resolve_scale),

with the conditional probability from the forward recursion in
:mod:`riskengine.primitives.ladder_likelihood`, the month-1 and monthly-step
probabilities from ``escalation.onset_probabilities`` / ``escalation.step_probabilities``
(the simulator's own core), and the expectation by ``num_nodes``-point Gauss-Hermite
quadrature. 16 nodes keep the summed log-likelihood of the real data within ~1e-3 of a
64-node reference over the prior's range of ``resolve_scale`` (see
``tests/unit/test_likelihood.py``).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from riskengine.models import escalation
from riskengine.primitives.ladder_likelihood import (
    Bucket,
    bucket_disputes,
    hermite_rule,
    log_peak_duration_probability,
)

__all__ = [
    "DEFAULT_NUM_NODES",
    "bucket_log_likelihood",
    "dispute_log_likelihood",
    "make_log_likelihood_fn",
    "peak_duration_probabilities",
]

DEFAULT_NUM_NODES = 16


def bucket_log_likelihood(
    params, covariates, peak_level, duration_months, *, num_months, num_nodes
):
    """(m,) marginal log P(peak, duration) of m disputes whose durations are <= num_months."""
    nodes, weights = map(jnp.asarray, hermite_rule(num_nodes))
    resolve = params.resolve_scale * nodes
    eta = escalation.location(params, covariates[:, None, :], resolve)  # (m, Q)
    onset = escalation.onset_probabilities(params, eta)
    step = escalation.step_probabilities(params, eta)
    log_conditional = log_peak_duration_probability(
        onset, step, peak_level, duration_months, num_months=num_months
    )
    return jax.scipy.special.logsumexp(log_conditional + jnp.log(weights), axis=-1)


def dispute_log_likelihood(params, buckets: list[Bucket], num_nodes: int = DEFAULT_NUM_NODES):
    """Per-dispute marginal log-likelihood (n,), in the original dispute order."""
    parts = [
        bucket_log_likelihood(
            params,
            bucket.covariates,
            bucket.peak_level,
            bucket.duration_months,
            num_months=bucket.num_months,
            num_nodes=num_nodes,
        )
        for bucket in buckets
    ]
    index = jnp.concatenate([jnp.asarray(bucket.index) for bucket in buckets])
    values = jnp.concatenate(parts)
    return jnp.zeros_like(values).at[index].set(values)


def make_log_likelihood_fn(disputes, num_nodes: int = DEFAULT_NUM_NODES):
    """``log_likelihood_fn(params, disputes)`` for ``escalation.model``, buckets built once.

    ``disputes`` maps ``covariates`` (n, 7), ``peak_level`` and ``duration_months`` (n,);
    the returned function ignores its second argument (the buckets already hold the data).
    """
    buckets = bucket_disputes(
        disputes["covariates"], disputes["peak_level"], disputes["duration_months"]
    )

    def log_likelihood_fn(params, _disputes=None):
        return dispute_log_likelihood(params, buckets, num_nodes)

    return log_likelihood_fn


def peak_duration_probabilities(params, covariates, num_months: int, num_nodes=DEFAULT_NUM_NODES):
    """P(peak = k, duration = d) for one covariate vector (7,): array (4 peaks, num_months)."""
    peaks = jnp.repeat(jnp.arange(1, 5), num_months)
    durations = jnp.tile(jnp.arange(1, num_months + 1), 4)
    rows = jnp.broadcast_to(jnp.asarray(covariates, jnp.float32), (peaks.size, 7))
    log_marginal = bucket_log_likelihood(
        params, rows, peaks, durations, num_months=num_months, num_nodes=num_nodes
    )
    return jnp.exp(log_marginal).reshape(4, num_months)
