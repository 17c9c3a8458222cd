"""Posterior predictive check of the joining model on every MID candidate.

For posterior draws, each candidate (all of them, not the case-control sample) joins
with its model probability P(joined during the dispute) (the peak-level approximation
of :mod:`riskengine.models.joining.core`); the replicated joining rates by commitment
(defence pact, other pledge, none), by peak level, by land border and by major power
are compared with the observed ones: a row passes when the observed rate lies inside
the replicated 90% interval.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.inference.posterior_checks import format_check_table
from riskengine.models.joining import core
from riskengine.models.joining.data import candidate_arrays

__all__ = ["REQUIRED_INSIDE", "format_check_table", "posterior_predictive_check"]

INTERVAL = (0.05, 0.95)
NUM_DRAWS = 200
_LEVELS = {1: "threat", 2: "display", 3: "use_of_force", 4: "war"}


def _groups(frame) -> dict[str, np.ndarray]:
    defence = frame["defence_pact"].to_numpy() == 1
    other = frame["other_pledge"].to_numpy() == 1
    groups = {
        "all": np.ones(len(frame), bool),
        "commitment=defence_pact": defence,
        "commitment=other_pledge": other,
        "commitment=none": ~defence & ~other,
        "land_contiguity=1": frame["land_contiguity"].to_numpy() == 1,
        "major_power=1": frame["major_power"].to_numpy() == 1,
    }
    for level, name in _LEVELS.items():
        groups[f"peak={name}"] = frame["peak_level"].to_numpy() == level
    return groups


def _replicated_counts(rng_key, params, arrays, masks) -> np.ndarray:
    """(draws, groups) replicated joiner counts."""

    def one(key, draw):
        draw = core.Params(*draw)
        joined_log, _ = core.log_probability_joined(
            draw, arrays["covariates"], arrays["peak_level"], arrays["duration_months"]
        )
        joined = jax.random.uniform(key, joined_log.shape) < jnp.exp(joined_log)
        return masks.astype(jnp.int32) @ joined.astype(jnp.int32)

    keys = jax.random.split(rng_key, params.intercept.shape[0])
    return np.asarray(jax.lax.map(lambda pair: one(*pair), (keys, tuple(params)), batch_size=8))


REQUIRED_INSIDE = tuple(
    f"joining rate: {group}"
    for group in (
        "all",
        "commitment=defence_pact",
        "commitment=other_pledge",
        "commitment=none",
        *(f"peak={name}" for name in _LEVELS.values()),
    )
)


def _row(name, mask, observed_joined, replicated) -> dict:
    size = int(mask.sum())
    rates = replicated / max(size, 1)
    low, high = np.quantile(rates, INTERVAL)
    observed = float(observed_joined[mask].sum() / max(size, 1))
    return {
        "statistic": f"joining rate: {name}",
        "candidates": size,
        "observed_joined": int(observed_joined[mask].sum()),
        "observed": observed,
        "mean": float(rates.mean()),
        "lower_5": float(low),
        "upper_95": float(high),
        "inside": bool(low <= observed <= high),
    }


def posterior_predictive_check(rng_key, tree, frame, num_draws: int = NUM_DRAWS) -> dict:
    """Observed vs replicated joining rates by group (the shared check-table format of
    :mod:`riskengine.inference.posterior_checks`); ``passed`` when the required rows
    (all, by commitment, by peak level) are inside their 90% intervals."""
    from riskengine.models.joining.fit import posterior_params

    params = posterior_params(tree, num_draws)
    arrays = {k: jnp.asarray(v) for k, v in candidate_arrays(frame).items()}
    groups = _groups(frame)
    masks = jnp.asarray(np.stack(list(groups.values())))
    replicated = _replicated_counts(rng_key, params, arrays, masks)
    observed_joined = frame["joined"].to_numpy()
    rows = [
        _row(name, mask, observed_joined, replicated[:, index])
        for index, (name, mask) in enumerate(groups.items())
    ]
    return {
        "source": "joining posterior",
        "rows": rows,
        "num_draws": int(params.intercept.shape[0]),
        "interval": "90%",
        "required_inside": list(REQUIRED_INSIDE),
        "passed": all(row["inside"] for row in rows if row["statistic"] in REQUIRED_INSIDE),
    }
