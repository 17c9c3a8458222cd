"""Fit the escalation model to the MID disputes with NUTS and store the posterior.

``fit_escalation`` runs numpyro's NUTS (``num_chains`` chains, ``chain_method="parallel"``:
the caller must have called ``numpyro.set_host_device_count(num_chains)`` before jax was
imported, else numpyro runs the chains one after another) on the likelihood of
:mod:`riskengine.models.escalation.likelihood` and returns an arviz DataTree whose
``posterior`` group holds the ``escalation.Params`` fields with the ensemble's dims and
coords, and whose ``sample_stats`` holds NUTS's statistics. Diagnostics (R-hat, bulk and
tail ESS, divergences) are computed with :mod:`riskengine.inference.fit` and stored, with
provenance, in the root attributes. ``fit_command`` is ``riskengine fit escalation``.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import jax
from numpyro.infer import MCMC

from riskengine.errors import RiskEngineError, UsageError
from riskengine.inference.fit import (
    DIAGNOSTIC_FLOORS,
    _attribute,
    covariate_ranges,
    diagnostics,
    posterior_tree,
    print_fit_summary,
    run_model_nuts,
    write_posterior,
)
from riskengine.models.escalation import core as escalation
from riskengine.models.escalation.data import data_provenance, dispute_arrays, load_disputes
from riskengine.models.escalation.ensemble import EscalationEnsemble
from riskengine.models.escalation.likelihood import make_log_likelihood_fn
from riskengine.models.paths import posterior_path, predictive_check_path
from riskengine.versions import package_versions

__all__ = ["NOT_IDENTIFIED_NOTE", "run_nuts", "fit_escalation", "fit_command"]

MODEL_NAME = "escalation"
NOT_IDENTIFIED_NOTE = (
    "coefficients[crisis_management]: the MID data set crisis_management = 0 for every "
    "dispute, so this slope is not identified: its posterior is its prior (Normal(-0.4, 0.2) "
    "on the population-averaged scale, times escalation.attenuation(resolve_scale))"
)


def run_nuts(rng_key, disputes, **nuts_options) -> MCMC:
    """Run NUTS on ``escalation.model`` with the dispute likelihood; returns the MCMC object.

    ``nuts_options`` go to :func:`riskengine.inference.fit.run_model_nuts`, whose defaults
    are the escalation fit's: a dense mass matrix (29 sampled scalars) absorbs the linear
    correlations left after the model's reparameterisation
    (``escalation.params_from_sites``): on the MID data it cut the mean tree from ~34 to
    ~14 leapfrog steps and doubled the effective draws. Chains start from the Laplace warm
    start of :mod:`riskengine.inference.warm_start`. The shipped posterior was fitted with
    these defaults (target acceptance 0.9; ``make validate``'s refit relies on them).
    """
    log_likelihood_fn = make_log_likelihood_fn(disputes)
    return run_model_nuts(
        rng_key,
        escalation.model,
        model_args=(disputes,),
        model_kwargs={"log_likelihood_fn": log_likelihood_fn},
        **nuts_options,
    )


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
    tree = posterior_tree(
        mcmc,
        {name: p.dims for name, p in EscalationEnsemble.parameters.items()},
        EscalationEnsemble.parameter_coords,
    )
    report = diagnostics(tree)
    attributes = {
        "model": MODEL_NAME,
        "fit_seconds": round(fit_seconds, 1),
        "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "num_disputes": len(disputes["peak_level"]),
        "package_versions": package_versions(),
        "diagnostics": report,
        "diagnostic_floors": DIAGNOSTIC_FLOORS,
        "covariate_ranges": covariate_ranges(disputes["covariates"], escalation.COVARIATE_NAMES),
        "not_identified": NOT_IDENTIFIED_NOTE,
        "nuts": {key: value for key, value in nuts_options.items() if key != "progress_bar"},
        **(provenance or {}),
    }
    tree.attrs.update({key: _attribute(value) for key, value in attributes.items()})
    return tree, {**report, "fit_seconds": fit_seconds}


def _predictive_check_file(path: Path) -> Path:
    """The predictive-check JSON beside a posterior file: the model's ``ppc.json`` beside
    ``posterior.nc`` (the shipped layout), ``<stem>_ppc.json`` beside
    ``<stem>_posterior.nc`` or ``<stem>.nc``."""
    if path.name == posterior_path(MODEL_NAME).name:
        return path.with_name(predictive_check_path(MODEL_NAME).name)
    stem = path.name.removesuffix(".nc").removesuffix("_posterior")
    return path.with_name(f"{stem}_ppc.json")


# The shipped posterior's settings: `riskengine fit escalation` with no options refits it.
FIT_DEFAULTS = {"seed": 20260611, "num_chains": 4, "num_warmup": 300, "num_samples": 400}


def fit_command(
    data: str | None,
    out: str | None,
    seed: int,
    num_chains: int,
    num_warmup: int,
    num_samples: int,
    ppc: bool,
    chain_method: str = "parallel",
    *,
    columns: str | None = None,
) -> int:
    """Fit the escalation model and write ``out`` (default: the shipped posterior file).

    ``data`` is the shared data directory (COW MID, NMC, ATOP). Returns 0 when the
    diagnostic floors are met, 1 when the fit ran but a floor was missed (the posterior
    is still written, with its diagnostics), 2 on a usage/data error.
    """
    if columns is not None:
        raise UsageError(
            f"--columns: got {columns!r}; allowed: no columns map for escalation (it fits "
            "the COW MID files of --data DIR)"
        )
    data_dir = data
    try:
        frame = load_disputes(data_dir)
        provenance = {
            "data": data_provenance(data_dir),
            "seed": seed,
            "command": " ".join(shlex.quote(part) for part in sys.argv),
        }
    except RiskEngineError as error:
        print(f"fit: {error}", file=sys.stderr)
        return 2
    disputes = dispute_arrays(frame)
    tree, report = fit_escalation(
        jax.random.key(seed),
        disputes,
        provenance=provenance,
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        chain_method=chain_method,
        progress_bar=sys.stderr.isatty(),
    )
    path = Path(out) if out else posterior_path(MODEL_NAME)
    write_posterior(tree, path)
    print_fit_summary(tree, report)
    print(f"posterior written to {path}")
    if ppc:
        from riskengine.models.escalation.checks import (
            format_check_table,
            posterior_predictive_check,
        )

        table = posterior_predictive_check(jax.random.key(seed + 1), tree, frame)
        print(format_check_table(table))
        ppc_file = _predictive_check_file(path)
        partial = ppc_file.with_name(f".{ppc_file.name}.partial")
        partial.write_text(json.dumps(table, indent=2))
        partial.replace(ppc_file)  # atomic, as the posterior
        print(f"posterior predictive check written to {ppc_file}")
        if not table["passed"]:
            return 1
    return 0 if report["passed"] else 1
