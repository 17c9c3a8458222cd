"""Member support: the probability that a state joins an action led by a primary sender.

Generative story. An action (a sanctions case) has a primary sender and a target; each
other state ``i`` in the system is a candidate supporter with covariates ``x_i``
(:data:`riskengine.models.coalition.support_data.COVARIATE_NAMES`: alliance and trade
with the primary and the target, distance to the target, democracy, major power,
capability, era). The action draws one *shared latent* ``z ~ Normal(0, 1)``: some
actions attract joiners (a UN or EC-wide measure, a bloc acting together), others do
not, and every member feels the same draw, so members' positions are correlated. Then,
independently given ``z``,

    logit P(i supports) = intercept + x_i . coefficients + case_scale * z
                          + election_shift * election_in_window_i

and ``i`` supports (joins as a sender) with that probability (:func:`support_probability`,
the function the coalition process calls with its members' covariates and one shared
latent per simulated action). Units: logit of the probability of joining the action.

Fitting (TIES cases with at least one joiner, :mod:`.support_data`). Each case's latent
is integrated out exactly (up to the grid): on ``NUM_LATENT_NODES`` equally spaced
nodes of +-``LATENT_BOUND`` (trapezoid weights of the standard normal, spacing 0.2; the
trapezoid rule on a smooth peak of sd s errs by about exp(-2 pi^2 s^2 / 0.04), 3e-9 at
s = 0.2, sharper than any case's latent posterior here). Because a case
enters the data only when at least one candidate joined, its likelihood is divided by
the model's probability of that event, marginal over the latent:

    L_c = integral prod_i p(y_i | z) phi(z) dz / integral [1 - prod_i (1 - p_i(z))] phi(z) dz

so the parameters describe every action of the kind TIES records, not only those that
found joiners (the joint density of a selected case's outcomes and latent is
p(y | z) phi(z) / P_c). Integrating the latents out leaves 14 parameters for NUTS (a
first version sampled 140 non-centred latents: their joint mode, the Laplace warm
start, sat at case_scale = 0 and every transition diverged); a historical case's latent
given its outcomes is available on the grid (:func:`latent_log_posterior`). Candidates
whose outcome is unknown (``known = 0``: the unlisted candidates of cases at TIES's
five-sender cap, when the fit treats them so) count only in P_c. A case-control sample
(``offset``, :func:`.support_data.case_control_sample`) shifts the logit of its rows by
``offset`` (King & Zeng 2001); it is never truncated.

Priors (``priors``), on the logit scale:

* ``intercept`` Normal(-5, 2): a candidate at every covariate's zero (no alliance or
  trade, adjacent to the target, democracy 0, a 1% CINC share, after 1990) at an
  average action. TIES's state-led cases draw about 0.2% of candidates as joiners
  overall (1.6% in the cases with a joiner); -5 is 0.7%, and +-2 sd covers 0.01% to 27%.
* ``coefficients`` Normal(0, scale) with ``PRIOR_SCALES``: 1.5 for an indicator (an odds
  ratio up to about 20 within 2 sd: a defence pact with the primary may plausibly
  multiply the odds that much); 1.0 per unit of the log-trade shares (0..4.6) and the
  log distance (0..3), and of democracy (0..1); 0.5 per unit of log capability, whose
  range is 12 units (CINC 1e-6 to 0.4), so 2 sd over the whole range is 12 logits;
  2.0 for the reserved alignment (agreement 0..1: the whole range may move the logit by
  up to 4 within 1 sd, alignment being the standard predictor of siding with a state).
* ``case_scale`` HalfNormal(1.5): the sd of the shared latent; a case one sd above the
  average multiplies every member's odds by exp(case_scale). UN- or bloc-wide measures
  against a lone target sit several sd above bilateral ones; 1.5 puts the prior median
  at 1.0 and allows 3 (a factor 20 per sd).
* ``election_shift`` Normal(-0.4, 0.3), **prior only** (TIES has no election data, every
  historical row has ``election_in_window = 0``, so the posterior is this prior): a
  government facing a national election within the decision window is less willing to
  join a costly measure (sanctions cost exporters, and joining a foreign-led action
  is rarely an electoral asset). That is a common expectation about electoral cycles in
  foreign policy, not a measured effect: no estimate of its size for sanctions backs
  it. Mean -0.4 = odds x 0.67; sd 0.3 keeps the odds between x0.37 and x1.2 at 95%, so
  a null or a slight rally effect stays possible. Replace it with an estimate when
  election data are joined to the cases.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from riskengine.models.coalition.support_data import COVARIATE_NAMES

__all__ = [
    "LATENT_BOUND",
    "NUM_LATENT_NODES",
    "PARAMETER_DIMS",
    "PRIOR_ONLY",
    "PRIOR_SCALES",
    "Params",
    "SupportDraw",
    "latent_grid",
    "latent_log_posterior",
    "linear_predictor",
    "case_terms",
    "log_likelihood",
    "log_probability_any_joiner",
    "model",
    "node_logits",
    "parameter_coords",
    "params_from_draws",
    "priors",
    "simulate_support",
    "support_probability",
]

NUM_LATENT_NODES = 61
LATENT_BOUND = 6.0
PRIOR_ONLY = ("election_shift",)
PRIOR_SCALES: dict[str, float] = {
    "defence_pact_with_primary": 1.5,
    "other_pledge_with_primary": 1.5,
    "alliance_with_target": 1.5,
    "trade_share_with_target": 1.0,
    "trade_share_with_primary": 1.0,
    "log_distance_to_target": 1.0,
    "democracy": 1.0,
    "major_power": 1.5,
    "log_capability": 0.5,
    "era_early_cold_war": 1.5,
    "era_late_cold_war": 1.5,
    "alignment_with_primary": 2.0,
    "alignment_with_target": 2.0,
}


class Params(NamedTuple):
    """Logit scale of the probability that a candidate joins the action."""

    intercept: jnp.ndarray  # () at covariates 0 and an average action (latent 0)
    coefficients: jnp.ndarray  # (k,) per covariate unit, in the fit's covariate order
    case_scale: jnp.ndarray  # () sd of the action's shared latent, logit units
    election_shift: jnp.ndarray  # () a member facing an election in the window (prior only)


class SupportDraw(NamedTuple):
    """One simulated action: its shared latent, each member's probability and decision."""

    shared_latent: jnp.ndarray  # () standard normal
    probability: jnp.ndarray  # (members,)
    supports: jnp.ndarray  # (members,) bool


def priors(covariate_names=COVARIATE_NAMES) -> dict[str, dist.Distribution]:
    """Parameter name -> prior (module docstring), for the covariates in that order."""
    scales = jnp.asarray([PRIOR_SCALES[name] for name in covariate_names])
    return {
        "intercept": dist.Normal(-5.0, 2.0),
        "coefficients": dist.Normal(0.0, scales).to_event(1),
        "case_scale": dist.HalfNormal(1.5),
        "election_shift": dist.Normal(-0.4, 0.3),
    }


def params_from_draws(draws) -> Params:
    """``Params`` from a mapping of arrays (any leading draw axes)."""
    return Params(*(jnp.asarray(draws[name]) for name in Params._fields))


def linear_predictor(params: Params, covariates, shared_latent, election_in_window=0.0):
    """Logit of joining, one per row of ``covariates`` (rows, k); ``shared_latent`` is a
    standard-normal draw per row or one for all (broadcast)."""
    return (
        params.intercept
        + jnp.sum(covariates * params.coefficients, axis=-1)
        + params.case_scale * shared_latent
        + params.election_shift * election_in_window
    )


def support_probability(params: Params, covariates, shared_latent, election_in_window=0.0):
    """Each member's probability of supporting one action, given the action's shared
    latent (the coalition process's entry point: one ``shared_latent`` per simulated
    action makes the members' decisions correlated)."""
    return jax.nn.sigmoid(linear_predictor(params, covariates, shared_latent, election_in_window))


def simulate_support(rng_key, params: Params, covariates, election_in_window=0.0) -> SupportDraw:
    """Draw one action's shared latent and every member's decision (jit- and vmap-safe)."""
    key_latent, key_support = jax.random.split(rng_key)
    shared_latent = jax.random.normal(key_latent, ())
    probability = support_probability(params, covariates, shared_latent, election_in_window)
    supports = jax.random.uniform(key_support, probability.shape) < probability
    return SupportDraw(shared_latent, probability, supports)


def latent_grid() -> tuple[jnp.ndarray, jnp.ndarray]:
    """Nodes of the shared latent and log weights of a standard-normal expectation
    (``NUM_LATENT_NODES`` equally spaced nodes on +-``LATENT_BOUND``, trapezoid rule,
    normalised to sum to 1)."""
    nodes = np.linspace(-LATENT_BOUND, LATENT_BOUND, NUM_LATENT_NODES)
    log_weights = -0.5 * nodes**2
    log_weights -= np.log(np.exp(log_weights).sum())
    return jnp.asarray(nodes, jnp.float32), jnp.asarray(log_weights, jnp.float32)


def _log1m_exp(value):
    """log(1 - exp(value)) for value <= 0, stable at both ends, and with finite gradients:
    each branch gets a safe input (the untaken branch of a ``where`` still feeds the
    gradient, and log1p(-exp(value)) at value = -1e-9 is -inf in float32)."""
    value = jnp.minimum(value, -1e-30)
    near_zero = value > -0.693
    near = jnp.where(near_zero, value, -1.0)
    far = jnp.where(near_zero, -1.0, value)
    return jnp.where(near_zero, jnp.log(-jnp.expm1(near)), jnp.log1p(-jnp.exp(far)))


def node_logits(params: Params, candidates, offset=0.0) -> jnp.ndarray:
    """(nodes, rows) logit of joining at each node of the shared latent, plus ``offset``."""
    nodes, _ = latent_grid()
    fixed = linear_predictor(params, candidates["covariates"], 0.0, candidates["election"])
    return (fixed + offset)[None, :] + params.case_scale * nodes[:, None]


def _per_case(values, candidates, num_cases: int) -> jnp.ndarray:
    """(cases, ...) sums over each case's rows of ``values`` (rows, ...)."""
    return jax.ops.segment_sum(values, candidates["case_index"], num_segments=num_cases)


def case_terms(params: Params, candidates, num_cases: int, offset=0.0):
    """((cases, nodes) log P(nobody joins | node), (cases, nodes) log P(the case's known
    outcomes | node)), the logits shifted by ``offset``.

    One log-sigmoid per row and node serves both: a row contributes log P(not join) =
    log sigmoid(-logit), and a joiner adds logit (log sigmoid(x) - log sigmoid(-x) = x),
    whose sum over a case's joiners is linear in the node, so it is summed once.
    """
    nodes, _ = latent_grid()
    fixed = linear_predictor(params, candidates["covariates"], 0.0, candidates["election"])
    fixed = fixed + offset
    not_joining = jax.nn.log_sigmoid(-(fixed[:, None] + params.case_scale * nodes))
    known = candidates["known"]
    joiners = known * (candidates["joined"] == 1)
    none_join = _per_case(not_joining, candidates, num_cases)
    known_none = _per_case(not_joining * known[:, None], candidates, num_cases)
    joined_fixed = _per_case(joiners * fixed, candidates, num_cases)
    joined_count = _per_case(joiners, candidates, num_cases)
    joined = joined_fixed[:, None] + joined_count[:, None] * params.case_scale * nodes
    return none_join, known_none + joined


def log_probability_any_joiner(params: Params, candidates, num_cases: int):
    """(cases,) log P(at least one candidate of the case joins), marginal over its latent."""
    _, log_weights = latent_grid()
    none_join, _ = case_terms(params, candidates, num_cases)
    return jax.scipy.special.logsumexp(_log1m_exp(none_join) + log_weights, axis=-1)


def log_likelihood(params: Params, candidates, *, selection_corrected: bool = True):
    """(cases,) log-likelihood of each case's outcomes, its latent integrated out.

    ``selection_corrected`` (static): divide by P(at least one joiner) where the case was
    selected for having one (``truncated``); the rows then carry no case-control offset.
    Without it the rows' ``offset`` applies (a case-control sample of every case).
    """
    num_cases = candidates["truncated"].shape[0]
    _, log_weights = latent_grid()
    offset = 0.0 if selection_corrected else candidates["offset"]
    none_join, outcomes = case_terms(params, candidates, num_cases, offset)
    marginal = jax.scipy.special.logsumexp(outcomes + log_weights, axis=-1)
    if not selection_corrected:
        return marginal
    selection = jax.scipy.special.logsumexp(_log1m_exp(none_join) + log_weights, axis=-1)
    return marginal - candidates["truncated"] * selection


def model(
    candidates=None, *, covariate_names=COVARIATE_NAMES, selection_corrected: bool = True
) -> Params:
    """numpyro model: priors; with ``candidates`` (``support_data.candidate_arrays``) the
    cases' likelihood (``log_likelihood``), latents integrated out, as one factor."""
    params = Params(
        **{name: numpyro.sample(name, prior) for name, prior in priors(covariate_names).items()}
    )
    if candidates is not None:
        log_cases = log_likelihood(params, candidates, selection_corrected=selection_corrected)
        numpyro.factor("candidates", jnp.sum(log_cases))
    return params


def latent_log_posterior(params: Params, candidates, num_cases: int) -> jnp.ndarray:
    """(cases, nodes) normalised log posterior of each case's latent on the grid given its
    outcomes (the selection does not change it: the outcomes imply it)."""
    _, log_weights = latent_grid()
    joint = case_terms(params, candidates, num_cases)[1] + log_weights
    return joint - jax.scipy.special.logsumexp(joint, axis=-1, keepdims=True)


PARAMETER_DIMS: dict[str, tuple[str, ...]] = {
    "intercept": (),
    "coefficients": ("support_covariate",),
    "case_scale": (),
    "election_shift": (),
}
"""Site name -> dims after (chain, draw) for the posterior DataTree."""


def parameter_coords(covariate_names) -> dict[str, tuple]:
    """Dim -> coordinate values: the fitted covariates' names."""
    return {"support_covariate": tuple(covariate_names)}
