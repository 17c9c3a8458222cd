"""Simulation-based calibration (Talts et al. 2018) of the escalation model's fit.

One replication: draw ``theta ~ prior`` (``escalation.priors``), simulate a synthetic
data set of ``num_disputes`` disputes with fixed covariates from the exact model
probabilities truncated to durations up to ``NUM_MONTHS`` (and fitted with the same
truncated likelihood, so simulation and fit agree exactly), fit it with NUTS, and record the rank of each scalar parameter's true value among
``num_ranked`` thinned posterior draws. If fitting is correct, every rank is uniform on
``0..num_ranked``; :func:`rank_uniformity` tests this with a chi-square test per
parameter on equal-width rank bins. The negative control fits with a deliberately
mis-specified likelihood (``misspecified=True``: every peak read one level too high) and
must be rejected.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import MCMC, NUTS, Predictive

from riskengine.inference.sbc import rank_uniformity
from riskengine.inference.warm_start import laplace_warm_start
from riskengine.models.escalation import core as escalation
from riskengine.models.escalation.likelihood import (
    _log_resolve_weights,
    era_tables,
    table_log_likelihood,
)

__all__ = [
    "NUM_MONTHS",
    "synthetic_covariates",
    "SbcOptions",
    "SbcResult",
    "run_replication",
    "scalar_parameters",
    "simulate_disputes",
    "run_sbc",
    "rank_uniformity",
]

NUM_MONTHS = 24


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
    tables = jnp.exp(era_tables(params, num_months))  # (eras, D, G, 4)
    weights = jnp.exp(_log_resolve_weights(params, covariates))
    by_era = jnp.einsum("ng,edgk->enkd", weights, tables)
    era = escalation.era_index(covariates)
    joint = jnp.take_along_axis(by_era, era[None, :, None, None], axis=0)[0]
    joint = joint.reshape(covariates.shape[0], -1)
    cell = jax.random.categorical(rng_key, jnp.log(jnp.maximum(joint, 1e-30)))
    return cell // num_months + 1, cell % num_months + 1


def _model(disputes, misspecified=False):
    """escalation.model with the data as (traced) arguments; optionally mis-specified.

    The mis-specified likelihood reads every peak one level too high (war stays war): a
    recording error that biases the fit one way, so the ranks pile up at one end. (Negated
    covariates, the first control, bias slopes both ways; with 16 replications a U-shape
    cannot reach the Bonferroni threshold of a 4-bin chi-square test.)
    """
    if misspecified:
        disputes = {**disputes, "peak_level": jnp.minimum(disputes["peak_level"] + 1, 4)}
    return escalation.model(disputes, log_likelihood_fn=_traced_log_likelihood)


def _traced_log_likelihood(params, disputes):
    """log P(peak, duration | duration <= NUM_MONTHS): the truncated data's likelihood."""
    tables = era_tables(params, NUM_MONTHS)
    log_weights = _log_resolve_weights(params, disputes["covariates"])
    era = escalation.era_index(disputes["covariates"])
    log_joint = table_log_likelihood(
        tables, log_weights, disputes["peak_level"], disputes["duration_months"], era
    )
    within = jax.scipy.special.logsumexp(tables, axis=(1, 3))[era]  # (n, G)
    return log_joint - jax.scipy.special.logsumexp(log_weights + within, axis=-1)


def synthetic_covariates(num_disputes: int = 200, seed: int = 7) -> np.ndarray:
    """A fixed design resembling the MID covariates (crisis_management = 0; eras drawn
    with the MID disputes' era shares, about 14 / 15 / 42 / 29%; defence pacts on about
    60% of sides, each with an allied capability log1p(Exponential) ~ 0.5-3)."""
    rng = np.random.default_rng(seed)
    era = rng.choice(4, size=num_disputes, p=[0.14, 0.15, 0.42, 0.29])
    defender_pact = rng.random(num_disputes) < 0.6
    challenger_pact = rng.random(num_disputes) < 0.6
    return np.column_stack(
        [
            np.log(rng.integers(1, 4, num_disputes)),
            np.log(rng.integers(1, 5, num_disputes)),
            rng.normal(0.0, 1.5, num_disputes),
            defender_pact,
            defender_pact * np.log1p(rng.exponential(4.0, num_disputes)),
            challenger_pact,
            challenger_pact * np.log1p(rng.exponential(4.0, num_disputes)),
            rng.random(num_disputes) < 0.45,
            np.zeros(num_disputes),
            *(era == index for index in range(3)),
        ]
    ).astype(np.float32)


class SbcOptions(NamedTuple):
    """NUTS settings of one replication and whether it fits the mis-specified model."""

    num_warmup: int = 100
    num_samples: int = 160
    thin: int = 8
    misspecified: bool = False

    @property
    def num_ranked(self) -> int:
        return self.num_samples // self.thin - 1


@cache
def _sampler(options: SbcOptions) -> MCMC:
    """One MCMC object per process and options: its compiled sampler is reused."""

    def model(disputes):
        return _model(disputes, options.misspecified)

    kernel = NUTS(model, target_accept_prob=0.9, dense_mass=True)
    mcmc = MCMC(
        kernel,
        num_warmup=options.num_warmup,
        num_samples=options.num_samples,
        progress_bar=False,
        jit_model_args=True,
    )
    return mcmc


def _set_initial_metric(mcmc: MCMC, inverse_mass_matrix) -> None:
    """Start the next run's adaptation from this metric without recompiling.

    numpyro's ``HMC.init`` reads the kernel's initial inverse mass matrix on every run
    (it is state, not compiled code), but exposes it only as a constructor argument;
    building a kernel per data set would recompile the sampler (~15 s) each replication.
    """
    mcmc.sampler._inverse_mass_matrix = inverse_mass_matrix


_REPLICATIONS_PER_CLEAR = 16
_replications_run = 0


def _release_compiled_code() -> None:
    """Each replication compiles new code (model initialisation, warm start) that jax keeps;
    a worker process hit the kernel's 65,530 memory maps after ~60 replications (~1,000
    maps each). Dropping jax's caches every ``_REPLICATIONS_PER_CLEAR`` replications frees
    it, at the price of one recompilation of the sampler then."""
    global _replications_run
    _replications_run += 1
    if _replications_run % _REPLICATIONS_PER_CLEAR == 0:
        jax.clear_caches()


def run_replication(seed_words, covariates, replication: int, options: SbcOptions):
    """One SBC replication: ``(ranks (parameters,), divergences)``.

    Everything random derives from ``fold_in(key, replication)``, so a replication gives
    the same ranks whichever process runs it and however the replications are batched.
    ``seed_words`` is ``jax.random.key_data`` of the run's key (plain uint32, picklable).
    """
    key = jax.random.fold_in(jax.random.wrap_key_data(jnp.asarray(seed_words)), replication)
    key_truth, key_data, key_start, key_run = jax.random.split(key, 4)
    truth = Predictive(escalation.model, num_samples=1)(key_truth)
    params = jax.tree.map(lambda value: value[0], escalation.params_from_draws(truth))
    covariates = jnp.asarray(covariates, jnp.float32)
    peak, duration = simulate_disputes(key_data, params, covariates)
    disputes = {"covariates": covariates, "peak_level": peak, "duration_months": duration}
    mcmc = _sampler(options)
    start = laplace_warm_start(key_start, mcmc.sampler.model, num_chains=1, model_args=(disputes,))
    _set_initial_metric(mcmc, start.inverse_mass_matrix)
    init_params = jax.tree.map(lambda value: value[0], start.init_params)
    mcmc.run(key_run, disputes, extra_fields=("diverging",), init_params=init_params)
    _, posterior = scalar_parameters(escalation.params_from_draws(mcmc.get_samples()))
    divergences = int(np.sum(mcmc.get_extra_fields()["diverging"]))
    _release_compiled_code()
    _, true_scalars = scalar_parameters(jax.tree.map(lambda value: value[None], params))
    thinned = posterior[:: options.thin][: options.num_ranked]
    ranks = np.sum(thinned < true_scalars[0], axis=0)
    return ranks, divergences


def _replications(seed_words, covariates, replications, options):
    return [run_replication(seed_words, covariates, r, options) for r in replications]


def run_sbc(
    rng_key,
    covariates,
    *,
    num_replications: int,
    mapper=None,
    num_batches: int = 1,
    **options,
) -> SbcResult:
    """Run ``num_replications`` SBC replications (``options``: see :class:`SbcOptions`).

    ``misspecified=True`` fits every data set (always simulated from the true model)
    with every peak read one level too high: the negative control. ``mapper(function, *iterables)``
    runs the ``num_batches`` batches of replications, e.g. ``map`` (the default) or a
    dask client's ``map`` followed by ``gather``; the ranks do not depend on either.
    """
    options = SbcOptions(**options)
    seed_words = np.asarray(jax.random.key_data(rng_key))
    covariates = np.asarray(covariates, np.float32)
    batches = np.array_split(np.arange(num_replications), num_batches)
    results = list(
        (mapper or map)(
            _replications,
            [seed_words] * num_batches,
            [covariates] * num_batches,
            [batch.tolist() for batch in batches],
            [options] * num_batches,
        )
    )
    ranks, divergences = zip(*(item for batch in results for item in batch), strict=True)
    names, _ = scalar_parameters(
        escalation.params_from_draws(Predictive(escalation.model, num_samples=1)(jax.random.key(0)))
    )
    return SbcResult(np.array(ranks), names, options.num_ranked, np.array(divergences))
