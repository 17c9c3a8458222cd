"""Fit the member support model to TIES with NUTS and store the posterior (a DataTree).

``fit_support`` runs numpyro's NUTS on :func:`support.model` over the candidate table
(:func:`riskengine.models.coalition.support_data.load_candidates`, ``multi_sender``
cases, every candidate: no case-control sampling is needed at 21,079 rows), from
a Laplace warm start with a dense mass matrix, 4 chains (the shared helpers of
:mod:`riskengine.inference.fit`). The DataTree's ``posterior`` holds the
``support.Params`` fields (the cases' latents are integrated out in the likelihood),
with the named dim ``support_covariate``; diagnostics against the project's floors,
the data counts and provenance (files with SHA-256, citations, the command) go into its
root attributes.

``python -m riskengine.models.coalition.support_fit`` (``scripts/fit_coalition_support.sh``)
refits the shipped posterior ``fitted/support_posterior.nc`` with ``FIT_DEFAULTS`` and
writes its predictive check ``fitted/support_posterior_ppc.json``. This module is not in
the model registry: the coalition model that uses it is assembled elsewhere.
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

from riskengine.inference.fit import (
    DIAGNOSTIC_FLOORS,
    command_provenance,
    covariate_ranges,
    diagnostics,
    posterior_tree,
    run_model_nuts,
    write_fit,
)
from riskengine.models.coalition import support
from riskengine.versions import package_versions

__all__ = [
    "FIT_DEFAULTS",
    "FITTED_DIR",
    "LISTING",
    "POSTERIOR_PATH",
    "fit_support",
    "main",
    "posterior_params",
]

FITTED_DIR = Path(__file__).resolve().parent / "fitted"
POSTERIOR_PATH = FITTED_DIR / "support_posterior.nc"
FIT_DEFAULTS = {"seed": 20261215, "num_chains": 4, "num_warmup": 500, "num_samples": 500}
LISTING = "as_listed"
"""How the shipped fit reads TIES's five-sender cap (``support_data.LISTINGS``)."""
NOTES = (
    "election_shift rests on its prior (no election data; every historical row has "
    "election_in_window = 0). alignment_with_primary / alignment_with_target are not "
    "fitted yet (no agreement table). The likelihood conditions each case on at least "
    "one joiner (the multi_sender selection)."
)


def device_arrays(frame, covariate_names, listing: str = LISTING) -> dict:
    """``support_data.candidate_arrays`` as jax arrays of the likelihood's dtypes."""
    from riskengine.models.coalition.support_data import candidate_arrays

    arrays = candidate_arrays(frame, covariate_names, listing)
    integers = {"joined", "case_index"}
    return {
        name: jnp.asarray(value, jnp.int32 if name in integers else jnp.float32)
        for name, value in arrays.items()
    }


def posterior_params(tree: xr.DataTree, num_draws: int | None = None) -> support.Params:
    """``support.Params`` with one leading axis of draws, evenly thinned to ``num_draws``."""
    posterior = tree["posterior"].to_dataset()
    flat = {
        name: np.asarray(posterior[name].values).reshape(-1, *posterior[name].shape[2:])
        for name in support.Params._fields
    }
    index = np.arange(len(flat["intercept"]))
    if num_draws is not None and num_draws < len(index):
        index = np.linspace(0, len(index) - 1, num_draws).round().astype(int)
    return support.params_from_draws({name: value[index] for name, value in flat.items()})


def covariate_names_of(tree: xr.DataTree) -> tuple[str, ...]:
    """The fitted covariates, in the order of ``coefficients``."""
    return tuple(str(name) for name in tree["posterior"]["support_covariate"].values)


def _attribute(value):
    return value if isinstance(value, str | int | float) else json.dumps(value, default=str)


def fit_support(
    rng_key,
    frame,
    *,
    listing: str = LISTING,
    provenance: dict | None = None,
    **nuts_options,
):
    """Fit on a candidate ``frame``; return ``(tree, report)`` with the diagnostics,
    whether they meet ``DIAGNOSTIC_FLOORS`` (``passed``) and ``fit_seconds``.
    ``nuts_options`` go to ``run_model_nuts``."""
    from riskengine.models.coalition.support_data import fitted_covariates

    names = fitted_covariates(frame)
    arrays = device_arrays(frame, names, listing)
    options = {"target_accept_prob": 0.9, "dense_mass": True} | nuts_options
    started = time.perf_counter()
    selected = frame.attrs.get("selection", "multi_sender") == "multi_sender"
    model_kwargs = {"covariate_names": names, "selection_corrected": selected}
    mcmc = run_model_nuts(
        rng_key, support.model, model_args=(arrays,), model_kwargs=model_kwargs, **options
    )
    jax.block_until_ready(mcmc.get_samples(group_by_chain=True))
    fit_seconds = time.perf_counter() - started
    caseids = np.unique(frame["caseid"].to_numpy())
    tree = posterior_tree(mcmc, support.PARAMETER_DIMS, support.parameter_coords(names))
    report = diagnostics(tree)
    counts = {k: v for k, v in frame.attrs.items() if k != "data_dir"}
    attributes = {
        "model": "coalition_support",
        "fit_seconds": round(fit_seconds, 1),
        "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "selection": frame.attrs.get("selection", "multi_sender"),
        "listing": listing,
        "num_rows": len(frame),
        "num_cases": len(caseids),
        "num_joined": int(frame["joined"].sum()),
        "data_counts": counts,
        "package_versions": package_versions(),
        "diagnostics": report,
        "diagnostic_floors": DIAGNOSTIC_FLOORS,
        "covariate_ranges": covariate_ranges(arrays["covariates"], names),
        "prior_only": list(support.PRIOR_ONLY),
        "units": "logit of the probability that a candidate joins the action as a sender",
        "notes": NOTES,
        "nuts": {key: value for key, value in options.items() if key != "progress_bar"},
        **(provenance or {}),
    }
    tree.attrs.update({key: _attribute(value) for key, value in attributes.items()})
    return tree, {**report, "fit_seconds": fit_seconds}


def main(argv=None) -> int:
    """Refit the shipped posterior and its predictive check; 0 when the floors are met
    and the required PPC rows are inside, 1 otherwise (files still written)."""
    import argparse

    parser = argparse.ArgumentParser(description="Fit the coalition member support model.")
    parser.add_argument("--data", default=None, help="shared data folder")
    parser.add_argument("--out", default=str(POSTERIOR_PATH))
    parser.add_argument("--listing", default=LISTING, help="as_listed or capped_unknown")
    parser.add_argument(
        "--ppc-only", action="store_true", help="recompute the predictive check of --out"
    )
    arguments = parser.parse_args(argv)
    import numpyro

    numpyro.set_host_device_count(FIT_DEFAULTS["num_chains"])
    from riskengine.models.coalition.support_checks import posterior_predictive_check
    from riskengine.models.coalition.support_data import data_provenance, load_candidates

    frame = load_candidates(arguments.data)
    seed = FIT_DEFAULTS["seed"]
    if arguments.ppc_only:
        return _check_only(Path(arguments.out), frame, seed)
    options = {key: value for key, value in FIT_DEFAULTS.items() if key != "seed"}
    provenance = command_provenance(data_provenance(arguments.data), seed)
    provenance["command"] = _command(argv)
    tree, report = fit_support(
        jax.random.key(seed),
        frame,
        listing=arguments.listing,
        provenance=provenance,
        progress_bar=sys.stderr.isatty(),
        **options,
    )

    def check(tree):
        return posterior_predictive_check(jax.random.key(seed + 1), tree, frame)

    return write_fit(tree, report, Path(arguments.out), check)


def _command(argv) -> str:
    """The command as a user types it (``sys.argv[0]`` of ``python -m`` is a file path)."""
    import shlex

    arguments = sys.argv[1:] if argv is None else list(argv)
    words = ["python", "-m", "riskengine.models.coalition.support_fit", *arguments]
    return " ".join(shlex.quote(word) for word in words) + " (scripts/fit_coalition_support.sh)"


def _check_only(path: Path, frame, seed: int) -> int:
    """Rewrite the predictive check of an existing posterior; 0 when it passes."""
    from riskengine.inference.fit import ppc_path_for, write_json_atomically
    from riskengine.inference.posterior_checks import format_check_table
    from riskengine.models.coalition.support_checks import posterior_predictive_check

    with xr.open_datatree(path, engine="h5netcdf") as tree:
        table = posterior_predictive_check(jax.random.key(seed + 1), tree.load(), frame)
    table["posterior"] = path.name
    print(format_check_table(table))
    write_json_atomically(ppc_path_for(path), table)
    return 0 if table["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
