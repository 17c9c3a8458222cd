"""Fit the onset model to directed dyad-years with NUTS and store the posterior.

The shipped fit uses **every** directed dyad-year 1816-2014 (1.84 million rows,
``CONTROL_FRACTION = 1``). A case-control sample (every onset, a share ``f`` of the other
dyad-years, with King & Zeng's offset ``-log f``; :func:`riskengine.models.onset.data.
case_control_sample`) recovers the population intercept when the logit is right, and it
is ten times cheaper; but its first fit (f = 0.05) failed the posterior predictive check
on the full data: it predicted 22% more onsets than observed overall, 80% more before
1914 and 37% more among contiguous pairs and rivals (``docs/validation/onset-notes.md``).
The offset corrects the intercept only for a correctly specified logit; on the full
data the fit's score equations make the predicted onsets match the observed ones in every
group an indicator covariate defines (era, contiguity, pacts, rivalry, democracy), so the
check cannot fail for the reason it did. ``sample_arrays`` keeps the case-control route
for researchers who want it.

``fit_command`` is the body of ``riskengine fit onset``. The posterior predictive check
(``--ppc``) runs on the full dyad-years, not on the sample.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from numpyro.infer import MCMC

from riskengine.errors import RiskEngineError
from riskengine.inference.fit import (
    DIAGNOSTIC_FLOORS,
    check_counts,
    command_provenance,
    covariate_ranges,
    diagnostics,
    posterior_tree,
    run_model_nuts,
    write_fit,
)
from riskengine.models.onset import core
from riskengine.versions import package_versions

__all__ = [
    "CONTROL_FRACTION",
    "FIT_DEFAULTS",
    "fit_command",
    "fit_onset",
    "posterior_params",
    "run_nuts",
    "sample_arrays",
]

FITTED_DIR = Path(__file__).resolve().parent / "fitted"
POSTERIOR_PATH = FITTED_DIR / "posterior.nc"
CONTROL_FRACTION = 1.0  # every dyad-year (see the module docstring)
DEFAULT_SEED = 20261130
FIT_DEFAULTS = {"seed": DEFAULT_SEED, "num_chains": 4, "num_warmup": 400, "num_samples": 400}
SAMPLE_STATS = {
    "diverging": ("diverging", 1),
    "num_steps": ("n_steps", 1),
    "potential_energy": ("lp", -1),
    "accept_prob": ("acceptance_rate", 1),
}


def sample_arrays(frame, *, control_fraction: float = CONTROL_FRACTION, seed: int) -> dict:
    """The model's arrays of ``frame`` (the full dyad-years), or of a case-control sample
    of it when ``control_fraction`` < 1."""
    from riskengine.models.onset.data import case_control_sample, onset_arrays

    if control_fraction >= 1:
        return onset_arrays(frame)  # every dyad-year: no sample to draw, no offset
    sample = case_control_sample(frame, control_fraction=control_fraction, rng_seed=seed)
    return onset_arrays(sample)


def run_nuts(
    rng_key,
    arrays: dict,
    *,
    num_chains: int = 4,
    num_warmup: int = 500,
    num_samples: int = 500,
    chain_method: str = "parallel",
    target_accept_prob: float = 0.85,
    progress_bar: bool = False,
) -> MCMC:
    """NUTS on ``core.model`` from the Laplace warm start, with the dense metric there
    (the peace-years cubic's three terms are strongly correlated)."""
    return run_model_nuts(
        rng_key,
        core.model,
        model_args=(
            jnp.asarray(arrays["covariates"], jnp.float32),
            jnp.asarray(arrays["onset"], jnp.int32),
            _offset(arrays["offset"]),
        ),
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        chain_method=chain_method,
        target_accept_prob=target_accept_prob,
        dense_mass=True,
        progress_bar=progress_bar,
        extra_fields=tuple(SAMPLE_STATS),
    )


def _offset(offset):
    """The case-control offset, or None when it is 0 everywhere (a full-data fit): no
    1.84-million-row add in every gradient."""
    offset = np.asarray(offset, np.float32)
    return jnp.asarray(offset) if np.any(offset) else None


def fit_onset(rng_key, arrays: dict, *, provenance: dict | None = None, **nuts_options):
    """Fit, then return ``(tree, report)`` with provenance and diagnostics in the attributes."""
    started = time.perf_counter()
    mcmc = run_nuts(rng_key, arrays, **nuts_options)
    jax.block_until_ready(mcmc.get_samples(group_by_chain=True))
    fit_seconds = time.perf_counter() - started
    tree = posterior_tree(
        mcmc,
        core.PARAMETER_DIMS,
        {"onset_covariate": core.COVARIATE_NAMES},
        sample_stats=SAMPLE_STATS,
    )
    report = diagnostics(tree)
    onset = np.asarray(arrays["onset"])
    attributes = {
        "model": "onset",
        "fit_seconds": round(fit_seconds, 1),
        "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "num_rows": int(onset.size),
        "num_onsets": int(onset.sum()),
        "package_versions": package_versions(),
        "diagnostics": report,
        "diagnostic_floors": DIAGNOSTIC_FLOORS,
        "covariate_ranges": covariate_ranges(arrays["covariates"], core.COVARIATE_NAMES),
        "units": "logit of the yearly probability that the challenger initiates a dispute",
        "nuts": {key: value for key, value in nuts_options.items() if key != "progress_bar"},
        **(provenance or {}),
    }
    tree.attrs.update({key: _attribute(value) for key, value in attributes.items()})
    return tree, {**report, "fit_seconds": fit_seconds}


def _attribute(value):
    import json

    return value if isinstance(value, str | int | float) else json.dumps(value, default=str)


def posterior_params(tree: xr.DataTree, num_draws: int | None = None) -> core.Params:
    """``core.Params`` with one leading axis of draws, evenly thinned to ``num_draws``."""
    posterior = tree["posterior"].to_dataset()
    flat = {
        name: np.asarray(posterior[name].values).reshape(-1, *posterior[name].shape[2:])
        for name in core.Params._fields
    }
    index = np.arange(len(flat["intercept"]))
    if num_draws is not None and num_draws < index.size:
        index = np.linspace(0, index.size - 1, num_draws).round().astype(int)
    return core.params_from_draws({name: value[index] for name, value in flat.items()})


def fit_command(
    data,
    out,
    seed: int,
    num_chains: int,
    num_warmup: int,
    num_samples: int,
    ppc: bool,
    chain_method: str = "parallel",
    *,
    columns=None,
) -> int:
    """Fit the onset model and write ``out`` (default: the shipped posterior).

    Returns 0 when the floors are met (and, with ``ppc``, the required predictive rows
    are inside), 1 when the fit ran but missed one (files still written), 2 on bad input
    or data (one message on stderr).
    """
    problem = check_counts(num_chains, num_warmup, num_samples, chain_method)
    if columns is not None:
        problem = f"--columns: got {columns!r}; allowed: nothing (the onset model reads only the shared data)"
    if problem:
        print(f"fit onset: {problem}", file=sys.stderr)
        return 2
    from riskengine.models.onset import data as onset_data

    try:
        frame = onset_data.load_dyad_years(data)
        provenance = onset_data.data_provenance(data)
    except RiskEngineError as error:
        print(f"fit onset: {error}", file=sys.stderr)
        return 2
    arrays = sample_arrays(frame, seed=seed)
    provenance = command_provenance(
        provenance, seed, sample={"control_fraction": CONTROL_FRACTION, "sample_seed": seed}
    )
    tree, report = fit_onset(
        jax.random.key(seed),
        arrays,
        provenance=provenance,
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        chain_method=chain_method,
        progress_bar=sys.stderr.isatty(),
    )
    check = None
    if ppc:
        from riskengine.models.onset.checks import posterior_predictive_check

        def check(tree):
            return posterior_predictive_check(jax.random.key(seed + 1), tree, frame)

    return write_fit(tree, report, Path(out) if out else POSTERIOR_PATH, check)
