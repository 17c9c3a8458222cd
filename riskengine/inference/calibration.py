"""Simulation-based calibration (Talts et al. 2018) of the escalation model's fit.

One replication: draw ``theta ~ prior`` (``escalation.priors``), simulate a synthetic
data set of ``num_disputes`` disputes with fixed covariates from the exact model
probabilities truncated to durations up to ``NUM_MONTHS`` (and fitted with the same
truncated likelihood, so simulation and fit agree exactly), fit it with NUTS, and record the rank of each scalar parameter's true value among
``num_ranked`` thinned posterior draws. If fitting is correct, every rank is uniform on
``0..num_ranked``; :func:`rank_uniformity` tests this with a chi-square test per
parameter on equal-width rank bins. A negative control fits with a deliberately wrong
prior (``shift_prior``) and must be rejected.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import numpyro.distributions as dist
from numpyro.infer import MCMC, NUTS, Predictive
from scipy import stats

from riskengine.inference.likelihood import (
    _log_resolve_weights,
    conditional_table,
    dispute_log_likelihood,
)
from riskengine.models import escalation

__all__ = [
    "NUM_MONTHS",
    "WRONG_PRIOR",
    "synthetic_covariates",
    "SbcResult",
    "scalar_parameters",
    "simulate_disputes",
    "run_sbc",
    "rank_uniformity",
]

NUM_MONTHS = 24
WRONG_PRIOR = {"step_cutpoint_first": 3.0, "coefficients": 1.0}


class SbcResult(NamedTuple):
    ranks: np.ndarray  # (replications, parameters) in 0..num_ranked
    names: list[str]
    num_ranked: int
    divergences: np.ndarray  # (replications,)


def scalar_parameters(params) -> tuple[list[str], np.ndarray]:
    """Flatten Params (leading axes kept) into named scalars ``field[i]``."""
    names, columns = [], []
    for field in escalation.Params._fields:
        value = np.asarray(getattr(params, field))
        trailing = value.shape[1:] if value.ndim else ()
        flat = (
            value.reshape(value.shape[0] if value.ndim else 1, -1)
            if trailing
            else value.reshape(-1, 1)
        )
        for index in range(flat.shape[1]):
            names.append(f"{field}[{index}]" if trailing else field)
            columns.append(flat[:, index])
    return names, np.stack(columns, axis=-1)


def simulate_disputes(rng_key, params, covariates, num_months: int = NUM_MONTHS):
    """Peak (1..4) and duration (1..num_months) of each dispute, exact model probabilities
    conditional on ``duration <= num_months`` (the fit uses the same truncation)."""
    table = jnp.exp(conditional_table(params, num_months))  # (D, G, 4)
    weights = jnp.exp(_log_resolve_weights(params, escalation.location(params, covariates, 0.0)))
    joint = jnp.einsum("ng,dgk->nkd", weights, table).reshape(covariates.shape[0], -1)
    cell = jax.random.categorical(rng_key, jnp.log(jnp.maximum(joint, 1e-30)))
    return cell // num_months + 1, cell % num_months + 1


def _model(disputes, prior_shift=None):
    """escalation.model with the data passed as (traced) arguments; optional wrong prior."""
    import numpyro

    if prior_shift is None:
        return escalation.model(disputes, log_likelihood_fn=_traced_log_likelihood)
    prior = escalation.priors()
    shifted = {
        name: numpyro.sample(name, _shift(prior[name], prior_shift.get(name))) for name in prior
    }
    params = _params_from_sites(shifted)
    numpyro.factor("disputes", jnp.sum(_traced_log_likelihood(params, disputes)))
    return params


def _shift(distribution, shift):
    if shift is None:
        return distribution
    return dist.TransformedDistribution(distribution, dist.transforms.AffineTransform(shift, 1.0))


def _params_from_sites(site):
    """Params from the sampled sites (ordered cut-points = first + cumulative gaps)."""
    onset = escalation._ordered(site["onset_cutpoint_first"], site["onset_cutpoint_gaps"])
    step = escalation._ordered(site["step_cutpoint_first"], site["step_cutpoint_gaps"])
    return escalation.Params(
        onset, step, site["level_effect"], site["coefficients"], site["resolve_scale"]
    )


def _traced_log_likelihood(params, disputes):
    """log P(peak, duration | duration <= NUM_MONTHS): the truncated data's likelihood."""
    covariates = disputes["covariates"]
    log_joint = dispute_log_likelihood(
        params,
        covariates,
        disputes["peak_level"],
        disputes["duration_months"],
        num_months=NUM_MONTHS,
    )
    within = jax.scipy.special.logsumexp(conditional_table(params, NUM_MONTHS), axis=(0, 2))
    log_weights = _log_resolve_weights(params, escalation.location(params, covariates, 0.0))
    return log_joint - jax.scipy.special.logsumexp(log_weights + within, axis=-1)


def synthetic_covariates(num_disputes: int = 40, seed: int = 7) -> np.ndarray:
    """A fixed design resembling the MID covariates (crisis_management = 0)."""
    rng = np.random.default_rng(seed)
    return np.column_stack(
        [
            np.log(rng.integers(1, 4, num_disputes)),
            np.log(rng.integers(1, 5, num_disputes)),
            rng.normal(0.0, 1.5, num_disputes),
            rng.random(num_disputes) < 0.1,
            rng.random(num_disputes) < 0.1,
            rng.random(num_disputes) < 0.45,
            np.zeros(num_disputes),
        ]
    ).astype(np.float32)


def run_sbc(
    rng_key,
    covariates,
    *,
    num_replications,
    num_warmup=200,
    num_samples=200,
    thin=10,
    prior_shift=None,
) -> SbcResult:
    """Run ``num_replications`` SBC replications; ``prior_shift`` fits with a wrong prior.

    ``prior_shift`` maps a prior site name to an additive shift of that prior (the
    negative control); the data are always simulated from the true prior.
    """
    covariates = jnp.asarray(covariates, jnp.float32)
    key_prior, key_data, key_fit = jax.random.split(rng_key, 3)
    truth = Predictive(escalation.model, num_samples=num_replications)(key_prior)
    true_params = escalation.params_from_draws(truth)
    kernel = NUTS(lambda disputes: _model(disputes, prior_shift), target_accept_prob=0.9)
    mcmc = MCMC(
        kernel,
        num_warmup=num_warmup,
        num_samples=num_samples,
        progress_bar=False,
        jit_model_args=True,
    )
    names, true_scalars = scalar_parameters(true_params)
    ranks, divergences = [], []
    for replication in range(num_replications):
        params = jax.tree.map(lambda value, r=replication: value[r], true_params)
        peak, duration = simulate_disputes(
            jax.random.fold_in(key_data, replication), params, covariates
        )
        disputes = {"covariates": covariates, "peak_level": peak, "duration_months": duration}
        mcmc.run(jax.random.fold_in(key_fit, replication), disputes, extra_fields=("diverging",))
        draws = (
            _params_from_sites(mcmc.get_samples())
            if prior_shift
            else escalation.params_from_draws(mcmc.get_samples())
        )
        _, posterior_scalars = scalar_parameters(draws)
        thinned = posterior_scalars[::thin][: num_samples // thin - 1]
        ranks.append(np.sum(thinned < true_scalars[replication], axis=0))
        divergences.append(int(np.sum(mcmc.get_extra_fields()["diverging"])))
    return SbcResult(np.array(ranks), names, num_samples // thin - 1, np.array(divergences))


def rank_uniformity(result: SbcResult, num_bins: int = 4) -> dict[str, float]:
    """Chi-square p-value of rank uniformity per parameter (``num_bins`` equal bins)."""
    edges = np.linspace(0, result.num_ranked + 1, num_bins + 1)
    p_values = {}
    for index, name in enumerate(result.names):
        counts, _ = np.histogram(result.ranks[:, index], bins=edges)
        p_values[name] = float(stats.chisquare(counts).pvalue)
    return p_values
