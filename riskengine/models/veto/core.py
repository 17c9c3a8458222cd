"""Security Council vetoes: who vetoes a contested draft, and how many vetoes a year.

The data are the vetoed drafts only (:mod:`riskengine.models.veto.data`): drafts that
passed, failed for lack of votes or were never tabled are not in them. Two parts, fitted
together, with separate parameters:

**Who vetoes (the alignment part).** A contested draft ``d`` of era ``e`` acts against
a target state; each permanent member ``m`` vetoes it, independently given the draft's
contestedness ``z_d ~ Normal(0, 1)``, with

    logit p_dm = intercepts[m, e] + alignment_effect * (alignment_dm - 0.5)
                 + gap_effect * (alignment_dm - max_m' alignment_dm')
                 + party_effect * party_dm + contestedness_scale * z_d

where ``alignment_dm`` is m's General Assembly agreement with the target in a year
before the draft (0..1, 1 when m is the target), the gap is how far m stands behind the
target's closest permanent member (0 for that member; :func:`alignment_gap`), and
``party_dm`` is 1 when m's own forces or decisions were what the draft addressed. Only
drafts with at least one veto are observed, so the likelihood of a draft's veto pattern
``y_d`` is the zero-truncated one, ``P(y_d) / P(at least one veto)``, with ``z_d``
integrated out by Gauss-Hermite quadrature (``NUM_NODES`` nodes) in both terms
(:func:`draft_log_likelihood`).

What the data identify, and what rests on the prior and the model's form: the
*differences* between members on one draft (the alignment, gap and party effects, and
the members' intercepts relative to each other within an era) are identified by who
vetoed and who did not. The *level* of the intercepts and ``contestedness_scale`` (hence
P(any veto) for a draft) are identified only through the truncation: by how often
several members veto together, read through the independence-given-``z`` assumption.
They are weakly identified and lean on their priors; the population of "contested
drafts" they describe is the model's latent one (drafts for which this logit holds),
not an observed set of drafts. :func:`conditional_veto_probabilities` (P(m vetoes | at
least one veto)) rests on the data; :func:`veto_probabilities` and
:func:`any_veto_probability` also on that level and on the contestedness the caller
assumes. See ``docs/validation/veto-notes.md``.

**How many (the count part).** Vetoes cast by member ``m`` in calendar year ``t`` of
count period ``k`` (``COUNT_PERIOD_NAMES``): NegativeBinomial2(mean
``exp(log_rates[m, k])``, concentration ``1 / dispersion**2``), independent over
member-years (:func:`negative_binomial_log_probability`, accurate in float32 near the
Poisson limit). It ignores targets and alignment: it is the base rate of vetoes per
member and period, for the posterior predictive of vetoes per decade and per member.

Priors (weakly informative; the reasoning is in the notes):

* ``intercepts`` Normal(-1.5, 1.5): a typical member's chance of vetoing a typical
  contested draft at alignment 0.5, level with the closest member, is around 0.18
  (logit -1.5), anywhere from 0.01 to 0.82 within two sd (the observed 265 vetoes over
  214 x 5 member-drafts, 0.25, is the rate *given* a veto, above the latent one);
* ``alignment_effect`` and ``gap_effect`` Normal(0, 5) per unit of agreement: members
  on one draft differ by 0.3-0.6 in agreement with its target, so within two sd the
  odds of a veto may change by e^3 to e^6 between them; the signs are left to the data.
  (A first fit without the gap term, under Normal(0, 3), put the alignment effect at
  9.1 +- 0.9, three prior sd out: the prior was widened so as not to pull it in.)
* ``party_effect`` Normal(0, 2.5); ``contestedness_scale`` HalfNormal(1) (shared shifts
  of the members' logits of up to about 2);
* ``log_rates`` Normal(-0.5, 2): 0.01 to 33 vetoes per member-year within two sd;
  ``dispersion`` HalfNormal(1) (0 is Poisson; 1 gives variance mean + mean**2).

The deterministic core (``member_logits``, ``draft_log_likelihood``,
``count_log_likelihood``) is shared by the numpyro ``model``, the simulators
(``simulate_vetoes``, ``simulate_counts``) and the scenario functions. Members in
:data:`MEMBERS` order (``Russia`` is the USSR's seat too), eras in :data:`ERA_NAMES`
order.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from jax.scipy.special import betaln

from riskengine.models.veto.coding import MEMBERS
from riskengine.models.veto.data import COUNT_PERIOD_NAMES, ERA_NAMES

__all__ = [
    "ALIGNMENT_CENTRE",
    "NUM_ERAS",
    "NUM_MEMBERS",
    "NUM_NODES",
    "NUM_PERIODS",
    "PARAMETER_COORDS",
    "PARAMETER_DIMS",
    "Params",
    "alignment_gap",
    "any_veto_probability",
    "conditional_veto_probabilities",
    "count_log_likelihood",
    "draft_log_likelihood",
    "member_logits",
    "model",
    "negative_binomial_log_probability",
    "params_from_draws",
    "priors",
    "simulate_counts",
    "simulate_vetoes",
    "veto_probabilities",
]

NUM_MEMBERS, NUM_ERAS, NUM_PERIODS = len(MEMBERS), len(ERA_NAMES), len(COUNT_PERIOD_NAMES)
ALIGNMENT_CENTRE = 0.5
NUM_NODES = 16
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(NUM_NODES)
_LOG_WEIGHTS = np.log(_WEIGHTS / np.sqrt(2.0 * np.pi))  # for a standard normal

PARAMETER_DIMS: dict[str, tuple[str, ...]] = {
    "intercepts": ("veto_member", "veto_era"),
    "alignment_effect": (),
    "gap_effect": (),
    "party_effect": (),
    "contestedness_scale": (),
    "log_rates": ("veto_member", "veto_count_period"),
    "dispersion": (),
}
PARAMETER_COORDS: dict[str, tuple[str, ...]] = {
    "veto_member": MEMBERS,
    "veto_era": ERA_NAMES,
    "veto_count_period": COUNT_PERIOD_NAMES,
}


class Params(NamedTuple):
    """Parameters of both parts (see the module docstring)."""

    intercepts: jnp.ndarray  # (5, 3) logit of a veto at alignment 0.5, no party, z = 0
    alignment_effect: jnp.ndarray  # () logit per unit of General Assembly agreement
    gap_effect: jnp.ndarray  # () logit per unit of agreement below the closest member's
    party_effect: jnp.ndarray  # () logit when the member is a party to the situation
    contestedness_scale: jnp.ndarray  # () logit sd of the draft's shared contestedness
    log_rates: jnp.ndarray  # (5, 5) log of the mean vetoes per member-year and period
    dispersion: jnp.ndarray  # () 1 / sqrt(negative binomial concentration)


def priors() -> dict[str, dist.Distribution]:
    """Parameter name -> prior (see the module docstring)."""
    return {
        "intercepts": dist.Normal(-1.5, 1.5).expand([NUM_MEMBERS, NUM_ERAS]).to_event(2),
        "alignment_effect": dist.Normal(0.0, 5.0),
        "gap_effect": dist.Normal(0.0, 5.0),
        "party_effect": dist.Normal(0.0, 2.5),
        "contestedness_scale": dist.HalfNormal(1.0),
        "log_rates": dist.Normal(-0.5, 2.0).expand([NUM_MEMBERS, NUM_PERIODS]).to_event(2),
        "dispersion": dist.HalfNormal(1.0),
    }


def params_from_draws(draws) -> Params:
    """``Params`` from a mapping of arrays (any leading draw axes)."""
    return Params(*(jnp.asarray(draws[name]) for name in Params._fields))


def member_logits(params: Params, era, alignment, party, contestedness=0.0) -> jnp.ndarray:
    """(..., members) logit of each member's veto; ``era`` (...,) int, ``alignment``
    and ``party`` (..., members), ``contestedness`` broadcast against ``era``."""
    intercepts = jnp.moveaxis(jnp.asarray(params.intercepts)[:, era], 0, -1)
    return (
        intercepts
        + params.alignment_effect * (alignment - ALIGNMENT_CENTRE)
        + params.gap_effect * alignment_gap(alignment)
        + params.party_effect * party
        + params.contestedness_scale * jnp.asarray(contestedness)[..., None]
    )


def alignment_gap(alignment) -> jnp.ndarray:
    """(..., members) each member's agreement with the target minus the highest of the
    five (0 for the target's closest permanent member, negative for the others)."""
    return alignment - jnp.max(alignment, axis=-1, keepdims=True)


def veto_probabilities(params: Params, era, alignment, party, contestedness=0.0):
    """(..., members) P(member vetoes) of a contested draft at a given contestedness
    (in standard deviations of the latent population; 0 is a typical contested draft).
    Its level rests on the prior and the truncation (module docstring)."""
    return jax.nn.sigmoid(member_logits(params, era, alignment, party, contestedness))


def _log_terms(params: Params, era, alignment, party, vetoed):
    """(log P(y | z_k), log P(no veto | z_k)), each (..., nodes)."""
    base = member_logits(params, era, alignment, party)[..., None, :]
    logits = base + params.contestedness_scale * _NODES[:, None]
    log_veto, log_no_veto = jax.nn.log_sigmoid(logits), jax.nn.log_sigmoid(-logits)
    observed = jnp.where(vetoed[..., None, :] == 1, log_veto, log_no_veto)
    return jnp.sum(observed, axis=-1), jnp.sum(log_no_veto, axis=-1)


def _log_one_minus_exp(value):
    """log(1 - exp(value)) for value < 0, accurate at both ends; both branches get safe
    inputs so that the unused one cannot poison the gradient."""
    near_zero = value > -0.693
    safe_near = jnp.minimum(jnp.where(near_zero, value, -1.0), -1e-7)
    safe_far = jnp.where(near_zero, -1.0, value)
    return jnp.where(near_zero, jnp.log(-jnp.expm1(safe_near)), jnp.log1p(-jnp.exp(safe_far)))


def draft_log_likelihood(params: Params, drafts, *, truncated: bool = True) -> jnp.ndarray:
    """Per draft: log P(y_d | at least one veto) with the contestedness integrated out;
    ``truncated=False`` drops the conditioning (the negative control's wrong model).
    ``drafts``: ``era`` (d,), ``alignment``, ``party``, ``vetoed`` (d, members)."""
    log_observed, log_none = _log_terms(
        params, drafts["era"], drafts["alignment"], drafts["party"], drafts["vetoed"]
    )
    log_joint = jax.nn.logsumexp(_LOG_WEIGHTS + log_observed, axis=-1)
    if not truncated:
        return log_joint
    log_any = _log_one_minus_exp(jax.nn.logsumexp(_LOG_WEIGHTS + log_none, axis=-1))
    return log_joint - log_any


def _no_veto_probabilities(params: Params, era, alignment, party, mean, spread):
    """(..., nodes) P(no veto | z) at the quadrature nodes of z ~ Normal(mean, spread)."""
    base = member_logits(params, era, alignment, party)[..., None, :]
    shift = params.contestedness_scale * (mean + spread * _NODES)
    return jnp.exp(jnp.sum(jax.nn.log_sigmoid(-(base + shift[:, None])), axis=-1))


def any_veto_probability(
    params: Params, era, alignment, party, contestedness_mean=0.0, contestedness_spread=1.0
):
    """P(at least one member vetoes) a draft whose contestedness the caller puts at
    Normal(``contestedness_mean``, ``contestedness_spread``), in standard deviations of
    the model's latent population of contested drafts (0, 1: a draft drawn from that
    population; a negative mean: a draft less contested than those history shows being
    vetoed). This rests on the prior-led level of the intercepts and on the caller's
    contestedness, not on drafts observed to pass (there are none in the data)."""
    none = _no_veto_probabilities(
        params, era, alignment, party, contestedness_mean, contestedness_spread
    )
    return 1.0 - jnp.sum(jnp.exp(_LOG_WEIGHTS) * none, axis=-1)


def conditional_veto_probabilities(params: Params, era, alignment, party):
    """(..., members) P(member vetoes | at least one member vetoes) for a draft from
    the latent population (contestedness integrated out): the part the data identify.
    The five need not sum to 1 (several members may veto one draft)."""
    base = member_logits(params, era, alignment, party)[..., None, :]
    veto = jax.nn.sigmoid(base + params.contestedness_scale * _NODES[:, None])
    weights = jnp.exp(_LOG_WEIGHTS)[:, None]
    marginal = jnp.sum(weights * veto, axis=-2)
    return marginal / any_veto_probability(params, era, alignment, party)[..., None]


def count_log_likelihood(params: Params, counts) -> jnp.ndarray:
    """(years, members) log-probability of the vetoes cast per member-year;
    ``counts``: ``counts`` (years, members) int, ``period`` (years,) int."""
    mean = jnp.exp(jnp.moveaxis(jnp.asarray(params.log_rates)[:, counts["period"]], 0, -1))
    return negative_binomial_log_probability(counts["counts"], mean, params.dispersion)


def negative_binomial_log_probability(count, mean, dispersion) -> jnp.ndarray:
    """log NegativeBinomial2(count; mean, concentration ``c = 1 / dispersion**2``),
    written to stay accurate in float32 when ``c`` is large (near-Poisson counts), where
    numpyro's form subtracts two terms of order ``c log c`` (an error of 0.02 nats at
    ``c = 1e6``, and noisy gradients that stalled the SBC's sampler):
    ``-betaln(c, k + 1) - log(c + k) - c log1p(mean / c) + k (log mean - log(c + mean))``.
    """
    concentration = 1.0 / jnp.square(dispersion)
    count = jnp.asarray(count, mean.dtype)
    return (
        -betaln(concentration, count + 1.0)
        - jnp.log(concentration + count)
        - concentration * jnp.log1p(mean / concentration)
        + count * (jnp.log(mean) - jnp.log(concentration + mean))
    )


def simulate_counts(rng_key, params: Params, period) -> jnp.ndarray:
    """(years, members) vetoes per member-year from the count part (int32); ``period``
    (years,) indexes ``COUNT_PERIOD_NAMES``."""
    key_rate, key_count = jax.random.split(rng_key)
    mean = jnp.exp(jnp.moveaxis(jnp.asarray(params.log_rates)[:, period], 0, -1))
    concentration = 1.0 / jnp.square(params.dispersion)
    rate = jax.random.gamma(key_rate, concentration, mean.shape) * mean / concentration
    return jax.random.poisson(key_count, rate).astype(jnp.int32)


def simulate_vetoes(rng_key, params: Params, era, alignment, party, max_rounds: int = 100_000):
    """(vetoed (drafts, members) int32, all_vetoed bool): each draft's vetoes from the
    alignment part, conditioned on at least one veto by redrawing (contestedness and
    vetoes) the drafts that got none, for at most ``max_rounds`` rounds."""
    shape = jnp.shape(alignment)

    def draw(key):
        key_z, key_veto = jax.random.split(key)
        z = jax.random.normal(key_z, shape[:-1])
        logits = member_logits(params, era, alignment, party, z)
        return (jax.random.uniform(key_veto, shape) < jax.nn.sigmoid(logits)).astype(jnp.int32)

    def redraw(state):
        key, vetoed, rounds = state
        key, key_draw = jax.random.split(key)
        fresh = draw(key_draw)
        pending = jnp.sum(vetoed, axis=-1, keepdims=True) == 0
        return key, jnp.where(pending, fresh, vetoed), rounds + 1

    def pending(state):
        return jnp.any(jnp.sum(state[1], axis=-1) == 0) & (state[2] < max_rounds)

    start = (rng_key, jnp.zeros(shape, jnp.int32), 0)
    _, vetoed, _ = jax.lax.while_loop(pending, redraw, start)
    return vetoed, jnp.all(jnp.sum(vetoed, axis=-1) > 0)


def model(drafts=None, counts=None, *, truncated: bool = True) -> Params:
    """numpyro model: the priors, and with data (``data.draft_arrays`` and
    ``data.count_arrays``) each part's likelihood as one factor; ``truncated=False``
    only for the negative control."""
    params = Params(**{name: numpyro.sample(name, prior) for name, prior in priors().items()})
    if drafts is not None:
        numpyro.factor("drafts", jnp.sum(draft_log_likelihood(params, drafts, truncated=truncated)))
    if counts is not None:
        numpyro.factor("counts", jnp.sum(count_log_likelihood(params, counts)))
    return params
