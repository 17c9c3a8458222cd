"""Posterior (and prior) predictive checks of the escalation model on the MID disputes.

For each parameter draw, every dispute's probabilities over (peak level k, duration bin b)
come from the exact likelihood's table (resolve integrated by the trapezoid rule, see
:mod:`riskengine.models.escalation.likelihood`); one replicated outcome per dispute is drawn from
them and the replicated data set is summarised: the share reaching war (all disputes,
disputes with more than one ORIGINATOR on a side, the others ("bilateral"), disputes that
gained joiners, and each era), the shares of each peak level and of each duration bin. A
check passes when the observed share lies inside the central 90% interval of the
replicated shares. The joiners row is descriptive: whether a dispute gains joiners is an
outcome the model does not know, so its replicated share is the model's war share for
those disputes' pre-dispute covariates, and it is expected to fall short.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.inference.posterior_checks import check_rows, format_check_table
from riskengine.models.escalation import core as escalation
from riskengine.models.escalation.likelihood import (
    NUM_ERAS,
    _log_resolve_weights,
    conditional_table,
    era_shifts,
)

__all__ = [
    "DURATION_BINS",
    "statistic_names",
    "observed_statistics",
    "replicated_statistics",
    "posterior_predictive_check",
    "format_check_table",
]

DURATION_BINS = ((1, 1), (2, 3), (4, 6), (7, 12), (13, 24), (25, None))
INTERVAL = (0.05, 0.95)


def statistic_names() -> list[str]:
    peaks = [f"peak share: {name}" for name in escalation.ACTIVE_LEVEL_NAMES]
    durations = [
        f"duration share: {a}-{b} months" if b else f"duration share: >{a - 1} months"
        for a, b in DURATION_BINS
    ]
    eras = [f"war share: era {name}" for name in escalation.ERA_NAMES]
    groups = [
        "war share: all",
        "war share: multilateral",
        "war share: bilateral",
        "war share: gained joiners",
    ]
    return [*groups, *eras, *peaks, *durations]


def _duration_bin(duration_months: np.ndarray) -> np.ndarray:
    edges = np.array([first for first, _ in DURATION_BINS[1:]])
    return np.searchsorted(edges, duration_months, side="right")


def _summaries(peak_index, bin_index, groups, era):
    """Statistics in ``statistic_names`` order from 0-based peak and duration-bin indices,
    the (n, 2) group flags (multilateral by originators, gained joiners) and the era
    indices of the disputes."""
    multilateral, joiners = groups[:, 0], groups[:, 1]
    war = peak_index == 3
    peaks = [jnp.mean(peak_index == level) for level in range(4)]
    bins = [jnp.mean(bin_index == b) for b in range(len(DURATION_BINS))]
    shares = [
        jnp.mean(war),
        jnp.sum(war * multilateral) / jnp.sum(multilateral),
        jnp.sum(war * ~multilateral) / jnp.sum(~multilateral),
        jnp.sum(war * joiners) / jnp.sum(joiners),
    ]
    eras = [
        jnp.sum(war * (era == index)) / jnp.sum(era == index)
        for index in range(len(escalation.ERA_NAMES))
    ]
    return jnp.stack(shares + eras + peaks + bins)


def observed_statistics(frame) -> np.ndarray:
    """The statistics of the observed disputes (a ``load_disputes`` frame)."""
    groups = _groups(frame)
    peak_index = frame["peak_level"].to_numpy() - 1
    bins = _duration_bin(frame["duration_months"].to_numpy())
    era = escalation.era_index(_covariates(frame))
    return np.asarray(
        _summaries(jnp.asarray(peak_index), jnp.asarray(bins), jnp.asarray(groups), era)
    )


def _covariates(frame) -> jnp.ndarray:
    return jnp.asarray(frame[list(escalation.COVARIATE_NAMES)].to_numpy(np.float32))


def _groups(frame) -> np.ndarray:
    """(n, 2) flags: several originators on a side; gained joiners (see ``load_disputes``)."""
    multilateral = (frame["num_challenger_originators"].to_numpy() > 1) | (
        frame["num_defender_originators"].to_numpy() > 1
    )
    return np.column_stack([multilateral, frame["gained_joiners"].to_numpy(dtype=bool)])


def _cell_table(params, num_months: int, shift=0.0):
    """P(k, b | eta_g) over (peak, duration bin): (G, 4 * num_bins); last bin takes the tail."""
    probability = jnp.exp(conditional_table(params, num_months, shift))  # (D, G, 4)
    bins = _duration_bin(np.arange(1, num_months + 1))
    cells = [jnp.sum(probability[bins == b], axis=0) for b in range(len(DURATION_BINS))]
    cells = jnp.stack(cells, axis=-1)  # (G, 4, bins)
    tail = jnp.clip(1.0 - jnp.sum(cells, axis=(1, 2)), 0.0, 1.0)
    cells = cells.at[:, :, -1].add(tail[:, None] / 4.0)
    return cells.reshape(cells.shape[0], -1)


def replicated_statistics(rng_key, params, covariates, groups, num_months: int = 162):
    """Statistics of one replicated data set drawn under ``params`` (jit/vmap-safe)."""
    weights = jnp.exp(_log_resolve_weights(params, covariates))
    era = escalation.era_index(covariates)
    shifts = era_shifts(params)
    by_era = jnp.stack(
        [weights @ _cell_table(params, num_months, shifts[e]) for e in range(NUM_ERAS)]
    )  # (eras, n, 4 * bins)
    cell_probability = jnp.take_along_axis(by_era, era[None, :, None], axis=0)[0]
    cells = jax.random.categorical(rng_key, jnp.log(jnp.maximum(cell_probability, 1e-30)))
    num_bins = len(DURATION_BINS)
    return _summaries(cells // num_bins, cells % num_bins, groups, era)


REQUIRED_INSIDE = ("war share: all", "war share: multilateral", "war share: bilateral")


def posterior_predictive_check(rng_key, tree, frame, *, num_draws: int = 400) -> dict:
    """Observed vs replicated statistics over ``num_draws`` posterior draws (evenly thinned).

    ``passed`` when the war shares (all, multilateral, bilateral: ``REQUIRED_INSIDE``) lie
    inside their 90% intervals; the peak and duration rows are reported, not required.
    """
    posterior = tree["posterior"].to_dataset()
    flat = {
        name: np.asarray(posterior[name].values).reshape(-1, *posterior[name].shape[2:])
        for name in escalation.Params._fields
    }
    available = len(flat["resolve_scale"])
    index = np.linspace(0, available - 1, min(num_draws, available)).round().astype(int)
    params = escalation.Params(
        *(jnp.asarray(flat[name][index], jnp.float32) for name in escalation.Params._fields)
    )
    table = predictive_table(rng_key, params, frame, source="posterior")
    war_rows = [row for row in table["rows"] if row["statistic"] in REQUIRED_INSIDE]
    table["required_inside"] = list(REQUIRED_INSIDE)
    table["passed"] = all(row["inside"] for row in war_rows)
    return table


def predictive_table(rng_key, params, frame, *, source: str) -> dict:
    """The check table for a batch of parameter draws (leading axis of each Params field)."""
    covariates = _covariates(frame)
    groups = jnp.asarray(_groups(frame))
    keys = jax.random.split(rng_key, params.resolve_scale.shape[0])
    simulate = jax.jit(jax.vmap(lambda key, p: replicated_statistics(key, p, covariates, groups)))
    replicated = np.asarray(
        jax.lax.map(
            lambda args: simulate(*args),
            (keys[:, None], jax.tree.map(lambda x: x[:, None], params)),
        )[:, 0]
    )
    observed = observed_statistics(frame)
    rows = check_rows(statistic_names(), observed, replicated, REQUIRED_INSIDE, INTERVAL)
    return {
        "source": source,
        "num_draws": int(replicated.shape[0]),
        "interval": "central 90%",
        "num_disputes": len(frame),
        "rows": rows,
    }
