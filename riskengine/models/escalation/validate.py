"""``python -m riskengine.models.escalation.validate [--quick]``: the escalation model's validation.

Runs, on the MID disputes: the prior predictive check (base rates implied by the priors),
full simulation-based calibration (>= 200 replications) with a negative control (a
mis-specified likelihood, every peak read one level too high, that must be rejected), parameter recovery on synthetic data of the real
data's size (real covariates, known parameters), and a backtest (fit on disputes that
began before 1990, predict war and peak level of the later ones: Brier score, skill vs
the training base rate, log score, reliability table). Writes
``docs/validation/escalation.md`` and ``escalation.json``; exits 1 if a check fails.
The host device count must be set before jax is imported for parallel chains (done in
``main`` below when run as a module).
"""

from __future__ import annotations

import json
import sys

from riskengine.inference.validation import table

CUTOFF_YEAR = 1990
RECOVERY_MONTHS = 600


def prior_predictive(rng_key, frame) -> dict:
    """Base rates implied by the priors alone (400 prior draws, real covariates)."""
    from numpyro.infer import Predictive

    from riskengine.models.escalation import core as escalation
    from riskengine.models.escalation.checks import predictive_table

    draws = Predictive(escalation.model, num_samples=400)(rng_key)
    table = predictive_table(rng_key, escalation.params_from_draws(draws), frame, source="prior")
    plausible = {"war share: all", "duration share: 1-1 months"}
    table["passed"] = all(
        row["lower_5"] <= row["observed"] <= row["upper_95"]
        for row in table["rows"]
        if row["statistic"] in plausible
    )
    return table


SBC_OPTIONS = {"num_warmup": 100, "num_samples": 160, "thin": 8}


def sbc(rng_key, num_replications: int, num_control: int) -> dict:
    """SBC and its negative control, replications spread over a dask LocalCluster."""
    import jax

    from riskengine.ensemble.cluster import execution
    from riskengine.models.escalation.calibration import (
        rank_uniformity,
        run_sbc,
        synthetic_covariates,
    )

    key_correct, key_control = jax.random.split(rng_key)
    with execution("local") as where:
        batches = {"mapper": where.map, "num_batches": 4 * where.num_workers}
        correct = run_sbc(
            key_correct,
            synthetic_covariates(),
            num_replications=num_replications,
            **batches,
            **SBC_OPTIONS,
        )
        control = run_sbc(
            key_control,
            synthetic_covariates(),
            num_replications=num_control,
            misspecified=True,
            **batches,
            **SBC_OPTIONS,
        )
    p_correct, p_control = rank_uniformity(correct), rank_uniformity(control)
    threshold = 0.01 / len(p_correct)
    return {
        "num_replications": num_replications,
        "num_control_replications": num_control,
        "where": where.description,
        "p_values": p_correct,
        "control_p_values": p_control,
        "threshold": threshold,
        "divergent_replications": int(sum(correct.divergences > 0)),
        "uniform": min(p_correct.values()) >= threshold,
        "control_rejected": min(p_control.values()) < threshold,
        "passed": min(p_correct.values()) >= threshold and min(p_control.values()) < threshold,
    }


def recovery(rng_key, disputes, truth) -> dict:
    """Fit synthetic data (real covariates, known ``truth``); z-scores and 90% coverage."""
    import jax
    import numpy as np

    from riskengine.models.escalation.calibration import scalar_parameters, simulate_disputes
    from riskengine.models.escalation.fit import fit_escalation

    key_data, key_fit = jax.random.split(rng_key)
    # the fit's likelihood is not truncated: simulate to RECOVERY_MONTHS (mass beyond ~1e-4)
    peak, duration = simulate_disputes(
        key_data, truth, disputes["covariates"], num_months=RECOVERY_MONTHS
    )
    synthetic = {
        "covariates": disputes["covariates"],
        "peak_level": np.asarray(peak),
        "duration_months": np.asarray(duration),
    }
    tree, report = fit_escalation(
        key_fit, synthetic, num_chains=2, num_warmup=300, num_samples=300, chain_method="sequential"
    )
    names, true_values = scalar_parameters(jax.tree.map(lambda x: np.asarray(x)[None], truth))
    posterior = tree["posterior"].to_dataset()
    from riskengine.models.escalation import core as escalation

    draws = escalation.Params(
        *(
            posterior[f].values.reshape(-1, *posterior[f].shape[2:])
            for f in escalation.Params._fields
        )
    )
    _, samples = scalar_parameters(draws)
    lower, upper = np.quantile(samples, [0.05, 0.95], axis=0)
    z = (samples.mean(0) - true_values[0]) / samples.std(0)
    inside = (lower <= true_values[0]) & (true_values[0] <= upper)
    crisis_management = escalation.COVARIATE_NAMES.index("crisis_management")
    identified = [i for i, n in enumerate(names) if n != f"coefficients[{crisis_management}]"]
    return {
        "parameters": {
            n: {
                "truth": float(true_values[0][i]),
                "mean": float(samples[:, i].mean()),
                "z": float(z[i]),
                "inside_90": bool(inside[i]),
            }
            for i, n in enumerate(names)
        },
        "coverage_90": float(inside[identified].mean()),
        "max_abs_z": float(np.abs(z[identified]).max()),
        "fit_diagnostics": report,
        "passed": bool(inside[identified].mean() >= 0.75 and np.abs(z[identified]).max() < 4),
    }


def reproduction(frame) -> dict:
    """Refit with the shipped posterior's seed and NUTS options; compare with its draws.

    Passes when every parameter's posterior mean agrees within 5 combined Monte Carlo
    standard errors; ``max_abs_difference`` says whether the draws are bit-identical.
    """
    import jax
    import xarray as xr

    from riskengine.ensemble.parameters import posterior_path
    from riskengine.models.escalation.data import dispute_arrays
    from riskengine.models.escalation.fit import fit_escalation

    with xr.open_datatree(posterior_path("escalation"), engine="h5netcdf") as tree:
        shipped = tree["posterior"].to_dataset().load()
        options, seed = json.loads(tree.attrs["nuts"]), int(tree.attrs["seed"])
    refit, report = fit_escalation(jax.random.key(seed), dispute_arrays(frame), **options)
    comparison = compare_posteriors(shipped, refit["posterior"].to_dataset())
    return {"seed": seed, "nuts": options, "fit_seconds": report["fit_seconds"], **comparison}


def compare_posteriors(reference, other) -> dict:
    """Per parameter, max |difference of means| / combined MCSE; passes when all < 5.

    ``max_abs_difference`` (largest difference of any draw) is 0 for bit-identical draws.
    """
    import arviz as az
    import numpy as np

    other = other.astype(np.float32)
    mcse_reference, mcse_other = az.mcse(reference), az.mcse(other)
    rows, passed, largest = {}, True, 0.0
    for name in reference.data_vars:
        difference = other[name].mean(("chain", "draw")) - reference[name].mean(("chain", "draw"))
        mcse = np.hypot(mcse_other[name].values, mcse_reference[name].values)
        z = np.abs(difference.values) / mcse
        largest = max(largest, float(np.max(np.abs(other[name].values - reference[name].values))))
        rows[name] = {"max_abs_z": float(np.max(z))}
        passed &= bool(np.all(z < 5))
    return {"parameters": rows, "max_abs_difference": largest, "passed": passed}


def backtest(rng_key, frame) -> dict:
    """Fit on disputes before CUTOFF_YEAR, score P(war) and P(peak) on the later ones.

    The later disputes belong to an era the training data do not contain (post-Cold War,
    the model's reference era), so for the backtest the last training era, the Cold War,
    is made the reference (its indicator zeroed in every dispute): the held-out disputes
    are forecast as if they followed Cold War base rates, as a forecaster in 1990 would
    have had to. (Its ``era_resolve_ratio`` and ``era_escalate_shift`` then have no data
    and stay at their priors.)
    """
    import jax
    import jax.numpy as jnp
    import numpy as np

    from riskengine.models.escalation import core as escalation
    from riskengine.models.escalation.data import dispute_arrays
    from riskengine.models.escalation.fit import fit_escalation
    from riskengine.models.escalation.likelihood import peak_duration_probabilities

    arrays = dispute_arrays(frame)
    arrays["covariates"][:, escalation.COVARIATE_NAMES.index("era_cold_war")] = 0.0
    train = arrays["start_year"] < CUTOFF_YEAR
    training = {name: value[train] for name, value in arrays.items()}
    tree, report = fit_escalation(
        rng_key, training, num_chains=2, num_warmup=300, num_samples=300, chain_method="sequential"
    )
    posterior = tree["posterior"].to_dataset()
    index = (
        np.linspace(0, posterior.sizes["chain"] * posterior.sizes["draw"] - 1, 100)
        .round()
        .astype(int)
    )
    draws = escalation.Params(
        *(
            jnp.asarray(posterior[f].values.reshape(-1, *posterior[f].shape[2:])[index])
            for f in escalation.Params._fields
        )
    )
    test_covariates = jnp.asarray(arrays["covariates"][~train])
    peak_probability = jax.lax.map(
        lambda p: jnp.sum(peak_duration_probabilities(p, test_covariates, 162), axis=-1), draws
    ).mean(0)
    peak_probability = np.asarray(peak_probability / peak_probability.sum(-1, keepdims=True))
    observed_peak = arrays["peak_level"][~train]
    war = (observed_peak == 4).astype(float)
    war_probability = peak_probability[:, 3]
    base_rate = float(np.mean(training["peak_level"] == 4))
    base_peak = np.bincount(training["peak_level"] - 1, minlength=4) / train.sum()
    brier = float(np.mean((war_probability - war) ** 2))
    brier_base = float(np.mean((base_rate - war) ** 2))
    log_score = float(np.mean(np.log(peak_probability[np.arange(war.size), observed_peak - 1])))
    log_score_base = float(np.mean(np.log(base_peak[observed_peak - 1])))
    edges = np.quantile(war_probability, np.linspace(0, 1, 6))
    groups = np.clip(np.searchsorted(edges, war_probability, side="right") - 1, 0, 4)
    reliability = [
        {
            "mean_forecast": float(war_probability[groups == g].mean()),
            "observed_war_share": float(war[groups == g].mean()),
            "count": int((groups == g).sum()),
        }
        for g in range(5)
        if np.any(groups == g)
    ]
    return {
        "cutoff_year": CUTOFF_YEAR,
        "num_train": int(train.sum()),
        "num_test": int((~train).sum()),
        "test_war_count": int(war.sum()),
        "training_base_rate": base_rate,
        "brier": brier,
        "brier_base_rate": brier_base,
        "brier_skill": 1 - brier / brier_base,
        "peak_log_score": log_score,
        "peak_log_score_base_rate": log_score_base,
        "reliability_quintiles": reliability,
        "fit_diagnostics": report,
        "passed": bool(brier <= brier_base and log_score >= log_score_base),
    }


def _sbc_section(sbc: dict) -> list[str]:
    text = (
        f"{sbc['num_replications']} replications; chi-square rank-uniformity p-values per "
        f"parameter (Bonferroni threshold {sbc['threshold']:.1e}); "
        f"{sbc['divergent_replications']} replications had divergences; negative control "
        f"(peaks read one level too high, {sbc['num_control_replications']} replications) "
        "rejected: "
        f"{sbc['control_rejected']}."
    )
    rows = [
        (n, f"{p:.3g}", f"{sbc['control_p_values'][n]:.3g}") for n, p in sbc["p_values"].items()
    ]
    return [text, "", *table(("parameter", "p (correct)", "p (negative control)"), rows)]


def _recovery_section(recovery: dict) -> list[str]:
    text = f"90% coverage {recovery['coverage_90']:.2f}; max |z| {recovery['max_abs_z']:.2f}."
    rows = [
        (n, f"{v['truth']:.3f}", f"{v['mean']:.3f}", f"{v['z']:.2f}", v["inside_90"])
        for n, v in recovery["parameters"].items()
    ]
    header = ("parameter", "truth", "posterior mean", "z", "inside 90%")
    return [text, "", *table(header, rows)]


def _backtest_section(backtest: dict) -> list[str]:
    text = (
        f"train {backtest['num_train']}, test {backtest['num_test']} "
        f"({backtest['test_war_count']} wars); Brier {backtest['brier']:.4f} vs base rate "
        f"{backtest['brier_base_rate']:.4f} (skill {backtest['brier_skill']:.3f}); peak log "
        f"score {backtest['peak_log_score']:.3f} vs base rate "
        f"{backtest['peak_log_score_base_rate']:.3f}. Reliability (quintiles of the forecast):"
    )
    rows = [
        (f"{r['mean_forecast']:.4f}", f"{r['observed_war_share']:.4f}", r["count"])
        for r in backtest["reliability_quintiles"]
    ]
    return [text, "", *table(("mean forecast P(war)", "observed war share", "count"), rows)]


def _reproduction_section(reproduction: dict) -> list[str]:
    text = (
        f"Refit with seed {reproduction['seed']} and {reproduction['nuts']} in "
        f"{reproduction['fit_seconds']:.0f} s; largest absolute difference from the shipped "
        f"draws {reproduction['max_abs_difference']:.3g}."
    )
    rows = [(n, f"{v['max_abs_z']:.2f}") for n, v in reproduction["parameters"].items()]
    return [text, "", *table(("parameter", "max |mean difference| / MCSE"), rows)]


def _prior_predictive_section(table: dict) -> list[str]:
    from riskengine.models.escalation.checks import format_check_table

    return ["```", format_check_table(table), "```", ""]


SECTIONS = {
    "prior_predictive": ("Prior predictive check", _prior_predictive_section),
    "reproduction": ("Reproduction of the shipped posterior", _reproduction_section),
    "sbc": ("Simulation-based calibration", _sbc_section),
    "recovery": ("Parameter recovery (real covariates, synthetic outcomes)", _recovery_section),
    "backtest": (f"Backtest (fit before {CUTOFF_YEAR}, predict later disputes)", _backtest_section),
}


def main(argv=None) -> int:
    from riskengine.inference.validation import parse_arguments

    arguments = parse_arguments(argv, __doc__, SECTIONS)  # 4 host devices: parallel chains
    import jax

    from riskengine.data.paths import file_sha256
    from riskengine.inference.validation import run_checks
    from riskengine.models.escalation import core as escalation
    from riskengine.models.escalation.data import dispute_arrays, load_disputes
    from riskengine.models.paths import posterior_path

    frame = load_disputes()
    keys = jax.random.split(jax.random.key(20260611), 4)
    truth = escalation.Params(**{f: jax.numpy.asarray(v) for f, v in _recovery_truth().items()})
    replications = (20, 10) if arguments.quick else (200, 40)
    checks = {
        "prior_predictive": (prior_predictive, keys[0], frame),
        "backtest": (backtest, keys[3], frame),
    }
    if not arguments.quick:
        checks["recovery"] = (recovery, keys[2], dispute_arrays(frame), truth)
        checks["reproduction"] = (reproduction, frame)
    checks["sbc"] = (sbc, keys[1], *replications)
    return run_checks(
        "escalation",
        "Escalation model validation",
        checks,
        SECTIONS,
        quick=arguments.quick,
        only=arguments.only,
        fingerprint=file_sha256(posterior_path("escalation")),
    )


def _recovery_truth() -> dict:
    """Known parameters near the MID posterior (rounded), for the recovery check."""
    return {
        "onset_cutpoints": [-4.35, -1.13, 5.7],
        "step_cutpoints": [-0.01, 2.66, 6.54],
        "level_effect": [3.86, 1.04, -1.03],
        "coefficients": [-0.02, -0.4, 0.06, -0.2, -0.04, -0.07, 0.0, -0.24, -0.55, 0.31, 0.9, 0.44],
        "resolve_scale": 1.51,
        "multilateral_resolve_ratio": 1.38,
        "era_resolve_ratio": [1.11, 0.92, 0.81],
        "era_escalate_shift": [-2.2, -1.86, -0.63],
    }


if __name__ == "__main__":
    sys.exit(main())
