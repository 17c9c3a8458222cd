"""Model-agnostic fitting machinery: NUTS with a Laplace warm start, the posterior as an
arviz DataTree, convergence diagnostics against fixed floors, and the posterior file.

``run_model_nuts`` runs numpyro's NUTS on any numpyro model (``num_chains`` chains,
``chain_method="parallel"``: the caller must have called
``numpyro.set_host_device_count(num_chains)`` before jax was imported, else numpyro runs
the chains one after another). ``posterior_tree`` turns the run into an arviz DataTree
whose ``posterior`` group holds the model's parameters with the dims and coords the
caller gives, and whose ``sample_stats`` holds NUTS's statistics; ``diagnostics``
(R-hat, bulk and tail ESS, divergences) and ``write_posterior`` work on any such tree.
Each model's own fit (e.g. :mod:`riskengine.models.escalation.fit`) calls these.
"""

from __future__ import annotations

import json
from pathlib import Path

import arviz as az
import jax
import numpy as np
import xarray as xr
from numpyro.infer import MCMC, NUTS

from riskengine.inference.warm_start import laplace_warm_start

__all__ = [
    "DIAGNOSTIC_FLOORS",
    "run_model_nuts",
    "posterior_tree",
    "diagnostics",
    "covariate_ranges",
    "write_posterior",
    "check_counts",
    "ppc_path_for",
    "write_json_atomically",
    "command_provenance",
    "write_fit",
]

DIAGNOSTIC_FLOORS = {
    "max_rhat": 1.01,
    "min_ess_bulk": 400.0,
    "min_ess_tail": 400.0,
    "divergences": 0,
}


def run_model_nuts(
    rng_key,
    model_fn,
    *,
    model_args=(),
    model_kwargs=None,
    num_chains=4,
    num_warmup=500,
    num_samples=500,
    chain_method="parallel",
    target_accept_prob=0.9,
    dense_mass=True,
    adapt_mass_matrix=True,
    progress_bar=False,
    extra_fields=("num_steps", "diverging", "potential_energy"),
) -> MCMC:
    """Run NUTS on the numpyro model ``model_fn(*model_args, **model_kwargs)``.

    Chains start from the Laplace warm start of :mod:`riskengine.inference.warm_start`
    (mode and, with ``dense_mass``, the inverse Hessian there as the initial dense mass
    matrix). ``chain_method="parallel"`` falls back to ``"sequential"`` when there are
    fewer XLA devices than chains. Returns the MCMC object after its run.
    """
    model_kwargs = model_kwargs or {}
    key_start, key_run = jax.random.split(rng_key)
    start = laplace_warm_start(
        key_start,
        model_fn,
        num_chains=num_chains,
        model_args=model_args,
        model_kwargs=model_kwargs,
    )
    kernel = NUTS(
        model_fn,
        target_accept_prob=target_accept_prob,
        dense_mass=dense_mass,
        inverse_mass_matrix=start.inverse_mass_matrix if dense_mass else None,
        adapt_mass_matrix=adapt_mass_matrix,
    )
    if chain_method == "parallel" and jax.local_device_count() < num_chains:
        chain_method = "sequential"
    mcmc = MCMC(
        kernel,
        num_warmup=num_warmup,
        num_samples=num_samples,
        num_chains=num_chains,
        chain_method=chain_method,
        progress_bar=progress_bar,
    )
    init_params = (
        start.init_params if num_chains > 1 else jax.tree.map(lambda v: v[0], start.init_params)
    )
    mcmc.run(
        key_run,
        *model_args,
        extra_fields=extra_fields,
        init_params=init_params,
        **model_kwargs,
    )
    return mcmc


# numpyro extra field -> (arviz name, sign): lp is the log density, minus the potential.
SAMPLE_STATS = {
    "diverging": ("diverging", 1),
    "num_steps": ("n_steps", 1),
    "potential_energy": ("lp", -1),
}


def _signed(values: np.ndarray, sign: int) -> np.ndarray:
    return -values if sign < 0 else values  # keeps diverging boolean


def posterior_tree(
    mcmc: MCMC,
    parameter_dims: dict[str, tuple[str, ...]],
    parameter_coords: dict[str, tuple],
    sample_stats: dict[str, tuple[str, int]] | None = None,
) -> xr.DataTree:
    """DataTree with ``posterior`` and ``sample_stats`` groups from a NUTS run.

    ``posterior`` holds one variable per ``parameter_dims`` entry (site name -> its dims
    after ``chain`` and ``draw``), with coordinates ``parameter_coords`` (dim -> values),
    e.g. an ``EnsembleModel``'s ``parameter_dims`` and ``parameter_coords``.

    Built from the chain-grouped samples directly (arviz's own numpyro converter re-traces
    the model to infer dims, which failed with numpyro 0.20 after a full fit).
    ``sample_stats`` uses arviz's names: ``diverging``, ``n_steps`` and ``lp`` (the
    log density, i.e. minus numpyro's potential energy); ``sample_stats`` (numpyro extra
    field -> (arviz name, sign)) defaults to :data:`SAMPLE_STATS`.
    """
    sample_stats = SAMPLE_STATS if sample_stats is None else sample_stats
    samples = mcmc.get_samples(group_by_chain=True)
    posterior = xr.Dataset(
        {
            name: (("chain", "draw", *dims), np.asarray(samples[name]))
            for name, dims in parameter_dims.items()
        },
        coords={name: list(values) for name, values in parameter_coords.items()},
    )
    extra = mcmc.get_extra_fields(group_by_chain=True)
    statistics = xr.Dataset(
        {
            arviz_name: (("chain", "draw"), _signed(np.asarray(extra[name]), sign))
            for name, (arviz_name, sign) in sample_stats.items()
            if name in extra
        }
    )
    for dataset in (posterior, statistics):
        dataset.coords["chain"] = np.arange(dataset.sizes["chain"])
        dataset.coords["draw"] = np.arange(dataset.sizes["draw"])
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": statistics})


def diagnostics(tree: xr.DataTree) -> dict:
    """Max R-hat, min bulk/tail ESS over every scalar parameter, and the divergence count."""
    posterior = tree["posterior"].to_dataset()
    rhat = az.rhat(posterior)
    ess_bulk = az.ess(posterior, method="bulk")
    ess_tail = az.ess(posterior, method="tail")
    divergences = int(np.sum(tree["sample_stats"].to_dataset()["diverging"].values))

    def extreme(dataset, reducer):
        return float(reducer([reducer(dataset[name].values) for name in dataset.data_vars]))

    result = {
        "max_rhat": extreme(rhat, np.max),
        "min_ess_bulk": extreme(ess_bulk, np.min),
        "min_ess_tail": extreme(ess_tail, np.min),
        "divergences": divergences,
    }
    result["passed"] = bool(
        result["max_rhat"] <= DIAGNOSTIC_FLOORS["max_rhat"]
        and result["min_ess_bulk"] >= DIAGNOSTIC_FLOORS["min_ess_bulk"]
        and result["min_ess_tail"] >= DIAGNOSTIC_FLOORS["min_ess_tail"]
        and divergences == DIAGNOSTIC_FLOORS["divergences"]
    )
    return result


def covariate_ranges(covariates: np.ndarray, names) -> dict[str, list[float]]:
    """Covariate name -> [min, max] over the fitted rows; ``covariates`` is (rows, names)."""
    covariates = np.asarray(covariates, np.float64)
    return {
        name: [float(covariates[:, index].min()), float(covariates[:, index].max())]
        for index, name in enumerate(names)
    }


def _attribute(value):
    """NetCDF attributes are str / numbers: nested values are stored as JSON text."""
    return value if isinstance(value, str | int | float) else json.dumps(value, default=str)


def write_posterior(tree: xr.DataTree, path) -> None:
    """Write the tree as NetCDF (h5netcdf) atomically, float32 draws to keep it small."""
    posterior = tree["posterior"].to_dataset()
    posterior = posterior.assign(
        {name: posterior[name].astype(np.float32) for name in posterior.data_vars}
    )
    small = xr.DataTree.from_dict(
        {"posterior": posterior, "sample_stats": tree["sample_stats"].to_dataset()}
    )
    small.attrs.update(tree.attrs)
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        small.to_netcdf(partial, engine="h5netcdf")
        partial.replace(path)  # atomic: a reader never sees a half-written posterior
    finally:
        partial.unlink(missing_ok=True)


def print_fit_summary(tree: xr.DataTree, report: dict) -> None:
    """Print arviz's summary of a fitted posterior and one line of its diagnostics."""
    print(az.summary(tree["posterior"].to_dataset(), kind="all").to_string())
    print(
        f"fit {report['fit_seconds']:.0f} s; max R-hat {report['max_rhat']:.4f}; min ESS bulk "
        f"{report['min_ess_bulk']:.0f}, tail {report['min_ess_tail']:.0f}; divergences "
        f"{report['divergences']}; floors {'met' if report['passed'] else 'NOT met'}"
    )


def check_counts(num_chains, num_warmup, num_samples, chain_method) -> str | None:
    """The problem with a fit's chain settings (``--chains`` ...), or None."""
    for name, value in (("chains", num_chains), ("warmup", num_warmup), ("samples", num_samples)):
        if not isinstance(value, int) or value < 1:
            return f"--{name} must be a positive integer, got {value!r}"
    if chain_method not in ("parallel", "sequential", "vectorized"):
        return f"--chain-method must be parallel, sequential or vectorized, got {chain_method!r}"
    return None


def ppc_path_for(posterior_path: Path) -> Path:
    """The PPC JSON beside a posterior: ``ppc.json`` for ``posterior.nc``, else
    ``<stem>_ppc.json``."""
    posterior_path = Path(posterior_path)
    if posterior_path.name == "posterior.nc":
        return posterior_path.with_name("ppc.json")
    return posterior_path.with_name(f"{posterior_path.stem}_ppc.json")


def write_json_atomically(path: Path, payload: dict) -> None:
    """Write ``payload`` as JSON; a reader never sees a half-written file."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(json.dumps(payload, indent=2))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def command_provenance(data_provenance: dict, seed: int, **extra) -> dict:
    """What a fit command records of its inputs: the data files, the seed, the command line."""
    import shlex
    import sys

    command = " ".join(shlex.quote(part) for part in sys.argv)
    return {"data": data_provenance, "seed": seed, "command": command, **extra}


def write_fit(tree: xr.DataTree, report: dict, path: Path, predictive_check=None) -> int:
    """Write a fitted posterior (and, given ``predictive_check(tree) -> table``, its PPC
    table beside it), print their summaries, and return the fit command's exit code:
    0 when the floors are met and the required PPC rows are inside, else 1."""
    from riskengine.inference.posterior_checks import format_check_table

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_posterior(tree, path)
    print_fit_summary(tree, report)
    print(f"posterior written to {path}")
    passed = report["passed"]
    if predictive_check is not None:
        table = predictive_check(tree)
        table["posterior"] = path.name
        print(format_check_table(table))
        write_json_atomically(ppc_path_for(path), table)
        print(f"posterior predictive check written to {ppc_path_for(path)}")
        passed = passed and table["passed"]
    return 0 if passed else 1
