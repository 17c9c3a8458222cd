"""Simulation-based calibration (Talts et al. 2018) of the onset model's fit.

The design is fixed: ``num_rows`` rows of real covariates drawn from a case-control
sample of the dyad-years (:func:`design_from_sample`), each with the sample's offset
``-log f`` (King & Zeng's prior correction, see :mod:`riskengine.models.onset.core`).
One replication: draw ``theta ~ prior`` (``core.priors``), simulate the onsets of the
design rows as Bernoulli with logit ``yearly_logit + offset`` (exactly the likelihood
``core.model`` fits), fit them with short NUTS from a Laplace warm start (its inverse
Hessian at the mode kept as the metric, only the step size adapted, as in the sanctions
SBC), and record the rank of each scalar parameter's true value among ``num_ranked``
thinned posterior draws, and whether the truth lies in the posterior's central 90%
interval (recovery: over replications, each parameter's coverage should be near 0.9).
If the fit is correct every rank is uniform on ``0..num_ranked``;
:func:`rank_uniformity` tests this with a chi-square test per parameter on equal-width
rank bins. The model-free parts (batches, sampler, ranks, tests) are
:mod:`riskengine.inference.sbc`'s.

The negative control fits with a deliberately wrong offset (``misspecified=True``: the
offset left out, the mistake the prior correction exists to prevent): the fitted
intercept then absorbs ``-log f`` (3 logits at f = 5%), its true value falls below
almost every posterior draw, and the test must reject.

Everything random in a replication derives from ``fold_in(key, replication)``, so its
ranks do not depend on which process runs it or with which others; the drivers
(``tests/statistical/test_onset_calibration.py``, ``validate``) spread batches over a
dask cluster through a ``mapper``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import Predictive

from riskengine.inference import sbc
from riskengine.inference.sbc import (
    SbcOptions,
    SbcResult,
    coverage,
    nuts_sampler,
    rank_uniformity,
    ranks_and_coverage,
    replication_key,
    warm_started_draws,
)
from riskengine.models.onset import core

__all__ = [
    "Design",
    "design_from_sample",
    "simulate_onsets",
    "scalar_parameters",
    "parameter_names",
    "SbcOptions",
    "SbcResult",
    "run_replication",
    "run_sbc",
    "rank_uniformity",
    "coverage",
]


class Design(NamedTuple):
    """Fixed covariates (rows, 18) and offsets (rows,) of an SBC data set (numpy)."""

    covariates: np.ndarray
    offset: np.ndarray


def design_from_sample(sample, num_rows: int = 4000, seed: int = 7) -> Design:
    """``num_rows`` rows drawn without replacement from a case-control sample
    (``data.case_control_sample``), with their offsets; ``seed`` picks the rows."""
    from riskengine.models.onset.data import onset_arrays

    arrays = onset_arrays(sample)
    if num_rows > arrays["onset"].size:
        raise ValueError(
            f"design_from_sample: {num_rows} rows asked, the sample has {arrays['onset'].size}"
        )
    rows = np.sort(
        np.random.default_rng(seed).choice(arrays["onset"].size, num_rows, replace=False)
    )
    return Design(arrays["covariates"][rows], arrays["offset"][rows])


def simulate_onsets(rng_key, params: core.Params, design: Design) -> jnp.ndarray:
    """Onsets (int32 0/1) of the design rows: Bernoulli with logit ``yearly_logit + offset``."""
    logits = core.yearly_logit(params, jnp.asarray(design.covariates)) + jnp.asarray(design.offset)
    return (jax.random.uniform(rng_key, logits.shape) < jax.nn.sigmoid(logits)).astype(jnp.int32)


def scalar_parameters(params: core.Params) -> tuple[list[str], np.ndarray]:
    """Flatten ``Params`` with one leading draw axis into named scalars:
    ``(names, (draws, 19))``: ``intercept`` then ``coefficients[<covariate name>]``."""
    intercept = np.asarray(params.intercept).reshape(-1, 1)
    coefficients = np.asarray(params.coefficients).reshape(intercept.shape[0], -1)
    names = ["intercept", *(f"coefficients[{name}]" for name in core.COVARIATE_NAMES)]
    return names, np.concatenate([intercept, coefficients], axis=-1)


def parameter_names() -> list[str]:
    """Names of the scalar parameters ranked by SBC (``scalar_parameters`` order)."""
    return scalar_parameters(core.Params(np.zeros(1), np.zeros((1, len(core.COVARIATE_NAMES)))))[0]


def _fitted_model(covariates, onset, offset, *, misspecified: bool):
    """``core.model``; mis-specified: the case-control offset left out."""
    return core.model(covariates, onset, jnp.zeros_like(offset) if misspecified else offset)


def run_replication(seed_words, design: Design, replication: int, options: SbcOptions):
    """One SBC replication: ``(ranks (19,), divergences, inside_90 (19,))``.

    ``seed_words`` is ``jax.random.key_data`` of the run's key (plain uint32, picklable).
    """
    key = replication_key(seed_words, replication)
    key_truth, key_data, key_start, key_run = jax.random.split(key, 4)
    truth = core.params_from_draws(Predictive(core.model, num_samples=1)(key_truth))
    params = jax.tree.map(lambda value: value[0], truth)
    covariates = jnp.asarray(design.covariates, jnp.float32)
    offset = jnp.asarray(design.offset, jnp.float32)
    onset = simulate_onsets(key_data, params, Design(covariates, offset))
    mcmc = nuts_sampler(_fitted_model, options)
    samples, divergences = warm_started_draws(mcmc, key_start, key_run, (covariates, onset, offset))
    _, posterior = scalar_parameters(core.params_from_draws(samples))
    _, true_scalars = scalar_parameters(truth)
    ranks, inside = ranks_and_coverage(posterior, true_scalars[0], options)
    return ranks, divergences, inside


def run_sbc(rng_key, design: Design, **options) -> SbcResult:
    """``num_replications`` replications on ``design`` (see
    :func:`riskengine.inference.sbc.run_sbc` for ``mapper``, ``num_batches`` and the
    :class:`SbcOptions`)."""
    return sbc.run_sbc(run_replication, parameter_names(), rng_key, design, **options)
