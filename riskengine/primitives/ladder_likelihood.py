"""Exact probability of a crisis's (peak level, duration in months) under the monthly ladder.

A crisis of duration ``d`` is active in months ``1..d`` and settled from month ``d + 1``:
month 1's level is the onset draw, each later month a step of the ladder
(:func:`riskengine.primitives.ladder.next_level`), and the exit (settle, or de-escalate
from threat) happens at the end of month ``d``. Its peak is the highest level of months
``1..d``. For a crisis with observed peak ``k`` the forward recursion carries, per
active level ``l`` (threat..war), two sub-probability vectors

* ``below[t, l] = P(level_t = l, max(level_1..t) <= k - 1, active through t)``,
* ``at[t, l]    = P(level_t = l, max(level_1..t) == k,     active through t)``,

with ``below[1] = onset * 1[l < k]``, ``at[1] = onset * 1[l == k]`` and, writing
``M(v)[j] = sum_{l, c: next_level(l, c) = j} v[l] * step[l, c]`` for one month's move,

    below[t + 1] = M(below[t]) * 1[l < k]
    at[t + 1]    = M(at[t]) * 1[l <= k] + M(below[t]) * 1[l == k].

Then ``P(peak = k, duration = d | r) = sum_l at[d, l] * exit[l]`` with
``exit[l] = sum_{c: next_level(l, c) = 0} step[l, c]``. Only non-negative terms are
added, so no probability is formed as a difference. ``M`` uses the sparse structure of
the ladder (each level has 4 moves) read from ``next_level`` at trace time, so the
likelihood and the simulator share one transition core: the onset and step
probabilities come from ``escalation.onset_probabilities`` / ``step_probabilities``
(wired in :mod:`riskengine.inference.likelihood`) and the moves from ``next_level``.

The latent resolve ``r ~ Normal(0, s)`` is integrated out by Gauss-Hermite quadrature
(:func:`hermite_rule`, applied in :mod:`riskengine.inference.likelihood`):
``E[f(r)] ~= sum_q w_q / sqrt(pi) * f(sqrt(2) s x_q)``. The vectors are renormalised each
month and the log of the scale accumulated, so long crises do not underflow.

Work: crises are grouped by duration into buckets ``[2**(b-1) + 1, 2**b]``; each bucket's
recursion runs only to its own longest duration, so the total work is below twice the
sum of durations (times the number of nodes), instead of ``n * max(duration)``.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.primitives.ladder import NUM_STEP_CATEGORIES, SETTLED, THREAT, WAR, next_level

__all__ = [
    "Bucket",
    "hermite_rule",
    "bucket_disputes",
    "log_peak_duration_probability",
]

_LEVELS = np.arange(THREAT, WAR + 1)


class Bucket(NamedTuple):
    """Disputes whose durations share one recursion length ``num_months`` (static)."""

    index: np.ndarray  # (m,) positions in the original dispute order
    covariates: jnp.ndarray  # (m, 7)
    peak_level: jnp.ndarray  # (m,) 1..4
    duration_months: jnp.ndarray  # (m,) >= 1, <= num_months
    num_months: int


def hermite_rule(num_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``z_q`` and weights ``w_q`` with ``E[f(Z)] ~= sum_q w_q f(z_q)``, Z ~ N(0, 1)."""
    nodes, weights = np.polynomial.hermite.hermgauss(num_nodes)
    return (np.sqrt(2.0) * nodes).astype(np.float32), (weights / np.sqrt(np.pi)).astype(np.float32)


@cache
def _move_table() -> tuple[tuple[int, int, int], ...]:
    """(from level, category, to level) for every active move, from ``next_level``."""
    table = []
    for category in range(NUM_STEP_CATEGORIES):
        targets = np.asarray(next_level(jnp.asarray(_LEVELS), jnp.full(4, category)))
        table += [(int(level), category, int(to)) for level, to in zip(_LEVELS, targets)]
    return tuple(table)


def _move(mass: jnp.ndarray, step: jnp.ndarray) -> jnp.ndarray:
    """One month's move ``M(mass)``: mass (..., 4 levels), step (..., 4 levels, 4 categories)."""
    columns = [None] * 4
    for level, category, to in _move_table():
        if to == SETTLED:
            continue
        flow = mass[..., level - 1] * step[..., level - 1, category]
        column = columns[to - 1]
        columns[to - 1] = flow if column is None else column + flow
    return jnp.stack(columns, axis=-1)


def _exit_probabilities(step: jnp.ndarray) -> jnp.ndarray:
    """(..., 4): probability that a crisis at each active level ends this month."""
    exits = [jnp.zeros_like(step[..., 0, 0])] * 4
    for level, category, to in _move_table():
        if to == SETTLED:
            exits[level - 1] = exits[level - 1] + step[..., level - 1, category]
    return jnp.stack(exits, axis=-1)


def log_peak_duration_probability(onset, step, peak_level, duration_months, *, num_months):
    """log P(peak, duration | location) by the forward recursion of the module docstring.

    ``onset`` (m, Q, 4) month-1 level probabilities, ``step`` (m, Q, 4, 4) step-category
    probabilities per active level, for m crises at Q resolve values; ``peak_level`` and
    ``duration_months`` (m,); ``num_months`` (static) >= ``max(duration_months)``.
    Returns (m, Q).
    """
    exits = _exit_probabilities(step)
    level = jnp.asarray(_LEVELS)
    peak = peak_level[:, None, None]
    below_mask, at_mask, upto_mask = level < peak, level == peak, level <= peak
    first = jnp.sum(onset * at_mask * exits, -1)
    done = duration_months[:, None] == 1
    result = jnp.log(jnp.where(done, first, 1.0))
    carry = (onset * below_mask, onset * at_mask, jnp.zeros_like(first), result)

    def month(carry, month_index):
        below, at, log_scale, result = carry
        moved_below = _move(below, step)
        below, at = moved_below * below_mask, _move(at, step) * upto_mask + moved_below * at_mask
        total = jnp.sum(below, -1) + jnp.sum(at, -1)
        below, at = below / total[..., None], at / total[..., None]
        log_scale = log_scale + jnp.log(total)
        ends = duration_months[:, None] == month_index
        finished = log_scale + jnp.log(jnp.where(ends, jnp.sum(at * exits, -1), 1.0))
        return (below, at, log_scale, jnp.where(ends, finished, result)), None

    if num_months > 1:
        carry, _ = jax.lax.scan(month, carry, jnp.arange(2, num_months + 1), unroll=2)
    return carry[-1]


def bucket_disputes(covariates, peak_level, duration_months) -> list[Bucket]:
    """Group disputes by duration: 1, 2, 3-4, 5-8, ...; each bucket scans to its own max."""
    durations = np.asarray(duration_months)
    if durations.min() < 1:
        raise ValueError(f"duration_months must be >= 1, got {durations.min()}")
    bucket_of = np.ceil(np.log2(durations)).astype(int)
    buckets = []
    for bucket in np.unique(bucket_of):
        index = np.flatnonzero(bucket_of == bucket)
        buckets.append(
            Bucket(
                index=index,
                covariates=jnp.asarray(np.asarray(covariates)[index], jnp.float32),
                peak_level=jnp.asarray(np.asarray(peak_level)[index], jnp.int32),
                duration_months=jnp.asarray(durations[index], jnp.int32),
                num_months=int(durations[index].max()),
            )
        )
    return buckets
