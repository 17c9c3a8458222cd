"""Fit the joining model to COW MID with NUTS and store the posterior (an arviz DataTree).

``fit_joining`` runs numpyro's NUTS on :func:`core.model` over the case-control sample
of candidates (:func:`riskengine.models.joining.data.case_control_sample`: every joiner
and committed candidate, 5% of the others, with the sampling offset in the likelihood),
from a Laplace warm start with a dense mass matrix (12 parameters: cheap, and
capability, era and intercept are correlated). The DataTree's ``posterior`` holds the
``core.Params`` fields with named dims (``joining_covariate``, ``joining_level``);
diagnostics against the project's floors and provenance go into the root attributes.

``fit_command`` is the body of ``riskengine fit joining``: posterior.nc and, with
``ppc``, ppc.json (:mod:`riskengine.models.joining.checks`) in ``fitted/``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

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
from riskengine.models.joining import core
from riskengine.models.joining.data import COVARIATE_NAMES
from riskengine.versions import package_versions

__all__ = [
    "FIT_DEFAULTS",
    "FITTED_DIR",
    "POSTERIOR_PATH",
    "PPC_PATH",
    "fit_command",
    "fit_joining",
    "posterior_params",
]

FITTED_DIR = Path(__file__).resolve().parent / "fitted"
POSTERIOR_PATH = FITTED_DIR / "posterior.nc"
PPC_PATH = FITTED_DIR / "ppc.json"
# The shipped posterior's settings: `riskengine fit joining` with no options refits it.
FIT_DEFAULTS = {"seed": 20261202, "num_chains": 4, "num_warmup": 500, "num_samples": 500}
NOTES = (
    "Level effects: MID gives joining by dispute, not by month, so the fit treats every "
    "month of a dispute as spent at its peak level; the level effects are associations "
    "with the peak. level_effects[threat]: no joiner in the 14,446 threat-peak candidate "
    "rows, so it rests on its prior's lower tail."
)


def _arrays(sample) -> dict:
    from riskengine.models.joining.data import candidate_arrays

    arrays = candidate_arrays(sample)
    types = {"covariates": jnp.float32, "sampling_log_fraction": jnp.float32}
    return {name: jnp.asarray(value, types.get(name, jnp.int32)) for name, value in arrays.items()}


def posterior_params(tree: xr.DataTree, num_draws: int | None = None) -> core.Params:
    """``core.Params`` with one leading axis of draws, evenly thinned to ``num_draws``."""
    posterior = tree["posterior"].to_dataset()
    flat = {
        name: np.asarray(posterior[name].values).reshape(-1, *posterior[name].shape[2:])
        for name in core.Params._fields
    }
    index = np.arange(len(flat["intercept"]))
    if num_draws is not None and num_draws < len(index):
        index = np.linspace(0, len(index) - 1, num_draws).round().astype(int)
    return core.params_from_draws({name: value[index] for name, value in flat.items()})


def _attribute(value):
    return value if isinstance(value, str | int | float) else json.dumps(value, default=str)


def fit_joining(rng_key, sample, *, provenance: dict | None = None, **nuts_options):
    """Fit on a case-control ``sample`` frame; return ``(tree, report)`` with the
    diagnostics, whether they meet ``DIAGNOSTIC_FLOORS`` (``passed``) and
    ``fit_seconds``. ``nuts_options`` go to ``run_model_nuts``."""
    arrays = _arrays(sample)
    options = {"target_accept_prob": 0.9, "dense_mass": True} | nuts_options
    started = time.perf_counter()
    mcmc = run_model_nuts(rng_key, core.model, model_args=(arrays,), **options)
    jax.block_until_ready(mcmc.get_samples(group_by_chain=True))
    fit_seconds = time.perf_counter() - started
    tree = posterior_tree(mcmc, core.PARAMETER_DIMS, core.PARAMETER_COORDS)
    report = diagnostics(tree)
    attributes = {
        "model": "joining",
        "fit_seconds": round(fit_seconds, 1),
        "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "num_rows": len(sample),
        "num_joined": int(sample["joined"].sum()),
        "control_fraction": sample.attrs.get("control_fraction", 1.0),
        "package_versions": package_versions(),
        "diagnostics": report,
        "diagnostic_floors": DIAGNOSTIC_FLOORS,
        "covariate_ranges": covariate_ranges(arrays["covariates"], COVARIATE_NAMES),
        "units": "logit of the monthly joining probability",
        "notes": NOTES,
        "nuts": {key: value for key, value in options.items() if key != "progress_bar"},
        **(provenance or {}),
    }
    tree.attrs.update({key: _attribute(value) for key, value in attributes.items()})
    return tree, {**report, "fit_seconds": fit_seconds}


def _load(data):
    from riskengine.models.joining import data as joining_data

    candidates = joining_data.load_candidates(data)
    sample = joining_data.case_control_sample(candidates)
    return candidates, sample, joining_data.data_provenance(data)


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
    """Fit the joining model and write ``out`` (default: the shipped ``POSTERIOR_PATH``).

    ``data`` is the shared data directory (None: RISKENGINE_DATA_DIR). Returns 0 when the
    floors are met (and, with ``ppc``, every PPC row is inside its 90% interval), 1 when
    the fit ran but a floor or a PPC row missed (files still written), 2 on bad input.
    """
    problem = check_counts(num_chains, num_warmup, num_samples, chain_method)
    if problem is None and columns is not None:
        problem = f"--columns: got {columns!r}; allowed: nothing (joining reads COW MID only)"
    if problem:
        print(f"fit joining: {problem}", file=sys.stderr)
        return 2
    try:
        candidates, sample, data_provenance = _load(data)
    except RiskEngineError as error:
        print(f"fit joining: {error}", file=sys.stderr)
        return 2
    counts = {k: v for k, v in candidates.attrs.items() if k != "data_dir"}
    tree, report = fit_joining(
        jax.random.key(seed),
        sample,
        provenance=command_provenance(data_provenance, seed, data_counts=counts),
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        chain_method=chain_method,
        progress_bar=sys.stderr.isatty(),
    )
    check = None
    if ppc:
        from riskengine.models.joining.checks import posterior_predictive_check

        def check(tree):
            return posterior_predictive_check(jax.random.key(seed + 1), tree, candidates)

    return write_fit(tree, report, Path(out) if out else POSTERIOR_PATH, check)
