"""Simulation-based calibration (Talts et al. 2018) of the sanctions model's fit.

One replication: draw ``theta ~ prior`` (``core.priors``), simulate a case set with
``core.simulate`` (fixed covariates, issues and eras: the real TIES ones when given, or
synthetic ones of the same shape) for up to ``num_months`` months, cases still running
then being right-censored there (the likelihood's ``ended = False``: simulation and fit
agree exactly), fit it with short NUTS from a Laplace warm start (its inverse Hessian
at the mode kept as the metric, only the step size adapted: with 150 warmup iterations,
dense adaptation from a few dozen draws made trees of ~700 leapfrog steps and a
replication on 540 cases took 60-100 s instead of ~4 s), and record the rank of
each scalar parameter's true value among ``num_ranked`` thinned posterior draws. If the
fit is correct every rank is uniform on ``0..num_ranked``; :func:`rank_uniformity` tests
this with a chi-square test per parameter on equal-width rank bins.

The negative control fits with a deliberately wrong likelihood (``misspecified=True``:
every ended case's outcome read one category higher, acquiescence staying
acquiescence), a one-sided coding error that pushes the outcome cut-points down, so
their true values pile up above the posterior draws and the test must reject.

Everything random in a replication derives from ``fold_in(key, replication)``, so its
ranks do not depend on which process runs it or with which others: the drivers
(``tests/statistical/test_sanctions_calibration.py``, ``validate``) spread batches over
a dask cluster through a ``mapper``; this module never imports dask.
"""

from __future__ import annotations

from functools import cache, partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import MCMC, NUTS, Predictive
from scipy import stats

from riskengine.inference.warm_start import laplace_warm_start
from riskengine.models.sanctions import core
from riskengine.models.sanctions.coding import ERA_NAMES, ISSUE_NAMES

__all__ = [
    "NUM_MONTHS",
    "synthetic_inputs",
    "inputs_from_cases",
    "simulate_cases",
    "scalar_parameters",
    "SbcOptions",
    "SbcResult",
    "run_replication",
    "run_sbc",
    "rank_uniformity",
]

NUM_MONTHS = 120  # simulation horizon of an SBC data set; later ends are censored here


def synthetic_inputs(num_cases: int = 540, seed: int = 7) -> core.Inputs:
    """A fixed design resembling TIES's imposed cases (numpy arrays): 31% multilateral,
    15% institutional senders, trade shares mostly small, 20% defence pacts, democracy
    spread over 0-1, 10% total embargoes, 45% trade restrictions; issue and era shares
    near TIES's."""
    rng = np.random.default_rng(seed)
    senders = np.where(rng.random(num_cases) < 0.31, rng.integers(2, 6, num_cases), 1)
    covariates = np.column_stack(
        [
            np.log(senders),
            rng.random(num_cases) < 0.15,
            rng.beta(1.0, 6.0, num_cases),
            rng.random(num_cases) < 0.2,
            rng.beta(1.2, 1.5, num_cases),
            rng.random(num_cases) < 0.1,
            rng.random(num_cases) < 0.45,
        ]
    ).astype(np.float32)
    issue = rng.choice(len(ISSUE_NAMES), num_cases, p=[0.25, 0.3, 0.2, 0.15, 0.1])
    era = rng.choice(len(ERA_NAMES), num_cases, p=[0.2, 0.35, 0.45])
    return core.Inputs(covariates, issue.astype(np.int32), era.astype(np.int32))


def inputs_from_cases(cases) -> core.Inputs:
    """The covariates, issues and eras of a case set (e.g. ``data.case_arrays``)."""
    return core.Inputs(
        np.asarray(cases["covariates"], np.float32),
        np.asarray(cases["issue"], np.int32),
        np.asarray(cases["era"], np.int32),
    )


def simulate_cases(rng_key, params: core.Params, inputs: core.Inputs, num_months: int) -> dict:
    """A case set drawn with ``core.simulate`` (one key per case), censored at ``num_months``:
    unended cases get ``duration_months = num_months``, ``ended = False``, outcome 0 (unused)."""
    keys = jax.random.split(rng_key, np.shape(inputs.issue)[0])
    inputs = core.Inputs(*(jnp.asarray(value) for value in inputs))
    result = jax.vmap(lambda key, case: core.simulate(key, params, case, num_months=num_months))(
        keys, inputs
    )
    ended = result.end_month > 0
    return {
        "covariates": inputs.covariates,
        "issue": inputs.issue,
        "era": inputs.era,
        "duration_months": jnp.where(ended, result.end_month, num_months),
        "ended": ended,
        "outcome": jnp.maximum(result.outcome, 0),
        "target_cost": result.target_cost,
        "sender_cost": result.sender_cost,
    }


def scalar_parameters(params: core.Params) -> tuple[list[str], np.ndarray]:
    """Flatten ``Params`` with one leading draw axis into named scalars ``field[i]``:
    ``(names, (draws, scalars))``."""
    names, columns = [], []
    for field in core.Params._fields:
        value = np.asarray(getattr(params, field))
        flat = value.reshape(value.shape[0], -1)
        for index in range(flat.shape[1]):
            names.append(f"{field}[{index}]" if value.ndim > 1 else field)
            columns.append(flat[:, index])
    return names, np.stack(columns, axis=-1)


class SbcResult(NamedTuple):
    ranks: np.ndarray  # (replications, parameters) in 0..num_ranked
    names: list[str]
    num_ranked: int
    divergences: np.ndarray  # (replications,)


class SbcOptions(NamedTuple):
    """NUTS settings of one replication, the data horizon and the negative-control switch."""

    num_warmup: int = 150
    num_samples: int = 200
    thin: int = 10
    num_months: int = NUM_MONTHS
    misspecified: bool = False
    adapt_mass_matrix: bool = False

    @property
    def num_ranked(self) -> int:
        """Thinned draws ranked against the truth: ranks take ``num_ranked + 1`` values
        (20 with the defaults, so 4 rank bins hold 5 values each)."""
        return self.num_samples // self.thin - 1


def _fitted_model(cases, *, num_months: int, misspecified: bool):
    """``core.model`` on (traced) cases; mis-specified: ended outcomes read one category up."""
    if misspecified:
        cases = {**cases, "outcome": jnp.minimum(cases["outcome"] + 1, 2)}
    return core.model(cases, num_months=num_months)


@cache
def _sampler(options: SbcOptions) -> MCMC:
    """One MCMC object per process and options: its compiled sampler is reused."""
    model = partial(_fitted_model, num_months=options.num_months, misspecified=options.misspecified)
    kernel = NUTS(
        model,
        target_accept_prob=0.9,
        dense_mass=True,
        adapt_mass_matrix=options.adapt_mass_matrix,
    )
    return MCMC(
        kernel,
        num_warmup=options.num_warmup,
        num_samples=options.num_samples,
        progress_bar=False,
        jit_model_args=True,
    )


def _set_initial_metric(mcmc: MCMC, inverse_mass_matrix) -> None:
    """Start the next run's adaptation from this metric without recompiling: numpyro
    reads the kernel's initial inverse mass matrix on every run (state, not compiled
    code) but takes it only as a constructor argument, and a kernel per data set would
    recompile the sampler each replication (the escalation SBC's trick)."""
    mcmc.sampler._inverse_mass_matrix = inverse_mass_matrix


_REPLICATIONS_PER_CLEAR = 16
_replications_run = 0


def _release_compiled_code() -> None:
    """Each replication compiles a little new code that jax keeps; a long-lived worker
    once hit the kernel's memory-map limit (escalation SBC). Clear jax's caches every
    ``_REPLICATIONS_PER_CLEAR`` replications (one recompilation of the sampler then)."""
    global _replications_run
    _replications_run += 1
    if _replications_run % _REPLICATIONS_PER_CLEAR == 0:
        jax.clear_caches()
        _sampler.cache_clear()


def run_replication(seed_words, inputs, replication: int, options: SbcOptions):
    """One SBC replication: ``(ranks (parameters,), divergences)``.

    ``seed_words`` is ``jax.random.key_data`` of the run's key (plain uint32, picklable);
    ``inputs`` a ``core.Inputs`` of numpy arrays.
    """
    key = jax.random.fold_in(jax.random.wrap_key_data(jnp.asarray(seed_words)), replication)
    key_truth, key_data, key_start, key_run = jax.random.split(key, 4)
    truth = Predictive(core.model, num_samples=1)(key_truth)
    params = jax.tree.map(lambda value: value[0], core.params_from_draws(truth))
    cases = simulate_cases(key_data, params, core.Inputs(*inputs), options.num_months)
    mcmc = _sampler(options)
    start = laplace_warm_start(key_start, mcmc.sampler.model, num_chains=1, model_args=(cases,))
    _set_initial_metric(mcmc, start.inverse_mass_matrix)
    init_params = jax.tree.map(lambda value: value[0], start.init_params)
    mcmc.run(key_run, cases, extra_fields=("diverging",), init_params=init_params)
    _, posterior = scalar_parameters(core.params_from_draws(mcmc.get_samples()))
    divergences = int(np.sum(mcmc.get_extra_fields()["diverging"]))
    _release_compiled_code()
    _, true_scalars = scalar_parameters(jax.tree.map(lambda value: value[None], params))
    thinned = posterior[options.thin - 1 :: options.thin][: options.num_ranked]
    ranks = np.sum(thinned < true_scalars[0], axis=0)
    return ranks, divergences


def _replications(seed_words, inputs, replications, options):
    return [run_replication(seed_words, inputs, r, options) for r in replications]


def parameter_names() -> list[str]:
    """Names of the scalar parameters ranked by SBC (``scalar_parameters`` order)."""
    params = core.params_from_draws(Predictive(core.model, num_samples=1)(jax.random.key(0)))
    return scalar_parameters(params)[0]


def run_sbc(
    rng_key,
    inputs: core.Inputs,
    *,
    num_replications: int,
    mapper=None,
    num_batches: int = 1,
    **options,
) -> SbcResult:
    """Run ``num_replications`` replications (``options``: see :class:`SbcOptions`).

    ``mapper(function, *iterables)`` runs the ``num_batches`` batches, e.g. ``map`` (the
    default) or ``riskengine.ensemble.cluster.Execution.map``; the ranks depend on neither.
    """
    options = SbcOptions(**options)
    seed_words = np.asarray(jax.random.key_data(rng_key))
    inputs = core.Inputs(*(np.asarray(value) for value in inputs))
    batches = [b.tolist() for b in np.array_split(np.arange(num_replications), num_batches)]
    batches = [batch for batch in batches if batch]
    results = list(
        (mapper or map)(
            _replications,
            [seed_words] * len(batches),
            [inputs] * len(batches),
            batches,
            [options] * len(batches),
        )
    )
    ranks, divergences = zip(*(item for batch in results for item in batch), strict=True)
    return SbcResult(np.array(ranks), parameter_names(), options.num_ranked, np.array(divergences))


def rank_uniformity(result: SbcResult, num_bins: int = 4) -> dict[str, float]:
    """Chi-square p-value of rank uniformity per parameter (``num_bins`` equal-width bins
    over the ``num_ranked + 1`` possible ranks)."""
    edges = np.linspace(0, result.num_ranked + 1, num_bins + 1)
    p_values = {}
    for index, name in enumerate(result.names):
        counts, _ = np.histogram(result.ranks[:, index], bins=edges)
        p_values[name] = float(stats.chisquare(counts).pvalue)
    return p_values
