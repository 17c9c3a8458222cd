"""Fit the sanctions model to TIES with NUTS and store the posterior (an arviz DataTree).

``fit_sanctions`` runs numpyro's NUTS on :func:`core.model` with the exact case
likelihood, from a Laplace warm start (``riskengine.inference.warm_start``: the mode and
its inverse Hessian as the first dense metric), and returns a DataTree whose ``posterior``
holds every ``core.Params`` field with named dims (``sanction_covariate``, ``issue``,
``sanction_era``, ``outcome_cutpoint``, ``cost_cutpoint``) and whose ``sample_stats`` holds
NUTS's statistics; diagnostics (R-hat, bulk and tail ESS, divergences, against the
project's floors) and provenance go into the root attributes.

``fit_command`` is the body of ``riskengine fit sanctions`` (``scripts/fit_sanctions.sh``
refits the shipped posterior). Parallel chains need one XLA host device per chain, set
before jax's backend starts: the CLI does it first thing.
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
from numpyro.infer import MCMC

from riskengine.errors import RiskEngineError
from riskengine.inference.fit import (
    DIAGNOSTIC_FLOORS,
    check_counts,
    command_provenance,
    covariate_ranges,
    diagnostics,
    run_model_nuts,
    write_fit,
)
from riskengine.inference.fit import posterior_tree as generic_posterior_tree
from riskengine.models.sanctions import core
from riskengine.models.sanctions.coding import COVARIATE_NAMES
from riskengine.versions import package_versions

__all__ = [
    "FITTED_DIR",
    "POSTERIOR_PATH",
    "PPC_PATH",
    "CASE_FIELDS",
    "model_cases",
    "run_nuts",
    "posterior_tree",
    "posterior_params",
    "fit_sanctions",
    "fit_command",
]

FITTED_DIR = Path(__file__).resolve().parent / "fitted"
POSTERIOR_PATH = FITTED_DIR / "posterior.nc"
PPC_PATH = FITTED_DIR / "ppc.json"
# Shipped settings (scripts/fit_sanctions.sh): 4 chains x (500 warmup + 500 draws).
DEFAULT_SEED = 20261201
DEFAULT_WARMUP = 500
DEFAULT_SAMPLES = 500
CASE_FIELDS = (
    "covariates",
    "issue",
    "era",
    "duration_months",
    "outcome",
    "target_cost",
    "sender_cost",
)
NOTES = (
    "sender_cost_*: about 26 of 508 TIES cases with a coded sender cost are above minor "
    "(1 severe), so the sender-cost slopes and second cut-point rest largely on their "
    "priors. era_scale: three eras identify it weakly; it rests largely on its prior."
)
# numpyro extra field -> (arviz name, sign): lp is the log density, minus the potential.
SAMPLE_STATS = {
    "diverging": ("diverging", 1),
    "num_steps": ("n_steps", 1),
    "potential_energy": ("lp", -1),
    "accept_prob": ("acceptance_rate", 1),
}


def model_cases(cases) -> dict:
    """The arrays the likelihood reads (``CASE_FIELDS``, plus ``ended`` when given), typed."""
    types = {"covariates": jnp.float32}
    selected = {name: jnp.asarray(cases[name], types.get(name, jnp.int32)) for name in CASE_FIELDS}
    if "ended" in cases:
        selected["ended"] = jnp.asarray(cases["ended"], bool)
    return selected


def run_nuts(
    rng_key,
    cases,
    *,
    num_chains: int = 4,
    num_warmup: int = DEFAULT_WARMUP,
    num_samples: int = DEFAULT_SAMPLES,
    chain_method: str = "parallel",
    target_accept_prob: float = 0.8,
    dense_mass: bool = False,
    adapt_mass_matrix: bool = True,
    progress_bar: bool = False,
) -> MCMC:
    """NUTS on ``core.model`` with the case likelihood; returns the MCMC object.

    Chains start from over-dispersed draws around the posterior mode (Laplace warm start,
    :func:`riskengine.inference.fit.run_model_nuts`) with a diagonal mass matrix adapted in
    warmup. A dense matrix (the Laplace inverse Hessian, adapted) was tried first: on the
    TIES cases it gave the same effective draws per draw but trees about three times
    longer, so three times fewer effective draws per second (``benchmarks/
    sanctions_nuts.py``: 2.3 vs 7.1 bulk ESS/s, same run). The cases are split into blocks of similar
    duration (``core.split_by_duration``): the same likelihood, computed faster.
    """
    blocks, num_months = core.split_by_duration(model_cases(cases))
    return run_model_nuts(
        rng_key,
        core.model,
        model_args=([model_cases(block) for block in blocks],),
        model_kwargs={"num_months": num_months},
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        chain_method=chain_method,
        target_accept_prob=target_accept_prob,
        dense_mass=dense_mass,
        adapt_mass_matrix=adapt_mass_matrix,
        progress_bar=progress_bar,
        extra_fields=tuple(SAMPLE_STATS),
    )


def posterior_tree(mcmc: MCMC) -> xr.DataTree:
    """DataTree with ``posterior`` (``core.Params`` fields, named dims) and ``sample_stats``
    (arviz names: ``diverging``, ``n_steps``, ``lp``, ``acceptance_rate``)."""
    return generic_posterior_tree(
        mcmc, core.PARAMETER_DIMS, core.PARAMETER_COORDS, sample_stats=SAMPLE_STATS
    )


def posterior_params(tree: xr.DataTree, num_draws: int | None = None) -> core.Params:
    """``core.Params`` with one leading axis of (chain x draw) draws, evenly thinned to
    ``num_draws`` when given."""
    posterior = tree["posterior"].to_dataset()
    flat = {
        name: np.asarray(posterior[name].values).reshape(-1, *posterior[name].shape[2:])
        for name in core.Params._fields
    }
    available = len(flat["hazard_intercept"])
    index = np.arange(available)
    if num_draws is not None and num_draws < available:
        index = np.linspace(0, available - 1, num_draws).round().astype(int)
    return core.params_from_draws({name: value[index] for name, value in flat.items()})


def _attribute(value):
    """NetCDF attributes are str / numbers: nested values are stored as JSON text."""
    return value if isinstance(value, str | int | float) else json.dumps(value, default=str)


def fit_sanctions(rng_key, cases, *, provenance: dict | None = None, **nuts_options):
    """Fit, then return ``(tree, report)``; ``tree.attrs`` carry provenance and diagnostics.

    ``cases`` is ``data.case_arrays(...)`` (or any mapping with ``CASE_FIELDS``);
    ``provenance`` (data files' sha256, seed, command) is merged into the attributes;
    ``nuts_options`` go to :func:`run_nuts` (``num_chains``, ``num_warmup``,
    ``num_samples``, ``chain_method``, ...). ``report`` holds the diagnostics, whether
    they meet ``DIAGNOSTIC_FLOORS`` (``passed``) and ``fit_seconds``.
    """
    started = time.perf_counter()
    mcmc = run_nuts(rng_key, cases, **nuts_options)
    # parallel chains return before their draws are computed (jax dispatch is async)
    jax.block_until_ready(mcmc.get_samples(group_by_chain=True))
    fit_seconds = time.perf_counter() - started
    tree = posterior_tree(mcmc)
    report = diagnostics(tree)
    attributes = {
        "model": "sanctions",
        "fit_seconds": round(fit_seconds, 1),
        "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "num_cases": len(np.asarray(cases["outcome"])),
        "package_versions": package_versions(),
        "diagnostics": report,
        "diagnostic_floors": DIAGNOSTIC_FLOORS,
        "covariate_ranges": covariate_ranges(cases["covariates"], COVARIATE_NAMES),
        "units": "hazard: logit of the monthly ending probability; outcome and costs: "
        "ordered-logit scale",
        "notes": NOTES,
        "nuts": {key: value for key, value in nuts_options.items() if key != "progress_bar"},
        **(provenance or {}),
    }
    tree.attrs.update({key: _attribute(value) for key, value in attributes.items()})
    return tree, {**report, "fit_seconds": fit_seconds}


def _load(data_dir, data_csv, columns):
    """``(arrays, provenance)`` from TIES or a researcher's case table; raises
    RiskEngineError (a DataError naming the file, field and value) on bad data."""
    from riskengine.data.paths import file_sha256
    from riskengine.models.sanctions import data
    from riskengine.models.sanctions.case_table import load_case_table

    if data_csv is not None:
        frame = load_case_table(data_csv, columns)
        sources = {
            "case_table": str(data_csv),
            "case_table_sha256": file_sha256(data_csv),
            "columns_map": str(columns),
            "columns_map_sha256": file_sha256(columns),
        }
        return data.case_arrays(frame), sources
    return data.case_arrays(data.load_cases(data_dir)), data.data_provenance(data_dir)


# The shipped posterior's settings: `riskengine fit sanctions` with no options refits it.
FIT_DEFAULTS = {
    "seed": DEFAULT_SEED,
    "num_chains": 4,
    "num_warmup": DEFAULT_WARMUP,
    "num_samples": DEFAULT_SAMPLES,
}


def _data_arguments(data, columns) -> tuple:
    """``(data_dir, data_csv)`` from ``--data`` and ``--columns``: a case-table CSV
    needs a columns map; a directory (or nothing) means TIES from the shared data."""
    from riskengine.errors import UsageError

    if columns is not None and data is None:
        raise UsageError(
            f"--columns: got {columns!r} without --data; allowed: --data CASES.csv "
            "--columns MAP.yaml (your own case table), or neither (TIES)"
        )
    if data is not None and Path(data).is_file():
        if columns is None:
            raise UsageError(
                f"--data: got the file {data!r} without --columns; allowed: a case-table "
                "CSV with --columns MAP.yaml, or the shared data directory"
            )
        return None, data
    if columns is not None:
        raise UsageError(
            f"--data: got {data!r}, not a file; allowed with --columns: a case-table CSV"
        )
    return data, None


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
    """Fit the sanctions model and write ``out`` (default: the shipped ``POSTERIOR_PATH``).

    ``data`` is the shared data directory (TIES with COW trade, ATOP, V-Dem), or a
    researcher's case-table CSV read with the YAML ``columns`` map. Loads, fits,
    writes the posterior atomically, prints an arviz summary and, with ``ppc``, writes
    the posterior predictive table beside it (``ppc.json``). Returns 0 when the floors
    are met (and the required PPC rows are inside), 1 when the fit ran but a floor or a
    required PPC row missed (files still written), 2 on bad input or data (one message
    on stderr).
    """
    problem = check_counts(num_chains, num_warmup, num_samples, chain_method)
    if problem:
        print(f"fit sanctions: {problem}", file=sys.stderr)
        return 2
    data_dir, data_csv = _data_arguments(data, columns)
    try:
        arrays, data_provenance = _load(data_dir, data_csv, columns)
    except RiskEngineError as error:
        print(f"fit sanctions: {error}", file=sys.stderr)
        return 2
    tree, report = fit_sanctions(
        jax.random.key(seed),
        arrays,
        provenance=command_provenance(data_provenance, seed),
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        chain_method=chain_method,
        progress_bar=sys.stderr.isatty(),
    )
    check = None
    if ppc:
        from riskengine.models.sanctions.checks import posterior_predictive_check

        def check(tree):
            return posterior_predictive_check(jax.random.key(seed + 1), tree, arrays)

    return write_fit(tree, report, Path(out) if out else POSTERIOR_PATH, check)
