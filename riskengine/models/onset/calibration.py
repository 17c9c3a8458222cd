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
rank bins.

The negative control fits with a deliberately wrong offset (``misspecified=True``: the
offset left out, the mistake the prior correction exists to prevent): the fitted
intercept then absorbs ``-log f`` (3 logits at f = 5%), its true value falls below
almost every posterior draw, and the test must reject.

Everything random in a replication derives from ``fold_in(key, replication)``, so its
ranks do not depend on which process runs it or with which others; the drivers
(``tests/statistical/test_onset_calibration.py``, ``validate``) spread batches over a
dask cluster through a ``mapper``; this module never imports dask.
"""

from __future__ import annotations

from functools import cache, partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import MCMC, NUTS, Predictive

from riskengine.inference.warm_start import laplace_warm_start
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


class SbcResult(NamedTuple):
    ranks: np.ndarray  # (replications, parameters) in 0..num_ranked
    names: list[str]
    num_ranked: int
    divergences: np.ndarray  # (replications,)
    inside_90: np.ndarray  # (replications, parameters): truth in the central 90% interval


class SbcOptions(NamedTuple):
    """NUTS settings of one replication and the negative-control switch."""

    num_warmup: int = 150
    num_samples: int = 400
    thin: int = 20
    misspecified: bool = False
    adapt_mass_matrix: bool = False

    @property
    def num_ranked(self) -> int:
        """Thinned draws ranked against the truth: ranks take ``num_ranked + 1`` values
        (20 with the defaults, so 4 rank bins hold 5 values each)."""
        return self.num_samples // self.thin - 1


def _fitted_model(covariates, onset, offset, *, misspecified: bool):
    """``core.model``; mis-specified: the case-control offset left out."""
    return core.model(covariates, onset, jnp.zeros_like(offset) if misspecified else offset)


@cache
def _sampler(options: SbcOptions) -> MCMC:
    """One MCMC object per process and options: its compiled sampler is reused."""
    model = partial(_fitted_model, misspecified=options.misspecified)
    kernel = NUTS(
        model, target_accept_prob=0.9, dense_mass=True, adapt_mass_matrix=options.adapt_mass_matrix
    )
    return MCMC(
        kernel,
        num_warmup=options.num_warmup,
        num_samples=options.num_samples,
        progress_bar=False,
        jit_model_args=True,
    )


def _set_initial_metric(mcmc: MCMC, inverse_mass_matrix) -> None:
    """Start the next run from this metric without recompiling (the sanctions and
    escalation SBCs' trick: numpyro reads the kernel's initial inverse mass matrix on
    every run but takes it only as a constructor argument)."""
    mcmc.sampler._inverse_mass_matrix = inverse_mass_matrix


def run_replication(seed_words, design: Design, replication: int, options: SbcOptions):
    """One SBC replication: ``(ranks (19,), divergences, inside_90 (19,))``.

    ``seed_words`` is ``jax.random.key_data`` of the run's key (plain uint32, picklable).
    """
    key = jax.random.fold_in(jax.random.wrap_key_data(jnp.asarray(seed_words)), replication)
    key_truth, key_data, key_start, key_run = jax.random.split(key, 4)
    truth = core.params_from_draws(Predictive(core.model, num_samples=1)(key_truth))
    params = jax.tree.map(lambda value: value[0], truth)
    covariates = jnp.asarray(design.covariates, jnp.float32)
    offset = jnp.asarray(design.offset, jnp.float32)
    onset = simulate_onsets(key_data, params, Design(covariates, offset))
    mcmc = _sampler(options)
    args = (covariates, onset, offset)
    start = laplace_warm_start(key_start, mcmc.sampler.model, num_chains=1, model_args=args)
    _set_initial_metric(mcmc, start.inverse_mass_matrix)
    init_params = jax.tree.map(lambda value: value[0], start.init_params)
    mcmc.run(key_run, *args, extra_fields=("diverging",), init_params=init_params)
    _, posterior = scalar_parameters(core.params_from_draws(mcmc.get_samples()))
    divergences = int(np.sum(mcmc.get_extra_fields()["diverging"]))
    _, true_scalars = scalar_parameters(truth)
    thinned = posterior[options.thin - 1 :: options.thin][: options.num_ranked]
    ranks = np.sum(thinned < true_scalars[0], axis=0)
    lower, upper = np.quantile(posterior, [0.05, 0.95], axis=0)
    inside = (lower <= true_scalars[0]) & (true_scalars[0] <= upper)
    return ranks, divergences, inside


def _replications(seed_words, design, replications, options):
    return [run_replication(seed_words, design, r, options) for r in replications]


def run_sbc(
    rng_key, design: Design, *, num_replications: int, mapper=None, num_batches: int = 1, **options
) -> SbcResult:
    """Run ``num_replications`` replications (``options``: see :class:`SbcOptions`).

    ``mapper(function, *iterables)`` runs the ``num_batches`` batches, e.g. ``map`` (the
    default) or ``riskengine.ensemble.cluster.Execution.map``; the ranks depend on neither.
    """
    options = SbcOptions(**options)
    seed_words = np.asarray(jax.random.key_data(rng_key))
    design = Design(*(np.asarray(value) for value in design))
    batches = [b.tolist() for b in np.array_split(np.arange(num_replications), num_batches)]
    batches = [batch for batch in batches if batch]
    results = list(
        (mapper or map)(
            _replications,
            [seed_words] * len(batches),
            [design] * len(batches),
            batches,
            [options] * len(batches),
        )
    )
    ranks, divergences, inside = zip(*(item for batch in results for item in batch), strict=True)
    return SbcResult(
        np.array(ranks),
        parameter_names(),
        options.num_ranked,
        np.array(divergences),
        np.array(inside),
    )


def rank_uniformity(result: SbcResult, num_bins: int = 4) -> dict[str, float]:
    """Chi-square p-value of rank uniformity per parameter (``num_bins`` equal-width bins
    over the ``num_ranked + 1`` possible ranks)."""
    from scipy import stats

    edges = np.linspace(0, result.num_ranked + 1, num_bins + 1)
    p_values = {}
    for index, name in enumerate(result.names):
        counts, _ = np.histogram(result.ranks[:, index], bins=edges)
        p_values[name] = float(stats.chisquare(counts).pvalue)
    return p_values


def coverage(result: SbcResult) -> dict[str, float]:
    """Share of replications whose true value lies in the central 90% posterior interval,
    per parameter (about 0.9 with a calibrated fit; binomial sd 0.3 / sqrt(replications))."""
    return {name: float(result.inside_90[:, i].mean()) for i, name in enumerate(result.names)}
