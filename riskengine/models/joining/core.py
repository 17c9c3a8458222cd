"""Joining: a third state committed to the defender joins the crisis, month by month.

Generative story (one committed state in one crisis path), with the state's covariates
``x`` (``COVARIATE_NAMES``: defence pact, other pledge, log capability, land border,
major power, side, era) and the crisis level ``level`` of each month (0 settled or not
started, 1 threat, 2 display, 3 use of force, 4 war, from the escalation model):

    h(month) = sigmoid(intercept + x . coefficients + level_effect[level])  if level >= 1
    h(month) = 0                                                            if level == 0

and the state joins in the first month a draw falls below ``h`` (a discrete-time
hazard, Allison 1982); it stays joined. ``level_effect`` of use of force is 0 (the
reference level, the commonest MID peak); ``level_effects`` holds the other three.

Fitting approximates the level path. MID codes who joined a dispute, not in which month
nor at which level the dispute stood then, so the likelihood treats every month of a
dispute as spent at its peak level: P(joined during the dispute) = 1 - (1 -
h(peak))**duration_months. The level effects are therefore the *association* between
joining and the dispute's peak (disputes that reach war draw in more states, and states
that join may raise the peak), not the causal effect of the current level on next
month's joining; the simulator applies them to the current level all the same, the
model's one strong assumption. Candidates are subsampled (case-control, see
:mod:`riskengine.models.joining.data`); the likelihood adds the offset
``-sampling_log_fraction`` to the logit of P(joined) of the subsampled stratum.

Priors (weakly informative, on the logit scale of the monthly hazard): intercept
Normal(-7, 2.5) (a monthly hazard between about 1e-5 and 0.1 within two sd: MID's
joining rate is about 0.1% of candidates per dispute); coefficients and level effects
Normal(0, 1.5) (an odds ratio up to about 20 per unit within two sd).

The deterministic core (``linear_predictor``, ``hazard_table``, ``log_probability_joined``)
is shared by the simulator (:mod:`riskengine.models.joining.ensemble`) and the numpyro
``model``. Units: months; covariates as in :mod:`riskengine.models.joining.data`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist

from riskengine.models.joining.data import COVARIATE_NAMES

__all__ = [
    "LEVEL_EFFECT_NAMES",
    "NUM_COVARIATES",
    "NUM_LEVELS",
    "PARAMETER_COORDS",
    "PARAMETER_DIMS",
    "REFERENCE_LEVEL",
    "Params",
    "hazard_table",
    "level_table",
    "linear_predictor",
    "log_likelihood",
    "log_probability_joined",
    "model",
    "params_from_draws",
    "priors",
]

NUM_COVARIATES = len(COVARIATE_NAMES)
NUM_LEVELS = 5  # level codes 0 (settled) .. 4 (war)
REFERENCE_LEVEL = 3  # use of force
LEVEL_EFFECT_NAMES = ("threat", "display", "war")
_EFFECT_LEVELS = (1, 2, 4)

PARAMETER_DIMS: dict[str, tuple[str, ...]] = {
    "intercept": (),
    "coefficients": ("joining_covariate",),
    "level_effects": ("joining_level",),
}
PARAMETER_COORDS: dict[str, tuple[str, ...]] = {
    "joining_covariate": COVARIATE_NAMES,
    "joining_level": LEVEL_EFFECT_NAMES,
}


class Params(NamedTuple):
    """Logit scale of the monthly joining hazard."""

    intercept: jnp.ndarray  # () at covariates 0 and the use of force
    coefficients: jnp.ndarray  # (9,) per covariate unit, COVARIATE_NAMES order
    level_effects: jnp.ndarray  # (3,) threat, display, war relative to the use of force


def priors() -> dict[str, dist.Distribution]:
    """Parameter name -> prior (see the module docstring)."""
    return {
        "intercept": dist.Normal(-7.0, 2.5),
        "coefficients": dist.Normal(0.0, 1.5).expand([NUM_COVARIATES]).to_event(1),
        "level_effects": dist.Normal(0.0, 1.5).expand([len(LEVEL_EFFECT_NAMES)]).to_event(1),
    }


def params_from_draws(draws) -> Params:
    """``Params`` from a mapping of arrays (any leading draw axes)."""
    return Params(*(jnp.asarray(draws[name]) for name in Params._fields))


def level_table(params: Params) -> jnp.ndarray:
    """(..., 5) level effect by level code; level 0 gets 0 (its hazard is masked)."""
    effects = jnp.asarray(params.level_effects)
    zero = jnp.zeros((*effects.shape[:-1], 1), effects.dtype)
    threat, display, war = (effects[..., i : i + 1] for i in range(3))
    return jnp.concatenate([zero, threat, display, zero, war], axis=-1)


def linear_predictor(params: Params, covariates) -> jnp.ndarray:
    """intercept + x . coefficients (level excluded), one per row of ``covariates``."""
    return params.intercept + jnp.sum(covariates * params.coefficients, axis=-1)


def hazard_table(params: Params, covariates) -> jnp.ndarray:
    """(rows, 5) monthly joining probability by level code (0 at level 0)."""
    logits = linear_predictor(params, covariates)[..., None] + level_table(params)
    return jnp.where(jnp.arange(NUM_LEVELS) >= 1, jax.nn.sigmoid(logits), 0.0)


def log_probability_joined(params: Params, covariates, peak_level, duration_months):
    """(log P(joined), log P(not joined)) over ``duration_months`` months at ``peak_level``
    (the fit's approximation of the level path, see the module docstring)."""
    logits = linear_predictor(params, covariates) + level_table(params)[peak_level]
    exposure = duration_months * jax.nn.softplus(logits)  # -log P(not joined) >= 0
    return jnp.log(-jnp.expm1(-exposure)), -exposure


def log_likelihood(params: Params, candidates) -> jnp.ndarray:
    """Per-row log-likelihood of ``joined`` with the case-control offset applied."""
    joined_log, not_joined_log = log_probability_joined(
        params,
        candidates["covariates"],
        candidates["peak_level"],
        candidates["duration_months"],
    )
    logit = joined_log - not_joined_log - candidates["sampling_log_fraction"]
    return jnp.where(
        candidates["joined"] == 1, jax.nn.log_sigmoid(logit), jax.nn.log_sigmoid(-logit)
    )


def model(candidates=None) -> Params:
    """numpyro model: priors, and with ``candidates`` (``data.candidate_arrays``) the
    candidates' likelihood as one factor."""
    params = Params(**{name: numpyro.sample(name, prior) for name, prior in priors().items()})
    if candidates is not None:
        numpyro.factor("candidates", jnp.sum(log_likelihood(params, candidates)))
    return params
