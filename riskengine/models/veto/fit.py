"""Fit the veto model with NUTS and store the posterior (an arviz DataTree).

``fit_veto`` runs numpyro's NUTS on :func:`core.model` over both parts (the 140
alignment-part drafts and the 385 member-year counts of
:mod:`riskengine.models.veto.data`) from a Laplace warm start with a dense mass matrix
(34 parameters). The tree's ``posterior`` holds the ``core.Params`` fields with named
dims (``veto_member``, ``veto_era``); the diagnostics against the project's floors, the
data counts, the provenance (files with SHA-256, citations, seed, command) and the notes
go into the root attributes.

``fit_command`` is the body of ``riskengine fit veto`` (once the model is registered;
until then ``python -m riskengine.models.veto.fit``, see ``scripts/fit_veto.sh``):
posterior.nc and, with ``ppc``, ppc.json (:mod:`riskengine.models.veto.checks`) in
``fitted/``.
"""

from __future__ import annotations

import argparse
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
    diagnostics,
    posterior_tree,
    run_model_nuts,
    write_fit,
)
from riskengine.models.veto import core
from riskengine.versions import package_versions

__all__ = [
    "FIT_DEFAULTS",
    "FITTED_DIR",
    "POSTERIOR_PATH",
    "PPC_PATH",
    "fit_command",
    "fit_veto",
    "model_arrays",
    "posterior_params",
]

FITTED_DIR = Path(__file__).resolve().parent / "fitted"
POSTERIOR_PATH = FITTED_DIR / "posterior.nc"
PPC_PATH = FITTED_DIR / "ppc.json"
# The shipped posterior's settings: `riskengine fit veto` with no options refits it.
FIT_DEFAULTS = {"seed": 20261130, "num_chains": 4, "num_warmup": 500, "num_samples": 1000}
NOTES = (
    "Only vetoed drafts are observed. The alignment part conditions on at least one veto "
    "(zero-truncated likelihood): the alignment, gap and party effects and the members' "
    "intercepts relative to each other within an era are identified by who vetoed; the "
    "intercepts' level and contestedness_scale only through how often members veto "
    "together, and lean on their priors. Cells with no veto rest on the prior's lower "
    "tail: alignment part USA 1946-1965, China 1946-1991, UK and France 1992-2022; count "
    "part USA and China 1946-1965, UK and France 1992-2022. The PPC misses the 0.5-0.7 "
    "alignment band (6 vetoes observed, fewer than predicted) and, not required, the "
    "1960s, 1980s and 1990s decade totals. See docs/validation/veto-notes.md."
)


def model_arrays(drafts) -> tuple[dict, dict]:
    """(alignment-part arrays, count arrays) as jax arrays, from ``data.load_drafts``."""
    from riskengine.models.veto.data import count_arrays, draft_arrays, member_year_counts

    parts = draft_arrays(drafts), count_arrays(member_year_counts(drafts))
    return tuple({name: jnp.asarray(value) for name, value in part.items()} for part in parts)


def posterior_params(tree: xr.DataTree, num_draws: int | None = None) -> core.Params:
    """``core.Params`` with one leading axis of draws, evenly thinned to ``num_draws``."""
    posterior = tree["posterior"].to_dataset()
    flat = {
        name: np.asarray(posterior[name].values).reshape(-1, *posterior[name].shape[2:])
        for name in core.Params._fields
    }
    index = np.arange(len(flat["alignment_effect"]))
    if num_draws is not None and num_draws < len(index):
        index = np.linspace(0, len(index) - 1, num_draws).round().astype(int)
    return core.params_from_draws({name: value[index] for name, value in flat.items()})


def _attribute(value):
    return value if isinstance(value, str | int | float) else json.dumps(value, default=str)


def _data_counts(drafts) -> dict:
    counts = {key: value for key, value in drafts.attrs.items() if key != "data_dir"}
    vetoes = {m: int(drafts[f"veto_{m}"].sum()) for m in core.MEMBERS}
    return counts | {"num_drafts": len(drafts), "vetoes_cast": vetoes}


def fit_veto(rng_key, drafts, *, provenance: dict | None = None, **nuts_options):
    """Fit both parts on ``drafts`` (``data.load_drafts``); return ``(tree, report)``
    with the diagnostics, whether they meet ``DIAGNOSTIC_FLOORS`` (``passed``) and
    ``fit_seconds``. ``nuts_options`` go to ``run_model_nuts``."""
    draft_part, count_part = model_arrays(drafts)
    options = {"target_accept_prob": 0.9, "dense_mass": True} | nuts_options
    started = time.perf_counter()
    mcmc = run_model_nuts(rng_key, core.model, model_args=(draft_part, count_part), **options)
    jax.block_until_ready(mcmc.get_samples(group_by_chain=True))
    fit_seconds = time.perf_counter() - started
    tree = posterior_tree(mcmc, core.PARAMETER_DIMS, core.PARAMETER_COORDS)
    report = diagnostics(tree)
    attributes = {
        "model": "veto",
        "fit_seconds": round(fit_seconds, 1),
        "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data_counts": _data_counts(drafts),
        "package_versions": package_versions(),
        "diagnostics": report,
        "diagnostic_floors": DIAGNOSTIC_FLOORS,
        "units": "intercepts, effects: logit of a member's veto; log_rates: log vetoes "
        "per member-year; alignment: share of General Assembly agreement (0..1)",
        "notes": NOTES,
        "regenerate": "scripts/fit_veto.sh (riskengine fit veto --ppc once registered)",
        "nuts": {key: value for key, value in options.items() if key != "progress_bar"},
        **(provenance or {}),
    }
    tree.attrs.update({key: _attribute(value) for key, value in attributes.items()})
    return tree, {**report, "fit_seconds": fit_seconds}


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
    """Fit the veto model and write ``out`` (default: the shipped ``POSTERIOR_PATH``).

    ``data`` is the shared data directory (None: RISKENGINE_DATA_DIR). Returns 0 when the
    floors are met (and, with ``ppc``, every required PPC row is inside its 90% interval),
    1 when the fit ran but a floor or a PPC row missed (files still written), 2 on bad
    input.
    """
    problem = check_counts(num_chains, num_warmup, num_samples, chain_method)
    if problem is None and columns is not None:
        problem = f"--columns: got {columns!r}; allowed: nothing (veto reads its own files)"
    if problem:
        print(f"fit veto: {problem}", file=sys.stderr)
        return 2
    from riskengine.models.veto.data import data_provenance, load_drafts

    try:
        drafts, files = load_drafts(data), data_provenance(data)
    except RiskEngineError as error:
        print(f"fit veto: {error}", file=sys.stderr)
        return 2
    tree, report = fit_veto(
        jax.random.key(seed),
        drafts,
        provenance=command_provenance(files, seed, data_counts=_data_counts(drafts)),
        num_chains=num_chains,
        num_warmup=num_warmup,
        num_samples=num_samples,
        chain_method=chain_method,
        progress_bar=sys.stderr.isatty(),
    )
    check = None
    if ppc:
        from riskengine.models.veto.checks import posterior_predictive_check

        def check(tree):
            return posterior_predictive_check(jax.random.key(seed + 1), tree, drafts)

    return write_fit(tree, report, Path(out) if out else POSTERIOR_PATH, check)


def main(argv=None) -> int:
    """``python -m riskengine.models.veto.fit [--ppc] [--out ...]``: ``fit_command`` with
    ``FIT_DEFAULTS`` (set ``XLA_FLAGS=--xla_force_host_platform_device_count=4`` before
    Python starts for parallel chains, as ``scripts/fit_veto.sh`` does)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="shared data folder (default: $RISKENGINE_DATA_DIR)")
    parser.add_argument("--out", help="posterior file (default: fitted/posterior.nc)")
    parser.add_argument("--ppc", action="store_true", help="also run the predictive check")
    for name in ("seed", "num_chains", "num_warmup", "num_samples"):
        parser.add_argument(f"--{name.removeprefix('num_')}", type=int, dest=name)
    parser.add_argument("--chain-method", default="parallel")
    arguments = parser.parse_args(argv)
    given = sys.argv[1:] if argv is None else list(argv)
    sys.argv = ["python", "-m", "riskengine.models.veto.fit", *given]  # recorded, portable
    settings = FIT_DEFAULTS | {
        name: getattr(arguments, name)
        for name in FIT_DEFAULTS
        if getattr(arguments, name) is not None
    }
    return fit_command(
        arguments.data, arguments.out, ppc=arguments.ppc,
        chain_method=arguments.chain_method, **settings,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
