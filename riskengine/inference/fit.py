"""Fit the escalation model to the MID disputes with NUTS and store the posterior.

``fit_escalation`` runs numpyro's NUTS (``num_chains`` chains, ``chain_method="parallel"``:
the caller must have called ``numpyro.set_host_device_count(num_chains)`` before jax was
imported, else numpyro runs the chains one after another) on the likelihood of
:mod:`riskengine.inference.likelihood` and returns an arviz DataTree whose ``posterior``
group holds the ``escalation.Params`` fields with the ensemble's dims and coords, and
whose ``sample_stats`` holds NUTS's statistics. Diagnostics (R-hat, bulk and tail ESS,
divergences) are computed here and stored, with provenance, in the root attributes.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import arviz as az
import jax
import numpy as np
import xarray as xr
from numpyro.infer import MCMC, NUTS

from riskengine.inference.likelihood import make_log_likelihood_fn
from riskengine.inference.warm_start import laplace_warm_start
from riskengine.models import escalation
from riskengine.models.escalation_ensemble import EscalationEnsemble
from riskengine.versions import package_versions

__all__ = [
    "DIAGNOSTIC_FLOORS",
    "run_nuts",
    "posterior_tree",
    "diagnostics",
    "covariate_ranges",
    "fit_escalation",
    "write_posterior",
]

DIAGNOSTIC_FLOORS = {
    "max_rhat": 1.01,
    "min_ess_bulk": 400.0,
    "min_ess_tail": 400.0,
    "divergences": 0,
}
NOT_IDENTIFIED_NOTE = (
    "coefficients[crisis_management]: the MID data set crisis_management = 0 for every "
    "dispute, so this slope is not identified: its posterior is its prior (Normal(-0.4, 0.2) "
    "on the population-averaged scale, times escalation.attenuation(resolve_scale))"
)


def run_nuts(
    rng_key,
    disputes,
    *,
    num_chains=4,
    num_warmup=500,
    num_samples=500,
    chain_method="parallel",
    target_accept_prob=0.9,
    dense_mass=True,
    progress_bar=False,
    extra_fields=("num_steps", "diverging", "potential_energy"),
) -> MCMC:
    """Run NUTS on ``escalation.model`` with the dispute likelihood; returns the MCMC object.

    A dense mass matrix (17 parameters) absorbs the linear correlations left after the
    model's reparameterisation (``escalation.params_from_sites``): on the MID data it
    cut the mean tree from ~34 to ~14 leapfrog steps and doubled the effective draws.
    Chains start from the Laplace warm start of :mod:`riskengine.inference.warm_start`.
    The shipped posterior was fitted with these defaults (target acceptance 0.9; ``make
    validate``'s refit relies on them).
    """
    log_likelihood_fn = make_log_likelihood_fn(disputes)
    key_start, key_run = jax.random.split(rng_key)
    start = laplace_warm_start(
        key_start,
        escalation.model,
        num_chains=num_chains,
        model_args=(disputes,),
        model_kwargs={"log_likelihood_fn": log_likelihood_fn},
    )
    kernel = NUTS(
        escalation.model,
        target_accept_prob=target_accept_prob,
        dense_mass=dense_mass,
        inverse_mass_matrix=start.inverse_mass_matrix if dense_mass else None,
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
        disputes,
        log_likelihood_fn=log_likelihood_fn,
        extra_fields=extra_fields,
        init_params=init_params,
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


def posterior_tree(mcmc: MCMC) -> xr.DataTree:
    """DataTree with ``posterior`` (Params fields, ensemble dims/coords) and ``sample_stats``.

    Built from the chain-grouped samples directly (arviz's own numpyro converter re-traces
    the model to infer dims, which failed with numpyro 0.20 after a full fit).
    ``sample_stats`` uses arviz's names: ``diverging``, ``n_steps`` and ``lp`` (the
    log density, i.e. minus numpyro's potential energy).
    """
    samples = mcmc.get_samples(group_by_chain=True)
    coords = dict(EscalationEnsemble.parameter_coords)
    posterior = xr.Dataset(
        {
            name: (("chain", "draw", *dims), np.asarray(samples[name]))
            for name, dims in EscalationEnsemble.parameter_dims.items()
        },
        coords={name: list(values) for name, values in coords.items()},
    )
    extra = mcmc.get_extra_fields(group_by_chain=True)
    sample_stats = xr.Dataset(
        {
            arviz_name: (("chain", "draw"), _signed(np.asarray(extra[name]), sign))
            for name, (arviz_name, sign) in SAMPLE_STATS.items()
            if name in extra
        }
    )
    for dataset in (posterior, sample_stats):
        dataset.coords["chain"] = np.arange(dataset.sizes["chain"])
        dataset.coords["draw"] = np.arange(dataset.sizes["draw"])
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": sample_stats})


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


def covariate_ranges(covariates: np.ndarray) -> dict[str, list[float]]:
    """Covariate name -> [min, max] over the fitted disputes."""
    covariates = np.asarray(covariates, np.float64)
    return {
        name: [float(covariates[:, index].min()), float(covariates[:, index].max())]
        for index, name in enumerate(escalation.COVARIATE_NAMES)
    }


def fit_escalation(rng_key, disputes, *, provenance: dict | None = None, **nuts_options):
    """Fit, then return ``(tree, report)``; ``tree.attrs`` carry provenance and diagnostics.

    ``disputes`` holds ``covariates``, ``peak_level``, ``duration_months`` (and optionally
    ``start_year``); ``provenance`` (e.g. ``data_provenance()`` plus the command and seed)
    is merged into the attributes; ``nuts_options`` go to :func:`run_nuts`.
    """
    started = time.perf_counter()
    mcmc = run_nuts(rng_key, disputes, **nuts_options)
    # parallel chains return before their draws are computed (jax dispatch is async)
    jax.block_until_ready(mcmc.get_samples(group_by_chain=True))
    fit_seconds = time.perf_counter() - started
    tree = posterior_tree(mcmc)
    report = diagnostics(tree)
    attributes = {
        "model": "escalation",
        "fit_seconds": round(fit_seconds, 1),
        "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "num_disputes": len(disputes["peak_level"]),
        "package_versions": package_versions(),
        "diagnostics": report,
        "diagnostic_floors": DIAGNOSTIC_FLOORS,
        "covariate_ranges": covariate_ranges(disputes["covariates"]),
        "not_identified": NOT_IDENTIFIED_NOTE,
        "nuts": {key: value for key, value in nuts_options.items() if key != "progress_bar"},
        **(provenance or {}),
    }
    tree.attrs.update({key: _attribute(value) for key, value in attributes.items()})
    return tree, {**report, "fit_seconds": fit_seconds}


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
