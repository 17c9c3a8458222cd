"""``riskengine fit``: fit a model to its data, write the posterior (and PPC), print a summary.

The CLI must call ``numpyro.set_host_device_count(num_chains)`` before jax is imported
(``riskengine.inference`` imports jax); otherwise the chains run one after another.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import jax

from riskengine.data.disputes import data_provenance, dispute_arrays, load_disputes
from riskengine.ensemble.parameters import posterior_path
from riskengine.errors import RiskEngineError
from riskengine.inference.fit import fit_escalation, write_posterior

__all__ = ["fit_command", "ppc_path"]


def ppc_path(model_name: str) -> Path:
    """The posterior-predictive JSON beside the posterior: ``<model>_ppc.json``."""
    return posterior_path(model_name).with_name(f"{model_name}_ppc.json")


def _print_summary(tree, report) -> None:
    import arviz as az

    print(az.summary(tree["posterior"].to_dataset(), kind="all").to_string())
    print(
        f"fit {report['fit_seconds']:.0f} s; max R-hat {report['max_rhat']:.4f}; min ESS bulk "
        f"{report['min_ess_bulk']:.0f}, tail {report['min_ess_tail']:.0f}; divergences "
        f"{report['divergences']}; floors {'met' if report['passed'] else 'NOT met'}"
    )


def fit_command(
    model_name: str,
    data_dir: str | None,
    out: str | None,
    seed: int,
    num_chains: int,
    num_warmup: int,
    num_samples: int,
    ppc: bool,
    chain_method: str = "parallel",
) -> int:
    """Fit ``model_name`` (only ``escalation``) and write ``out`` (default: the shipped file).

    Returns 0 when the diagnostic floors are met, 1 when the fit ran but a floor was
    missed (the posterior is still written, with its diagnostics), 2 on a usage/data error.
    """
    if model_name != "escalation":
        print(f"fit: unknown model {model_name!r}; available: escalation", file=sys.stderr)
        return 2
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
    path = Path(out) if out else posterior_path(model_name)
    write_posterior(tree, path)
    _print_summary(tree, report)
    print(f"posterior written to {path}")
    if ppc:
        from riskengine.inference.checks import format_check_table, posterior_predictive_check

        table = posterior_predictive_check(jax.random.key(seed + 1), tree, frame)
        print(format_check_table(table))
        stem = path.name.removesuffix(".nc").removesuffix("_posterior")
        ppc_file = path.with_name(f"{stem}_ppc.json")
        partial = ppc_file.with_name(f".{ppc_file.name}.partial")
        partial.write_text(json.dumps(table, indent=2))
        partial.replace(ppc_file)  # atomic, as the posterior
        print(f"posterior predictive check written to {ppc_file}")
        if not table["passed"]:
            return 1
    return 0 if report["passed"] else 1
