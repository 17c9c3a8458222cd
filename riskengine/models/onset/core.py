"""Dispute onset: the chance that a challenger opens a militarized dispute against a target.

Generative story (one directed dyad = one path):

1. The dyad has covariates ``x`` (:data:`COVARIATE_NAMES`), each known before the year
   it predicts: the target's defence pacts with third states and those allies'
   capability, the challenger's offensive or neutrality pacts, a pact between the two,
   their capability ratio, contiguity and distance, joint democracy, strategic rivalry,
   major-power status, the years since their last dispute (a cubic, Carter & Signorino
   2010) and the historical era.
2. The probability that the challenger initiates a dispute against the target in a year
   is ``p = sigmoid(intercept + x . coefficients)`` (a logit on directed dyad-years;
   Bremer 1992, Leeds 2003).
3. The simulator works in months at a constant monthly hazard
   ``h = 1 - (1 - p) ** (1 / 12)``, so that twelve months give the yearly ``p``; the
   first month with a challenge is the onset (later challenges are not counted). The
   covariates stay as the scenario sets them for the whole horizon (peace years do not
   grow along a path: horizons are short next to their cubic's scale of a century).

Fitting uses case-control samples (every onset, a random share ``f`` of the other
dyad-years): with cases kept with probability 1 and controls with probability ``f``,
``logit P(onset | x, sampled) = logit P(onset | x) - log f`` (King & Zeng 2001's prior
correction, written as an offset), so the ``offset`` argument of :func:`model` carries
``-log f`` and the fitted intercept is the population one.

Dyad-level heterogeneity beyond the covariates (a random effect) is not modelled.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from riskengine.primitives.counter_rng import AUXILIARY_STEP, uniform_bits
from riskengine.primitives.ordered_logit import probability_to_bits

__all__ = [
    "COVARIATE_NAMES",
    "ERA_NAMES",
    "MONTHS_PER_YEAR",
    "PARAMETER_DIMS",
    "Params",
    "priors",
    "sample_params",
    "yearly_logit",
    "yearly_probability",
    "monthly_probability",
    "monthly_threshold",
    "first_month_challenged",
    "later_month_challenged",
    "simulate",
    "model",
    "params_from_draws",
]

COVARIATE_NAMES = (
    "target_defence_pact",  # 1: the target has a defence pact with a third state
    "target_allied_capability",  # log1p(third-state defence allies' CINC / challenger CINC)
    "challenger_offensive_pact",  # 1: the challenger has an offense or neutrality pact
    "dyad_defence_pact",  # 1: challenger and target share a defence pact
    "capability_ratio",  # log(challenger CINC / target CINC), clipped to [-6, 6]
    "land_contiguity",  # 1: a land or river border
    "sea_contiguity",  # 1: separated by at most 400 miles of water (and no land border)
    "log_distance",  # log1p(minimum distance / 1000 km)
    "joint_democracy",  # 1: both democracies (Polity2 >= 6; V-Dem polyarchy >= 0.5)
    "rivalry",  # 1: a Thompson-Dreyer strategic rivalry is on
    "challenger_major_power",
    "target_major_power",
    "peace_years_linear",  # s = min(years since the pair's last dispute, 100) / 100
    "peace_years_quadratic",  # s ** 2
    "peace_years_cubic",  # s ** 3
    "era_before_1914",
    "era_world_wars",
    "era_cold_war",
)
ERA_NAMES = ("before_1914", "world_wars", "cold_war", "post_cold_war")
"""Eras of the onset model's era indicators, in time order; the last is the reference."""
MONTHS_PER_YEAR = 12
PARAMETER_DIMS = {"intercept": (), "coefficients": ("onset_covariate",)}
_FIRST_MONTH_STEP = AUXILIARY_STEP

# Prior standard deviation of each slope (logit scale per covariate unit): 1 for
# indicators, narrower for log ratios with a wide range, wide for the peace-years cubic,
# whose three terms on [0, 1] are strongly collinear: a smooth curve that falls by 2-4
# logits over a century of peace (e.g. Carter & Signorino 2010) needs terms of opposite
# sign near +-15 to +-30 on this scale (the first fit, with sd 5, put them 3-5 prior sds
# out: the prior was binding, so it is 20).
_COEFFICIENT_SCALES = {
    "target_allied_capability": 0.5,
    "capability_ratio": 0.5,
    "log_distance": 1.0,
    "peace_years_linear": 20.0,
    "peace_years_quadratic": 20.0,
    "peace_years_cubic": 20.0,
}


class Params(NamedTuple):
    """Onset parameters (a pytree), logit scale per year."""

    intercept: jnp.ndarray  # () yearly logit at covariates 0
    coefficients: jnp.ndarray  # (18,) slopes, COVARIATE_NAMES order


def priors() -> dict[str, dist.Distribution]:
    """Prior of every sampled site.

    The intercept is centred on a yearly onset probability of 0.15% (logit -6.5, the
    share of directed dyad-years 1816-2014 with an originator's onset, 2,692 of 1.84
    million) with sd 2; slopes are Normal(0, scale) with the scales of
    ``_COEFFICIENT_SCALES`` (1 where not listed): the data, not the prior, decide
    their signs.
    """
    scales = jnp.asarray([_COEFFICIENT_SCALES.get(name, 1.0) for name in COVARIATE_NAMES])
    return {
        "intercept": dist.Normal(-6.5, 2.0),
        "coefficients": dist.Normal(jnp.zeros(len(COVARIATE_NAMES)), scales).to_event(1),
    }


def sample_params() -> Params:
    """numpyro sample sites for the priors."""
    return Params(*(numpyro.sample(name, prior) for name, prior in priors().items()))


def yearly_logit(params: Params, covariates: jnp.ndarray) -> jnp.ndarray:
    """``intercept + x . coefficients`` (broadcasts over leading axes)."""
    return params.intercept + jnp.sum(covariates * params.coefficients, axis=-1)


def yearly_probability(params: Params, covariates: jnp.ndarray) -> jnp.ndarray:
    """Probability of an onset within a year."""
    return jax.nn.sigmoid(yearly_logit(params, covariates))


def monthly_probability(params: Params, covariates: jnp.ndarray) -> jnp.ndarray:
    """Constant monthly hazard whose twelve months give the yearly probability:
    ``1 - (1 - p) ** (1/12) = -expm1(log(1 - p) / 12)``, with
    ``log(1 - p) = -softplus(logit)`` (accurate for the tiny p of most dyads)."""
    log_survival = -jax.nn.softplus(yearly_logit(params, covariates))
    return -jnp.expm1(log_survival / MONTHS_PER_YEAR)


def monthly_threshold(params: Params, covariates: jnp.ndarray) -> jnp.ndarray:
    """The monthly hazard as a 32-bit threshold: a month's uniform bits below it challenge."""
    return probability_to_bits(monthly_probability(params, covariates))


def first_month_challenged(key_words, stream, threshold) -> jnp.ndarray:
    """Whether each path's challenge comes in month 1 (its own auxiliary counter)."""
    return uniform_bits(key_words, stream, _FIRST_MONTH_STEP) < threshold


def later_month_challenged(key_words, stream, threshold, step) -> jnp.ndarray:
    """Whether a challenge comes in month ``step + 2`` (counter ``step``)."""
    return uniform_bits(key_words, stream, step) < threshold


def simulate(rng_key, params: Params, covariates, *, num_months: int, path_index=0):
    """The month (1-based) of one path's first challenge, 0 if none within ``num_months``.

    The same path the ensemble's component counts as ``path_index`` under the same key.
    """
    from riskengine.primitives.counter_rng import stream_words

    key_words = _key_words(rng_key)
    stream = stream_words(key_words, jnp.asarray(path_index, jnp.uint32))
    threshold = monthly_threshold(params, jnp.asarray(covariates, jnp.float32))
    steps = jnp.arange(num_months - 1, dtype=jnp.uint32)
    later = jax.vmap(lambda step: later_month_challenged(key_words, stream, threshold, step))(steps)
    challenged = jnp.concatenate(
        [first_month_challenged(key_words, stream, threshold)[None], later]
    )
    first = jnp.argmax(challenged)
    return jnp.where(jnp.any(challenged), first + 1, 0).astype(jnp.int32)


def _key_words(rng_key) -> jnp.ndarray:
    if jnp.issubdtype(rng_key.dtype, jax.dtypes.prng_key):
        return jax.random.key_data(rng_key).astype(jnp.uint32)
    return jnp.asarray(rng_key, jnp.uint32)


def model(covariates=None, onset=None, offset=None):
    """numpyro model: the priors and, with data, a Bernoulli per (sampled) dyad-year.

    ``covariates`` (n, 18), ``onset`` (n,) 0/1 and ``offset`` (n,): ``-log f`` for rows
    of a case-control sample (see the module docstring), 0 for full data.
    """
    params = sample_params()
    if covariates is not None:
        logits = yearly_logit(params, covariates)
        if offset is not None:
            logits = logits + offset
        with numpyro.plate("dyad_years", covariates.shape[0]):
            numpyro.sample("onset", dist.Bernoulli(logits=logits), obs=onset)
    return params


def params_from_draws(draws: dict[str, np.ndarray]) -> Params:
    """``Params`` from a mapping holding (at least) its fields."""
    return Params(*(jnp.asarray(draws[name], jnp.float32) for name in Params._fields))
