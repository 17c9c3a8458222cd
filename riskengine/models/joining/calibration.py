"""Simulation-based calibration (Talts et al. 2018) of the joining model's fit.

The design is fixed: ``num_rows`` real candidate rows drawn from the case-control sample
(:func:`design_from_sample`), each with its covariates, its dispute's peak level and
duration, and the sample's offset ``sampling_log_fraction`` (see
:mod:`riskengine.models.joining.data`). One replication: draw ``theta ~ prior``
(``core.priors``), simulate the joined flags of the design rows from the model's own
likelihood (:func:`simulate_joined`: Bernoulli with logit ``logit P(joined over the
duration at the peak) - sampling_log_fraction``, exactly what ``core.log_likelihood``
scores), fit them with short NUTS from a Laplace warm start, and record the rank of
each of the 13 scalar parameters' true value among the thinned posterior draws and
whether it lies in the central 90% interval (recovery). The model-free parts (batches,
sampler, ranks, uniformity test, coverage) are :mod:`riskengine.inference.sbc`'s.

The negative control (``misspecified=True``) simulates with every duration doubled but
fits with the true ones: a state exposed twice as long looks, to the fit, like one with
a higher monthly hazard, so the intercept (about ``log 2`` too high where hazards are
small) and the level effects absorb the difference, and their ranks pile up at the
bottom; the test must reject.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import Predictive

from riskengine.inference import sbc
from riskengine.models.joining import core
from riskengine.models.joining.data import COVARIATE_NAMES

__all__ = [
    "CONTROL_DURATION_FACTOR",
    "Design",
    "design_from_sample",
    "simulate_joined",
    "scalar_parameters",
    "parameter_names",
    "run_replication",
    "run_sbc",
]

CONTROL_DURATION_FACTOR = 2  # the negative control simulates with durations doubled


class Design(NamedTuple):
    """Fixed candidate rows of an SBC data set (numpy): covariates (rows, 9) float32,
    peak_level and duration_months (rows,) int32, sampling_log_fraction (rows,) float32."""

    covariates: np.ndarray
    peak_level: np.ndarray
    duration_months: np.ndarray
    sampling_log_fraction: np.ndarray

    def candidates(self, joined) -> dict:
        """The mapping ``core.model`` reads, with ``joined`` flags (jax arrays)."""
        return {
            "covariates": jnp.asarray(self.covariates, jnp.float32),
            "peak_level": jnp.asarray(self.peak_level, jnp.int32),
            "duration_months": jnp.asarray(self.duration_months, jnp.int32),
            "sampling_log_fraction": jnp.asarray(self.sampling_log_fraction, jnp.float32),
            "joined": jnp.asarray(joined, jnp.int32),
        }


def design_from_sample(sample, num_rows: int = 4000, seed: int = 7) -> Design:
    """``num_rows`` rows drawn without replacement from a case-control sample
    (``data.case_control_sample``), with their offsets; ``seed`` picks the rows."""
    from riskengine.models.joining.data import candidate_arrays

    arrays = candidate_arrays(sample)
    size = arrays["joined"].size
    if num_rows > size:
        raise ValueError(f"design_from_sample: {num_rows} rows asked, the sample has {size}")
    rows = np.sort(np.random.default_rng(seed).choice(size, num_rows, replace=False))
    return Design(*(arrays[name][rows] for name in Design._fields))


def simulate_joined(rng_key, params: core.Params, design: Design, duration_factor: int = 1):
    """Joined flags (int32 0/1) of the design rows from the likelihood the fit scores:
    Bernoulli with logit ``log P(joined) - log P(not joined) - sampling_log_fraction``
    over ``duration_factor`` times each row's duration."""
    candidates = design.candidates(jnp.zeros(len(design.peak_level), jnp.int32))
    joined_log, not_joined_log = core.log_probability_joined(
        params,
        candidates["covariates"],
        candidates["peak_level"],
        duration_factor * candidates["duration_months"],
    )
    logit = joined_log - not_joined_log - candidates["sampling_log_fraction"]
    return (jax.random.uniform(rng_key, logit.shape) < jax.nn.sigmoid(logit)).astype(jnp.int32)


def scalar_parameters(params: core.Params) -> tuple[list[str], np.ndarray]:
    """Flatten ``Params`` with one leading draw axis into named scalars:
    ``(names, (draws, 13))``: ``intercept``, ``coefficients[<covariate>]``,
    ``level_effects[<level>]``."""
    intercept = np.asarray(params.intercept).reshape(-1, 1)
    draws = intercept.shape[0]
    coefficients = np.asarray(params.coefficients).reshape(draws, -1)
    level_effects = np.asarray(params.level_effects).reshape(draws, -1)
    names = [
        "intercept",
        *(f"coefficients[{name}]" for name in COVARIATE_NAMES),
        *(f"level_effects[{name}]" for name in core.LEVEL_EFFECT_NAMES),
    ]
    return names, np.concatenate([intercept, coefficients, level_effects], axis=-1)


def parameter_names() -> list[str]:
    """Names of the scalar parameters ranked by SBC (``scalar_parameters`` order)."""
    zeros = core.Params(
        np.zeros(1), np.zeros((1, core.NUM_COVARIATES)), np.zeros((1, len(core.LEVEL_EFFECT_NAMES)))
    )
    return scalar_parameters(zeros)[0]


def _fitted_model(candidates, *, misspecified: bool):
    """``core.model`` on the true durations: in the negative control only the simulation
    is wrong (durations multiplied by ``CONTROL_DURATION_FACTOR``)."""
    del misspecified
    return core.model(candidates)


def run_replication(seed_words, design: Design, replication: int, options: sbc.SbcOptions):
    """One SBC replication: ``(ranks (13,), divergences, inside_90 (13,))``.

    ``seed_words`` is ``jax.random.key_data`` of the run's key (plain uint32, picklable).
    """
    key = sbc.replication_key(seed_words, replication)
    key_truth, key_data, key_start, key_run = jax.random.split(key, 4)
    truth = core.params_from_draws(Predictive(core.model, num_samples=1)(key_truth))
    params = jax.tree.map(lambda value: value[0], truth)
    factor = CONTROL_DURATION_FACTOR if options.misspecified else 1
    candidates = design.candidates(simulate_joined(key_data, params, design, factor))
    mcmc = sbc.nuts_sampler(_fitted_model, options)
    samples, divergences = sbc.warm_started_draws(mcmc, key_start, key_run, (candidates,))
    _, posterior = scalar_parameters(core.params_from_draws(samples))
    _, true_scalars = scalar_parameters(truth)
    ranks, inside = sbc.ranks_and_coverage(posterior, true_scalars[0], options)
    return ranks, divergences, inside


def run_sbc(rng_key, design: Design, **options) -> sbc.SbcResult:
    """``num_replications`` replications on ``design`` (see
    :func:`riskengine.inference.sbc.run_sbc` for ``mapper``, ``num_batches`` and the
    ``SbcOptions``; rank tests and coverage are :mod:`riskengine.inference.sbc`'s)."""
    return sbc.run_sbc(run_replication, parameter_names(), rng_key, design, **options)
