"""Posterior (and prior) predictive checks of the sanctions model on the TIES cases.

For each of ~400 parameter draws every real case is simulated once with
``core.simulate`` (its own covariates, issue and era; up to ``NUM_MONTHS`` months, a
case still running then counting as neither ended nor successful) and the replicated
case set is summarised: success shares of multilateral and unilateral cases under the
broad (negotiated settlement or acquiescence) and strict (acquiescence) readings, the
shares ending within 6, 12, 24 and 60 months, the target- and sender-cost shares (over
the cases whose cost is coded) and per-era success shares. A row is ``inside`` when the
observed value lies in the central 90% interval of the replicated values; the four
multilateral / unilateral success rows are required (``REQUIRED_INSIDE``).

The table's layout (``rows`` of ``statistic``, ``observed``, ``mean``, ``lower_5``,
``upper_95``, ``inside``; ``required_inside``; ``passed``) is the escalation check's.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from riskengine.inference.posterior_checks import check_rows, format_check_table
from riskengine.models.sanctions import core
from riskengine.models.sanctions.coding import (
    COST_NAMES,
    COVARIATE_NAMES,
    ERA_NAMES,
    OUTCOME_NAMES,
    SUCCESS_BROAD,
    SUCCESS_STRICT,
)

__all__ = [
    "NUM_MONTHS",
    "WITHIN_MONTHS",
    "REQUIRED_INSIDE",
    "statistic_names",
    "multilateral_flags",
    "observed_statistics",
    "replicated_statistics",
    "predictive_table",
    "posterior_predictive_check",
    "format_check_table",
]

NUM_MONTHS = 600  # TIES's longest imposed case lasted 567 months
WITHIN_MONTHS = (6, 12, 24, 60)
INTERVAL = (0.05, 0.95)
BROAD = np.array([name in SUCCESS_BROAD for name in OUTCOME_NAMES])
STRICT = np.array([name in SUCCESS_STRICT for name in OUTCOME_NAMES])
REQUIRED_INSIDE = (
    "success (broad): multilateral",
    "success (broad): unilateral",
    "success (strict): multilateral",
    "success (strict): unilateral",
)


def statistic_names() -> list[str]:
    overall = ["success (broad): all", "success (strict): all"]
    within = [f"ended within {months} months" for months in WITHIN_MONTHS]
    costs = [f"{who} cost: {name}" for who in ("target", "sender") for name in COST_NAMES]
    eras = [
        f"success ({reading}): era {era}" for reading in ("broad", "strict") for era in ERA_NAMES
    ]
    return [*REQUIRED_INSIDE, *overall, *within, *costs, *eras]


def multilateral_flags(cases) -> np.ndarray:
    """``cases['multilateral']`` when given (the loader's flag), else: more than one
    sender (log sender count > 0) or an institutional sender."""
    if "multilateral" in cases:
        return np.asarray(cases["multilateral"], bool)
    covariates = np.asarray(cases["covariates"])
    senders = covariates[:, COVARIATE_NAMES.index("sender_count")]
    institution = covariates[:, COVARIATE_NAMES.index("institutional_sender")]
    return (senders > 0) | (institution > 0)


def _share(flags, mask):
    return jnp.sum(flags & mask) / jnp.maximum(jnp.sum(mask), 1)


def _summaries(end_month, outcome, target_cost, sender_cost, groups):
    """Statistics in ``statistic_names`` order. ``end_month`` 0 = not ended; ``outcome``
    -1 = not ended; costs are compared over the cases whose observed cost is coded
    (``groups['target_coded']``, ``groups['sender_coded']``)."""
    ended = end_month > 0
    broad = ended & jnp.asarray(BROAD)[jnp.maximum(outcome, 0)]
    strict = ended & jnp.asarray(STRICT)[jnp.maximum(outcome, 0)]
    multilateral, everyone = groups["multilateral"], jnp.ones_like(ended)
    rows = [
        _share(broad, multilateral),
        _share(broad, ~multilateral),
        _share(strict, multilateral),
        _share(strict, ~multilateral),
        _share(broad, everyone),
        _share(strict, everyone),
    ]
    rows += [_share(ended & (end_month <= months), everyone) for months in WITHIN_MONTHS]
    for cost, coded in (
        (target_cost, groups["target_coded"]),
        (sender_cost, groups["sender_coded"]),
    ):
        rows += [_share(cost == level, coded) for level in range(len(COST_NAMES))]
    for flags in (broad, strict):
        rows += [_share(flags, groups["era"] == era) for era in range(len(ERA_NAMES))]
    return jnp.stack(rows)


def _groups(cases) -> dict:
    return {
        "multilateral": jnp.asarray(multilateral_flags(cases)),
        "target_coded": jnp.asarray(np.asarray(cases["target_cost"]) >= 0),
        "sender_coded": jnp.asarray(np.asarray(cases["sender_cost"]) >= 0),
        "era": jnp.asarray(cases["era"]),
    }


def observed_statistics(cases) -> np.ndarray:
    """The statistics of the observed cases (all ended: TIES cases with a known outcome,
    unless ``cases['ended']`` says otherwise)."""
    ended = np.asarray(cases.get("ended", np.ones(len(cases["outcome"]), bool)))
    end_month = np.where(ended, np.asarray(cases["duration_months"]), 0)
    return np.asarray(
        _summaries(
            jnp.asarray(end_month),
            jnp.asarray(np.where(ended, cases["outcome"], -1)),
            jnp.asarray(cases["target_cost"]),
            jnp.asarray(cases["sender_cost"]),
            _groups(cases),
        )
    )


def replicated_statistics(rng_key, params: core.Params, inputs: core.Inputs, groups, num_months):
    """Statistics of one replicated case set under ``params`` (jit/vmap-safe)."""
    keys = jax.random.split(rng_key, inputs.issue.shape[0])
    result = jax.vmap(lambda key, case: core.simulate(key, params, case, num_months=num_months))(
        keys, inputs
    )
    return _summaries(
        result.end_month, result.outcome, result.target_cost, result.sender_cost, groups
    )


def predictive_table(rng_key, params: core.Params, cases, *, source: str, num_months=NUM_MONTHS):
    """The check table for a batch of parameter draws (leading axis of each Params field)."""
    inputs = core.Inputs(
        jnp.asarray(cases["covariates"], jnp.float32),
        jnp.asarray(cases["issue"], jnp.int32),
        jnp.asarray(cases["era"], jnp.int32),
    )
    groups = _groups(cases)
    num_draws = params.hazard_intercept.shape[0]
    keys = jax.random.split(rng_key, num_draws)
    one_draw = jax.jit(lambda key, p: replicated_statistics(key, p, inputs, groups, num_months))
    replicated = np.asarray(jax.lax.map(lambda args: one_draw(*args), (keys, params)))
    observed = observed_statistics(cases)
    rows = check_rows(statistic_names(), observed, replicated, REQUIRED_INSIDE, INTERVAL)
    return {
        "model": "sanctions",
        "source": source,
        "num_draws": int(num_draws),
        "interval": "central 90%",
        "num_cases": len(np.asarray(cases["outcome"])),
        "num_months": num_months,
        "rows": rows,
    }


def posterior_predictive_check(rng_key, tree, cases, *, num_draws: int = 400) -> dict:
    """Observed vs replicated statistics over ``num_draws`` evenly thinned posterior draws.

    ``passed`` when the four multilateral / unilateral success rows (``REQUIRED_INSIDE``)
    lie inside their 90% intervals; the other rows are reported, not required.
    """
    from riskengine.models.sanctions.fit import posterior_params

    params = posterior_params(tree, num_draws)
    table = predictive_table(rng_key, params, cases, source="posterior")
    required = [row for row in table["rows"] if row["statistic"] in REQUIRED_INSIDE]
    table["required_inside"] = list(REQUIRED_INSIDE)
    table["passed"] = all(row["inside"] for row in required)
    return table
