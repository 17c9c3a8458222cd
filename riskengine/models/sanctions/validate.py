"""``python -m riskengine.models.sanctions.validate [--quick]``: the sanctions model's validation.

Runs, on the TIES cases: the posterior predictive check of the shipped posterior
(``fitted/posterior.nc``, refitted here when it is missing), the temporal backtest (fit
before 1990, forecast the later cases), parameter recovery (the real cases' covariates,
issues and eras, outcomes simulated from known parameters near the TIES posterior,
refitted: coverage of the 90% intervals), Martin (1992), and the full simulation-based
calibration (>= 200 replications on the real covariates, spread over a dask
LocalCluster) with its negative control (every outcome read one category higher, which
must be rejected). Writes ``docs/validation/sanctions.md`` and ``sanctions.json``; exits
1 if a check fails. A check that raises is reported as failed and the others still run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from riskengine.inference.validation import checked as _checked
from riskengine.inference.validation import ppc_section as _ppc_section
from riskengine.inference.validation import table as _table

DOCS = Path(__file__).resolve().parents[3] / "docs" / "validation"
SEED = 20261202
RECOVERY_MONTHS = 600
SBC_OPTIONS = {"num_warmup": 150, "num_samples": 400, "thin": 20, "num_months": 120}
FAMILY_ALPHA = 0.01


def posterior_check(rng_key, cases) -> dict:
    """PPC of the shipped posterior (refit with the shipped settings if it is missing)."""

    from riskengine.inference.validation import shipped_or_refit
    from riskengine.models.sanctions.checks import posterior_predictive_check
    from riskengine.models.sanctions.fit import POSTERIOR_PATH, fit_sanctions

    tree, source = shipped_or_refit(
        POSTERIOR_PATH, lambda options: fit_sanctions(rng_key, cases)[0], {}
    )
    table = posterior_predictive_check(rng_key, tree, cases)
    table["posterior"] = source
    return table


# The backtest's training fit (286 pre-1990 cases) with the shipped fit's diagonal metric
# (target acceptance 0.8) missed the floors: R-hat 1.021, ESS 337 / 223, 14 divergences.
# The dense Laplace metric, adapted, at target acceptance 0.95 is slower but robust there.
BACKTEST_NUTS = {"dense_mass": True, "target_accept_prob": 0.95}


def backtest(rng_key, cases) -> dict:
    from riskengine.models.sanctions.backtest import backtest as run_backtest

    return {**run_backtest(rng_key, cases, **BACKTEST_NUTS), "nuts": BACKTEST_NUTS}


def recovery(rng_key, cases, truth) -> dict:
    """Fit synthetic outcomes of the real cases under ``truth``; z-scores and 90% coverage."""
    import jax
    import numpy as np

    from riskengine.models.sanctions.calibration import (
        inputs_from_cases,
        scalar_parameters,
        simulate_cases,
    )
    from riskengine.models.sanctions.fit import fit_sanctions, posterior_params

    key_data, key_fit = jax.random.split(rng_key)
    synthetic = simulate_cases(key_data, truth, inputs_from_cases(cases), RECOVERY_MONTHS)
    tree, report = fit_sanctions(key_fit, synthetic)
    names, true_values = scalar_parameters(jax.tree.map(lambda x: np.asarray(x)[None], truth))
    _, samples = scalar_parameters(posterior_params(tree))
    lower, upper = np.quantile(samples, [0.05, 0.95], axis=0)
    z = (samples.mean(0) - true_values[0]) / samples.std(0)
    inside = (lower <= true_values[0]) & (true_values[0] <= upper)
    ended = np.asarray(synthetic["ended"])
    return {
        "parameters": {
            name: {
                "truth": float(true_values[0][i]),
                "mean": float(samples[:, i].mean()),
                "lower_5": float(lower[i]),
                "upper_95": float(upper[i]),
                "z": float(z[i]),
                "inside_90": bool(inside[i]),
            }
            for i, name in enumerate(names)
        },
        "num_cases": int(ended.size),
        "censored_cases": int((~ended).sum()),
        "coverage_90": float(inside.mean()),
        "max_abs_z": float(np.abs(z).max()),
        "fit_diagnostics": report,
        "passed": bool(inside.mean() >= 0.75 and np.abs(z).max() < 4),
        "truth": "recovery_truth(): near the TIES posterior means, rounded; pooled effects sum to 0",
    }


def sbc(rng_key, inputs, num_replications: int, num_control: int) -> dict:
    """SBC and its negative control, replications spread over a dask LocalCluster."""
    import jax

    from riskengine.ensemble.cluster import execution
    from riskengine.models.sanctions.calibration import rank_uniformity, run_sbc

    key_correct, key_control = jax.random.split(rng_key)
    started = time.perf_counter()
    with execution("local") as where:
        batches = {"mapper": where.map, "num_batches": 4 * where.num_workers}
        correct = run_sbc(
            key_correct, inputs, num_replications=num_replications, **batches, **SBC_OPTIONS
        )
        control = run_sbc(
            key_control,
            inputs,
            num_replications=num_control,
            misspecified=True,
            **batches,
            **SBC_OPTIONS,
        )
    p_correct, p_control = rank_uniformity(correct), rank_uniformity(control)
    threshold = FAMILY_ALPHA / len(p_correct)
    return {
        "num_replications": num_replications,
        "num_control_replications": num_control,
        "num_cases": len(inputs[1]),
        "options": SBC_OPTIONS,
        "where": where.description,
        "seconds": time.perf_counter() - started,
        "p_values": p_correct,
        "control_p_values": p_control,
        "min_p": min(p_correct.values()),
        "control_min_p": min(p_control.values()),
        "threshold": threshold,
        "divergent_replications": int(sum(correct.divergences > 0)),
        "uniform": min(p_correct.values()) >= threshold,
        "control_rejected": min(p_control.values()) < threshold,
        "passed": min(p_correct.values()) >= threshold and min(p_control.values()) < threshold,
    }


def martin(rng_key) -> dict:
    from riskengine.models.sanctions.martin import fit_martin, martin_table

    result = fit_martin(rng_key)
    result["table"] = martin_table(result)
    return result


def _backtest_section(result: dict) -> list[str]:
    from riskengine.models.sanctions.backtest import format_backtest

    diagnostics = result["fit_diagnostics"]
    note = (
        f"Training fit ({result.get('nuts', 'shipped settings')}): max R-hat "
        f"{diagnostics['max_rhat']:.3f}, min ESS bulk {diagnostics['min_ess_bulk']:.0f}, tail "
        f"{diagnostics['min_ess_tail']:.0f}, divergences {diagnostics['divergences']}, "
        f"{diagnostics['fit_seconds']:.0f} s."
    )
    return [format_backtest(result), "", note, ""]


def _recovery_section(result: dict) -> list[str]:
    text = (
        f"{result['num_cases']} cases ({result['censored_cases']} censored at "
        f"{RECOVERY_MONTHS} months); 90% coverage {result['coverage_90']:.2f}; max |z| "
        f"{result['max_abs_z']:.2f}; fit max R-hat {result['fit_diagnostics']['max_rhat']:.3f}, "
        f"divergences {result['fit_diagnostics']['divergences']}."
    )
    rows = [
        (
            n,
            f"{v['truth']:.3f}",
            f"{v['mean']:.3f}",
            f"[{v['lower_5']:.2f}, {v['upper_95']:.2f}]",
            f"{v['z']:.2f}",
            v["inside_90"],
        )
        for n, v in result["parameters"].items()
    ]
    header = ("parameter", "truth", "posterior mean", "90% interval", "z", "inside")
    return [text, "", *_table(header, rows)]


def _sbc_section(result: dict) -> list[str]:
    text = (
        f"{result['num_replications']} replications on {result['num_cases']} cases "
        f"({result['options']}), {result['seconds']:.0f} s on {result['where']}; chi-square "
        f"rank-uniformity p-values per parameter, 4 bins (Bonferroni threshold "
        f"{result['threshold']:.1e}): smallest {result['min_p']:.3g}; "
        f"{result['divergent_replications']} replications had divergences. Negative control "
        f"(outcomes read one category higher, {result['num_control_replications']} "
        f"replications): smallest p {result['control_min_p']:.3g}, rejected: "
        f"{result['control_rejected']}."
    )
    rows = [
        (n, f"{p:.3g}", f"{result['control_p_values'][n]:.3g}")
        for n, p in result["p_values"].items()
    ]
    return [text, "", *_table(("parameter", "p (correct)", "p (negative control)"), rows)]


def _martin_section(result: dict) -> list[str]:
    return [
        f"{result['num_cases']} cases; ordered logit of sender cooperation (1-4); "
        f"{result['divergences']} divergences. {result['finding']}.",
        "",
        result["table"],
        "",
    ]


SECTIONS = {
    "ppc": ("Posterior predictive check (TIES)", _ppc_section),
    "backtest": ("Backtest (fit before 1990, forecast the later cases)", _backtest_section),
    "recovery": ("Parameter recovery (real cases, synthetic outcomes)", _recovery_section),
    "martin": ("Martin (1992): cost to the sender and cooperation", _martin_section),
    "sbc": ("Simulation-based calibration", _sbc_section),
}


def markdown(results: dict) -> str:
    command = "python -m riskengine.models.sanctions.validate" + (
        " --quick" if results["quick"] else ""
    )
    lines = [
        "# Sanctions model validation",
        "",
        f"Generated by `{command}` on 2 cores (the last run: {results['seconds'] / 60:.0f} min; "
        "each check's time is in its heading, checks rerun with `--only` keep the others').",
        "",
    ]
    for name, (title, render) in SECTIONS.items():
        if name in results:
            result = results[name]
            body = [f"Failed with an error: `{result['error']}`", ""] if "error" in result else None
            took = f"; {result['check_seconds']:.0f} s" if "check_seconds" in result else ""
            heading = f"## {title} (passed: {result['passed']}{took})"
            lines += [heading, "", *(body or render(result))]
    return "\n".join(lines) + "\n"


def recovery_truth():
    """Known parameters near the TIES posterior (rounded), for the recovery check."""
    import jax.numpy as jnp

    from riskengine.models.sanctions import core

    values = {
        "hazard_intercept": -2.7,
        "hazard_coefficients": [0.1, -0.4, -0.6, 0.05, 0.55, -0.35, -0.1],
        "hazard_duration_slope": -0.3,
        "outcome_cutpoints": [-0.85, 0.25],
        "outcome_coefficients": [0.45, 0.95, 1.0, -0.55, -0.25, 0.3, 0.0],
        "outcome_duration_slope": -0.25,
        "issue_effect": [-0.1, 0.15, -0.12, -0.06, 0.13],
        "issue_scale": 0.25,
        "era_effect": [0.08, -0.09, 0.01],
        "era_scale": 0.25,
        "target_cost_cutpoints": [1.0, 3.0],
        "target_cost_coefficients": [0.6, 0.35, 0.45, 0.05, -1.2, 1.7, -0.4],
        "sender_cost_cutpoints": [3.7, 6.8],
        "sender_cost_coefficients": [0.9, -0.3, -1.3, -0.7, -0.2, 1.7, 0.9],
    }
    return core.Params(**{name: jnp.asarray(value, jnp.float32) for name, value in values.items()})


def _write(results: dict, seconds: float) -> None:
    """Write ``sanctions.json`` and ``sanctions.md`` (after every check). With ``--only``,
    ``seconds`` is this run's time, the other checks' results kept from the last run."""
    results["seconds"] = seconds
    DOCS.mkdir(parents=True, exist_ok=True)
    (DOCS / "sanctions.json").write_text(json.dumps(results, indent=2, default=float))
    (DOCS / "sanctions.md").write_text(markdown(results))


def main(argv=None) -> int:
    from riskengine.inference.validation import parse_arguments

    arguments = parse_arguments(argv, __doc__, SECTIONS)
    import jax

    from riskengine.models.sanctions.calibration import inputs_from_cases
    from riskengine.models.sanctions.data import case_arrays, load_cases

    started = time.perf_counter()
    cases = case_arrays(load_cases())
    keys = jax.random.split(jax.random.key(SEED), 5)
    replications = (20, 10) if arguments.quick else (200, 40)
    checks = {
        "ppc": (posterior_check, keys[0], cases),
        "backtest": (backtest, keys[1], cases),
        "recovery": (recovery, keys[2], cases, recovery_truth()),
        "martin": (martin, keys[3]),
        "sbc": (sbc, keys[4], inputs_from_cases(cases), *replications),
    }
    results = {"quick": arguments.quick}
    if arguments.only is not None and (DOCS / "sanctions.json").exists():
        earlier = json.loads((DOCS / "sanctions.json").read_text())
        results.update({name: value for name, value in earlier.items() if name in checks})
    for name, (function, *args) in checks.items():
        if arguments.only is None or name in arguments.only:
            results[name] = _checked(function, *args)
            _write(results, time.perf_counter() - started)  # a crash loses one check only
    _write(results, time.perf_counter() - started)
    failed = [
        name
        for name, value in results.items()
        if isinstance(value, dict) and not value.get("passed", True)
    ]
    print(f"validation written to {DOCS}; failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
