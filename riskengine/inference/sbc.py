"""Simulation-based calibration (Talts et al. 2018) for any model: the parts that do not
depend on the model.

A model's calibration module supplies one replication, ``replication(seed_words, data,
r, options) -> (ranks, divergences, inside_90)``, a module-level function (so that a
dask worker can unpickle it): it draws the truth from the prior, simulates data from the
model's own likelihood, fits them with :func:`warm_started_draws` on the sampler of
:func:`nuts_sampler` and ranks the truth with :func:`ranks_and_coverage`. This module
spreads the replications over batches (:func:`run_sbc`), tests the ranks for uniformity
(:func:`rank_uniformity`), measures the 90% interval coverage (:func:`coverage`) and
sums up a correct run and its negative control (:func:`sbc_summary`).

Everything random in a replication derives from ``fold_in(key, replication)``
(:func:`replication_key`), so its ranks do not depend on which process runs it or with
which others; the drivers spread batches over a dask cluster through a ``mapper``; this
module never imports dask.
"""

from __future__ import annotations

from functools import cache, partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import MCMC, NUTS

from riskengine.inference.warm_start import laplace_warm_start

__all__ = [
    "SbcOptions",
    "SbcResult",
    "coverage",
    "nuts_sampler",
    "rank_uniformity",
    "ranks_and_coverage",
    "replication_key",
    "run_sbc",
    "sbc_summary",
    "warm_started_draws",
]


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


class SbcResult(NamedTuple):
    ranks: np.ndarray  # (replications, parameters) in 0..num_ranked
    names: list[str]
    num_ranked: int
    divergences: np.ndarray  # (replications,)
    inside_90: np.ndarray  # (replications, parameters): truth in the central 90% interval


def replication_key(seed_words, replication: int):
    """The key of one replication from the run's ``jax.random.key_data`` words."""
    return jax.random.fold_in(jax.random.wrap_key_data(jnp.asarray(seed_words)), replication)


@cache
def nuts_sampler(fitted_model, options: SbcOptions) -> MCMC:
    """One MCMC object per process, model and options: its compiled sampler is reused.

    ``fitted_model(*args, misspecified)`` is a module-level function (hashable);
    ``options.misspecified`` is bound to it.
    """
    model = partial(fitted_model, misspecified=options.misspecified)
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


def warm_started_draws(mcmc: MCMC, key_start, key_run, args: tuple) -> tuple[dict, int]:
    """Short NUTS on ``args`` from a Laplace warm start (its inverse Hessian at the mode
    kept as the metric, only the step size adapted unless the options adapt the mass
    matrix): ``(samples, number of divergent transitions)``."""
    start = laplace_warm_start(key_start, mcmc.sampler.model, num_chains=1, model_args=args)
    _set_initial_metric(mcmc, start.inverse_mass_matrix)
    init_params = jax.tree.map(lambda value: value[0], start.init_params)
    mcmc.run(key_run, *args, extra_fields=("diverging",), init_params=init_params)
    return mcmc.get_samples(), int(np.sum(mcmc.get_extra_fields()["diverging"]))


def ranks_and_coverage(posterior, truth, options: SbcOptions) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each scalar ``truth`` (k,) among the ``num_ranked`` thinned draws of
    ``posterior`` (draws, k), and whether it lies in the central 90% interval of all
    the draws."""
    posterior = np.asarray(posterior)
    truth = np.asarray(truth)
    thinned = posterior[options.thin - 1 :: options.thin][: options.num_ranked]
    ranks = np.sum(thinned < truth, axis=0)
    lower, upper = np.quantile(posterior, [0.05, 0.95], axis=0)
    return ranks, (lower <= truth) & (truth <= upper)


def _replications(replication, seed_words, data, replications, options):
    return [replication(seed_words, data, r, options) for r in replications]


def run_sbc(
    replication,
    names: list[str],
    rng_key,
    design,
    *,
    num_replications: int,
    mapper=None,
    num_batches: int = 1,
    **options,
) -> SbcResult:
    """Run ``num_replications`` replications of a model's ``replication`` on ``design``
    (a NamedTuple of arrays, sent as numpy) with ``SbcOptions(**options)``; ``names``
    are the scalar parameters its ranks list.

    ``mapper(function, *iterables)`` runs the ``num_batches`` batches, e.g. ``map`` (the
    default) or ``riskengine.ensemble.cluster.Execution.map``; the ranks depend on neither.
    """
    options = SbcOptions(**options)
    design = type(design)(*(np.asarray(value) for value in design))
    seed_words = np.asarray(jax.random.key_data(rng_key))
    batches = [b.tolist() for b in np.array_split(np.arange(num_replications), num_batches)]
    batches = [batch for batch in batches if batch]
    count = len(batches)
    results = list(
        (mapper or map)(
            _replications,
            [replication] * count,
            [seed_words] * count,
            [design] * count,
            batches,
            [options] * count,
        )
    )
    ranks, divergences, inside = zip(*(item for batch in results for item in batch), strict=True)
    return SbcResult(
        np.array(ranks), list(names), options.num_ranked, np.array(divergences), np.array(inside)
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


def sbc_summary(correct: SbcResult, control: SbcResult, family_alpha: float) -> dict:
    """A correct run and its negative control against a Bonferroni threshold
    (``family_alpha`` over the parameters): ``passed`` when no parameter of the correct
    run is rejected, the control is, and the mean 90% coverage is within 0.05 of 0.9."""
    p_correct, p_control = rank_uniformity(correct), rank_uniformity(control)
    threshold = family_alpha / len(p_correct)
    covered = coverage(correct)
    mean_coverage = float(np.mean(list(covered.values())))
    uniform = min(p_correct.values()) >= threshold
    rejected = min(p_control.values()) < threshold
    return {
        "num_replications": int(correct.ranks.shape[0]),
        "num_control_replications": int(control.ranks.shape[0]),
        "p_values": p_correct,
        "control_p_values": p_control,
        "min_p": min(p_correct.values()),
        "control_min_p": min(p_control.values()),
        "threshold": threshold,
        "coverage_90": covered,
        "mean_coverage_90": mean_coverage,
        "min_coverage_90": min(covered.values()),
        "divergent_replications": int(sum(correct.divergences > 0)),
        "uniform": bool(uniform),
        "control_rejected": bool(rejected),
        "passed": bool(uniform and rejected and abs(mean_coverage - 0.9) < 0.05),
    }
