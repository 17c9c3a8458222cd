"""Escalation ladder: a crisis climbs or descends the COW MID hostility levels month by month.

Generative story (one crisis = one path):

1. The crisis has covariates ``x`` (``COVARIATE_NAMES``: sizes of the two sides,
   the coalition-vs-challenger capability ratio, defence pact, ad-hoc coalition,
   major-power involvement, crisis management) and a latent resolve
   ``r ~ Normal(0, resolve_scale)`` shared by all its months (a random effect).
2. Its location on the logit scale is ``eta = x . coefficients + r``: positive values
   push towards higher hostility and away from settlement.
3. Month 1: the level is the scenario's start level, or ("onset") drawn from an ordered
   logit over threat < display < use of force < war with ``onset_cutpoints`` at ``eta``.
4. Each later month, from an active level ``l``, a step category is drawn from an
   ordered logit with ``step_cutpoints`` at ``eta + level_effect[l]``: settle (the
   crisis ends, absorbing), de-escalate (one level down; from threat it ends), stay,
   escalate (one level up; war stays war). See ``riskengine.primitives.ladder``.

Units: levels are COW MID ``hostlev - 1`` (1 threat .. 4 war, 0 settled); time in
months; cut-points, level effects, coefficients and resolve on the logit scale.

The deterministic core (``location``, ``step_probabilities``, ``onset_probabilities``
and the thresholds derived from them) is shared by the simulator (``simulate``,
``summarize``) and by the numpyro ``model`` and its exact likelihood, so the two cannot
drift. References: Jones, Bremer & Singer (1996) and Palmer et al. (2022) for the MID
hostility coding; McCullagh (1980) for the ordered logit.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from jax.scipy.special import ndtri

from riskengine.primitives.counter_rng import (
    AUXILIARY_STEP,
    bits_to_unit_interval,
    stream_words,
    uniform_bits,
)
from riskengine.primitives.ladder import NUM_LEVELS, next_level
from riskengine.primitives.ordered_logit import (
    category_from_bits,
    category_probabilities,
    cumulative_probabilities,
    probability_to_bits,
)

__all__ = [
    "COVARIATE_NAMES",
    "LEVEL_NAMES",
    "Params",
    "Inputs",
    "Result",
    "priors",
    "sample_params",
    "location",
    "step_probabilities",
    "onset_probabilities",
    "simulate",
    "summarize",
    "model",
]

COVARIATE_NAMES = (
    "challenger_side_size",  # log(number of states on the challenger's side)
    "coalition_size",  # log(number of states on the defending side, defender included)
    "capability_ratio",  # log(defending side CINC / challenger side CINC)
    "defence_pact",  # 1 if a defence pact links states on the defending side
    "ad_hoc_coalition",  # 1 if the defending side has several states and no pact
    "major_power",  # 1 if a major power is on either side
    "crisis_management",  # 1 if mediation / crisis management is active
)
LEVEL_NAMES = ("settled", "threat", "display", "use_of_force", "war")
ACTIVE_LEVEL_NAMES = LEVEL_NAMES[1:]
STEP_CATEGORY_NAMES = ("settle", "de_escalate", "stay", "escalate")
ONSET_FROM_MODEL = -1  # Inputs.start_level value meaning "draw the first month's level"

_RESOLVE_STEP = AUXILIARY_STEP
_ONSET_STEP = AUXILIARY_STEP - 1


class Params(NamedTuple):
    """Model parameters (a pytree); all on the logit scale."""

    onset_cutpoints: jnp.ndarray  # (3,) increasing: first-month level threat|display|use|war
    step_cutpoints: jnp.ndarray  # (3,) increasing: settle|de-escalate|stay|escalate
    level_effect: (
        jnp.ndarray
    )  # (3,) shift of the step location at display, use of force, war vs threat
    coefficients: jnp.ndarray  # (7,) covariate slopes, COVARIATE_NAMES order
    resolve_scale: jnp.ndarray  # () standard deviation of the latent per-crisis resolve


class Inputs(NamedTuple):
    """One crisis configuration: covariates (7,) float32 and start level (int32; -1 = onset)."""

    covariates: jnp.ndarray
    start_level: jnp.ndarray


class Result(NamedTuple):
    """One simulated path: the level in each month (int32) and the drawn resolve."""

    levels: jnp.ndarray
    resolve: jnp.ndarray


def priors() -> dict[str, dist.Distribution]:
    """Prior of every sampled site (used by fitting and by prior-predictive ensembles).

    Cut-points are sampled as a first value plus positive gaps so they stay ordered.
    The crisis-management slope has an informative prior (mediation lowers escalation,
    e.g. Beardsley et al. 2006) because the MID data do not record mediation.
    """
    coefficient_means = jnp.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.4])
    coefficient_scales = jnp.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.2])
    return {
        "onset_cutpoint_first": dist.Normal(-3.0, 1.5),
        "onset_cutpoint_gaps": dist.LogNormal(jnp.log(3.0), 0.5).expand([2]),
        "step_cutpoint_first": dist.Normal(-0.5, 1.5),
        "step_cutpoint_gaps": dist.LogNormal(jnp.log(1.0), 0.75).expand([2]),
        "level_effect": dist.Normal(0.0, 1.0).expand([3]),
        "coefficients": dist.Normal(coefficient_means, coefficient_scales),
        "resolve_scale": dist.HalfNormal(1.0),
    }


def _ordered(first: jnp.ndarray, gaps: jnp.ndarray) -> jnp.ndarray:
    return first[..., None] + jnp.concatenate(
        [jnp.zeros_like(gaps[..., :1]), jnp.cumsum(gaps, axis=-1)], axis=-1
    )


def sample_params() -> Params:
    """numpyro sample sites for the priors, with the ordered cut-points as deterministics."""
    prior = priors()
    site = {name: numpyro.sample(name, distribution) for name, distribution in prior.items()}
    onset = _ordered(site["onset_cutpoint_first"], site["onset_cutpoint_gaps"])
    step = _ordered(site["step_cutpoint_first"], site["step_cutpoint_gaps"])
    return Params(
        onset_cutpoints=numpyro.deterministic("onset_cutpoints", onset),
        step_cutpoints=numpyro.deterministic("step_cutpoints", step),
        level_effect=site["level_effect"],
        coefficients=site["coefficients"],
        resolve_scale=site["resolve_scale"],
    )


def location(params: Params, covariates: jnp.ndarray, resolve: jnp.ndarray) -> jnp.ndarray:
    """Logit-scale location ``x . coefficients + resolve`` (broadcasts over leading axes)."""
    return jnp.sum(covariates * params.coefficients, axis=-1) + resolve


def _level_locations(params: Params, eta: jnp.ndarray) -> jnp.ndarray:
    shifts = jnp.concatenate(
        [jnp.zeros_like(params.level_effect[..., :1]), params.level_effect], -1
    )
    return jnp.asarray(eta)[..., None] + shifts


def step_probabilities(params: Params, eta: jnp.ndarray) -> jnp.ndarray:
    """(..., 4 levels threat..war, 4 categories settle|de-escalate|stay|escalate)."""
    return category_probabilities(params.step_cutpoints, _level_locations(params, eta))


def onset_probabilities(params: Params, eta: jnp.ndarray) -> jnp.ndarray:
    """(..., 4): probability that month 1 is at threat, display, use of force, war."""
    return category_probabilities(params.onset_cutpoints, eta)


def _path_start(key_words, params: Params, inputs: Inputs, stream):
    """Per-path resolve, step thresholds (.., 4, 3) in bits and month-1 level."""
    resolve_bits = uniform_bits(key_words, stream, _RESOLVE_STEP)
    resolve = params.resolve_scale * ndtri(bits_to_unit_interval(resolve_bits))
    eta = location(params, inputs.covariates, resolve)
    step_cumulative = cumulative_probabilities(params.step_cutpoints, _level_locations(params, eta))
    onset_cumulative = cumulative_probabilities(params.onset_cutpoints, eta)
    onset_bits = uniform_bits(key_words, stream, _ONSET_STEP)
    onset_level = 1 + category_from_bits(onset_bits, probability_to_bits(onset_cumulative))
    start = jnp.where(inputs.start_level == ONSET_FROM_MODEL, onset_level, inputs.start_level)
    return resolve, probability_to_bits(step_cumulative), start.astype(jnp.int32)


def _select_by_level(table: jnp.ndarray, level: jnp.ndarray) -> jnp.ndarray:
    """``table[..., level - 1, :]`` for levels 1..4 with selects instead of a gather."""
    chosen = table[..., 0, :]
    for active in range(2, NUM_LEVELS):
        chosen = jnp.where((level == active)[..., None], table[..., active - 1, :], chosen)
    return chosen


def _advance(level, bits, thresholds):
    category = category_from_bits(bits, _select_by_level(thresholds, level))
    return next_level(level, category)


def _key_words(rng_key) -> jnp.ndarray:
    if jnp.issubdtype(rng_key.dtype, jax.dtypes.prng_key):
        return jax.random.key_data(rng_key).astype(jnp.uint32)
    return jnp.asarray(rng_key, jnp.uint32)


def simulate(rng_key, params: Params, inputs: Inputs, *, num_months: int, path_index=0) -> Result:
    """Simulate one crisis path of ``num_months`` months (jit- and vmap-safe).

    The path is the one ``summarize`` counts as path ``path_index`` under the same key,
    so single paths can be inspected exactly as the ensemble saw them.
    """
    key_words = _key_words(rng_key)
    stream = stream_words(key_words, path_index)
    resolve, thresholds, start = _path_start(key_words, params, inputs, stream)

    def month(level, step):
        new_level = _advance(level, uniform_bits(key_words, stream, step), thresholds)
        return new_level, new_level

    _, later = jax.lax.scan(month, start, jnp.arange(num_months - 1, dtype=jnp.uint32))
    return Result(levels=jnp.concatenate([start[None], later]), resolve=resolve)


def _histogram(values: jnp.ndarray, valid: jnp.ndarray) -> jnp.ndarray:
    one_hot = values[:, None] == jnp.arange(NUM_LEVELS, dtype=values.dtype)
    return jnp.sum(one_hot & valid[:, None], axis=0, dtype=jnp.int32)


def summarize(key_words, params: Params, inputs: Inputs, path_index, valid, *, num_months: int):
    """Integer counts over a block of paths, time-major, without storing paths.

    Returns ``level_count`` (month, level): paths at each level in each month;
    ``peak_count`` (month, level): paths whose highest level so far is that level;
    ``path_count`` (): valid paths. First-passage and peak probabilities derive from
    ``peak_count`` (see ``metrics``).
    """
    stream = stream_words(key_words, path_index)
    _, thresholds, start = _path_start(key_words, params, inputs, stream)

    def month(carry, step):
        level, peak = carry
        counts = (_histogram(level, valid), _histogram(peak, valid))
        level = _advance(level, uniform_bits(key_words, stream, step), thresholds)
        return (level, jnp.maximum(peak, level)), counts

    steps = jnp.arange(num_months, dtype=jnp.uint32)
    _, (level_count, peak_count) = jax.lax.scan(month, (start, start), steps)
    return {
        "level_count": level_count,
        "peak_count": peak_count,
        "path_count": jnp.sum(valid, dtype=jnp.int32),
    }


def model(disputes=None, *, log_likelihood_fn=None):
    """numpyro model: priors, and (with data) the exact dispute likelihood as a factor.

    ``disputes`` is a mapping with ``covariates`` (n, 7), ``peak_level`` (n,) and
    ``duration_months`` (n,); ``log_likelihood_fn(params, disputes)`` returns the
    per-dispute log-likelihood (see ``riskengine.inference``).
    """
    params = sample_params()
    if disputes is not None:
        log_likelihood = log_likelihood_fn(params, disputes)
        numpyro.deterministic("log_likelihood", log_likelihood)
        numpyro.factor("disputes", jnp.sum(log_likelihood))
    return params


def params_from_draws(draws: dict[str, np.ndarray]) -> Params:
    """Build ``Params`` from a mapping holding (at least) its fields."""
    return Params(*(jnp.asarray(draws[name], jnp.float32) for name in Params._fields))
