"""NUTS on the sanctions model: numpyro (the shipped fit) vs the same model in PyMC.

Same data (the 540 TIES cases of ``riskengine.models.sanctions.data``), same priors and
the same exact likelihood (written once more in PyTensor below, checked against the JAX
one at a point before timing), same chains, warmup and draws. Reported per sampler:
wall time (compile included, and sampling alone where the library separates them),
minimum bulk and tail ESS over every sampled site, and min bulk ESS per second; the
figure of merit is the ratio numpyro / PyMC of min bulk ESS per second (floor 2).
Two numpyro settings are timed: the shipped fit (``riskengine.models.sanctions.fit
.run_nuts``: Laplace warm start, diagonal mass matrix, target acceptance 0.8), and
numpyro with PyMC's defaults (random init in [-2, 2], diagonal mass, 0.8) for a
like-for-like comparison of the samplers; a ``--dense`` run times the dense mass matrix
the fit used before. PyMC is a benchmark-only dependency (``pip install
-c requirements.lock -e ".[bench]"``).

Run: ``.venv/bin/python benchmarks/sanctions_nuts.py [--repeats N]``; writes
``benchmarks/sanctions_nuts.json`` and a table to stdout (and to RESULTS.md via run.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

NUM_CHAINS, NUM_WARMUP, NUM_SAMPLES = 4, 500, 500
SEED = 20261130
SITES = (
    "hazard_intercept",
    "hazard_coefficients",
    "hazard_duration_slope",
    "outcome_cutpoint_first",
    "outcome_cutpoint_gap",
    "outcome_coefficients",
    "outcome_duration_slope",
    "issue_raw",
    "issue_scale",
    "era_raw",
    "era_scale",
    "target_cost_cutpoint_first",
    "target_cost_cutpoint_gap",
    "target_cost_coefficients",
    "sender_cost_cutpoint_first",
    "sender_cost_cutpoint_gap",
    "sender_cost_coefficients",
)


def _cases():
    from riskengine.models.sanctions.data import case_arrays, load_cases

    return case_arrays(load_cases())


def _ess(samples: dict) -> tuple[float, float]:
    """Min bulk and tail ESS over every element of every sampled site."""
    import arviz as az
    import xarray as xr

    dataset = xr.Dataset(
        {
            name: (
                ("chain", "draw", *[f"{name}_{i}" for i in range(np.ndim(v) - 2)]),
                np.asarray(v),
            )
            for name, v in samples.items()
        }
    )
    bulk = az.ess(dataset, method="bulk")
    tail = az.ess(dataset, method="tail")
    return (
        min(float(bulk[name].min()) for name in samples),
        min(float(tail[name].min()) for name in samples),
    )


def run_numpyro(cases, *, shipped: bool, dense: bool = False) -> dict:
    import jax
    from numpyro.infer import MCMC, NUTS

    from riskengine.models.sanctions import core
    from riskengine.models.sanctions.fit import model_cases, run_nuts

    started = time.perf_counter()
    if shipped:
        options = {"dense_mass": True, "target_accept_prob": 0.9} if dense else {}
        mcmc = run_nuts(
            jax.random.key(SEED),
            cases,
            num_chains=NUM_CHAINS,
            num_warmup=NUM_WARMUP,
            num_samples=NUM_SAMPLES,
            **options,
        )
    else:
        blocks, grids = core.split_by_duration(model_cases(cases))
        mcmc = MCMC(
            NUTS(core.model, target_accept_prob=0.8),
            num_warmup=NUM_WARMUP,
            num_samples=NUM_SAMPLES,
            num_chains=NUM_CHAINS,
            chain_method="parallel",
            progress_bar=False,
        )
        mcmc.run(jax.random.key(SEED), blocks, num_months=grids, extra_fields=("diverging",))
    samples = mcmc.get_samples(group_by_chain=True)
    jax.block_until_ready(samples)
    seconds = time.perf_counter() - started
    divergences = int(np.asarray(mcmc.get_extra_fields()["diverging"]).sum())
    bulk, tail = _ess({name: samples[name] for name in SITES})
    return {
        "seconds": seconds,
        "min_ess_bulk": bulk,
        "min_ess_tail": tail,
        "divergences": divergences,
    }


def _pymc_model(cases):
    import pymc as pm
    import pytensor.tensor as pt

    from riskengine.models.sanctions.core import split_by_duration

    covariates = np.asarray(cases["covariates"], np.float64)
    duration = np.asarray(cases["duration_months"], np.int64)
    k = covariates.shape[1]
    # the same duration blocks as the numpyro likelihood: each block's grid is its longest case
    blocks, grids = split_by_duration(
        {"index": np.arange(duration.size), "duration_months": duration}
    )

    def ordered_logp(first, gap, location, category):
        lower, upper = first - location, first + gap - location
        middle = pt.log(pt.sigmoid(upper)) + pt.log(pt.sigmoid(-lower)) + pt.log(-pt.expm1(-gap))
        first_logp, last_logp = pt.log(pt.sigmoid(lower)), pt.log(pt.sigmoid(-upper))
        return pt.switch(
            pt.eq(category, 0), first_logp, pt.switch(pt.eq(category, 1), middle, last_logp)
        )

    with pm.Model() as model:
        site = {
            "hazard_intercept": pm.Normal("hazard_intercept", -3.0, 1.0),
            "hazard_coefficients": pm.Normal("hazard_coefficients", 0.0, 1.0, shape=k),
            "hazard_duration_slope": pm.Normal("hazard_duration_slope", 0.0, 0.5),
            "outcome_cutpoint_first": pm.Normal("outcome_cutpoint_first", 0.0, 1.5),
            "outcome_cutpoint_gap": pm.LogNormal("outcome_cutpoint_gap", 0.0, 0.5),
            "outcome_coefficients": pm.Normal("outcome_coefficients", 0.0, 1.0, shape=k),
            "outcome_duration_slope": pm.Normal("outcome_duration_slope", 0.0, 0.5),
            "issue_raw": pm.Normal("issue_raw", 0.0, 1.0, shape=5),
            "issue_scale": pm.HalfNormal("issue_scale", 0.75),
            "era_raw": pm.Normal("era_raw", 0.0, 1.0, shape=3),
            "era_scale": pm.HalfNormal("era_scale", 0.75),
            "target_cost_cutpoint_first": pm.Normal("target_cost_cutpoint_first", 1.0, 1.5),
            "target_cost_cutpoint_gap": pm.LogNormal("target_cost_cutpoint_gap", np.log(1.5), 0.5),
            "target_cost_coefficients": pm.Normal("target_cost_coefficients", 0.0, 1.0, shape=k),
            "sender_cost_cutpoint_first": pm.Normal("sender_cost_cutpoint_first", 2.5, 1.5),
            "sender_cost_cutpoint_gap": pm.LogNormal("sender_cost_cutpoint_gap", np.log(2.0), 0.5),
            "sender_cost_coefficients": pm.Normal("sender_cost_coefficients", 0.0, 1.0, shape=k),
        }
        log_duration = 0.0
        for block, grid in zip(blocks, grids, strict=True):
            index = block["index"]
            log_months = np.log(np.arange(1, grid + 1, dtype=np.float64))
            logit = (
                site["hazard_intercept"]
                + pt.dot(covariates[index], site["hazard_coefficients"])[:, None]
                + site["hazard_duration_slope"] * log_months[None, :]
            )
            log_stay = pt.log(pt.sigmoid(-logit))
            log_end = pt.cumsum(log_stay, axis=1) - log_stay + pt.log(pt.sigmoid(logit))
            log_duration = log_duration + log_end[np.arange(index.size), duration[index] - 1].sum()
        issue_effect = site["issue_scale"] * (site["issue_raw"] - site["issue_raw"].mean())
        era_effect = site["era_scale"] * (site["era_raw"] - site["era_raw"].mean())
        location = (
            pt.dot(covariates, site["outcome_coefficients"])
            + issue_effect[cases["issue"]]
            + era_effect[cases["era"]]
            + site["outcome_duration_slope"] * np.log(duration)
        )
        total = ordered_logp(
            site["outcome_cutpoint_first"], site["outcome_cutpoint_gap"], location, cases["outcome"]
        )
        for prefix in ("target_cost", "sender_cost"):
            cost = np.asarray(cases[prefix])
            cost_logp = ordered_logp(
                site[f"{prefix}_cutpoint_first"],
                site[f"{prefix}_cutpoint_gap"],
                pt.dot(covariates, site[f"{prefix}_coefficients"]),
                np.maximum(cost, 0),
            )
            total = total + pt.switch(cost >= 0, cost_logp, 0.0)
        pm.Potential("cases", total.sum() + log_duration)
    return model


def check_same_likelihood(cases) -> tuple[float, float]:
    """(|difference|, PyMC value) of the two log-likelihoods at PyMC's initial point: the
    same up to float32 rounding (JAX computes in float32, PyTensor in float64)."""
    from numpyro.infer.util import log_density

    from riskengine.models.sanctions import core
    from riskengine.models.sanctions.fit import model_cases

    model = _pymc_model(cases)
    point = model.initial_point()
    values = {}
    for variable in model.value_vars:
        name = variable.name
        base = name.removesuffix("_log__")
        values[base] = np.exp(point[name]) if name.endswith("_log__") else point[name]
    data = model_cases(cases)
    num_months = int(np.max(np.asarray(data["duration_months"])))
    jax_logp, _ = log_density(core.model, (data,), {"num_months": num_months}, values)
    potential = model.compile_fn(model.logp(vars=model.potentials, jacobian=False))
    pymc_logp = float(potential(point))
    jax_likelihood = float(jax_logp) - float(log_density(core.model, (None,), {}, values)[0])
    return abs(jax_likelihood - pymc_logp), pymc_logp


def run_pymc(cases) -> dict:
    import pymc as pm

    started = time.perf_counter()
    with _pymc_model(cases):
        trace = pm.sample(
            draws=NUM_SAMPLES,
            tune=NUM_WARMUP,
            chains=NUM_CHAINS,
            cores=2,
            mp_ctx="spawn",  # not fork: this process has JAX's threads running
            random_seed=SEED,
            progressbar=False,
            compute_convergence_checks=False,
        )
    seconds = time.perf_counter() - started
    posterior = trace.posterior if hasattr(trace, "posterior") else trace["posterior"]
    samples = {name: np.asarray(posterior[name].values) for name in SITES}
    bulk, tail = _ess(samples)
    stats = trace.sample_stats if hasattr(trace, "sample_stats") else trace["sample_stats"]
    divergences = int(np.asarray(stats["diverging"].values).sum())
    return {
        "seconds": seconds,
        "min_ess_bulk": bulk,
        "min_ess_tail": tail,
        "divergences": divergences,
    }


def _row(name: str, result: dict) -> str:
    rate = result["min_ess_bulk"] / result["seconds"]
    return (
        f"| {name} | {result['seconds']:.1f} | {result['min_ess_bulk']:.0f} | "
        f"{result['min_ess_tail']:.0f} | {rate:.2f} | {result['divergences']} |"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--dense", action="store_true", help="also time the dense mass matrix")
    parser.add_argument("--out", default=str(Path(__file__).with_name("sanctions_nuts.json")))
    arguments = parser.parse_args(argv)
    load_before = os.getloadavg()
    cases = _cases()
    difference, value = check_same_likelihood(cases)
    print(f"log-likelihoods at a prior point: PyMC {value:.3f}, |JAX - PyMC| = {difference:.2e}")
    runs = {"numpyro shipped": [], "numpyro defaults": [], "pymc defaults": []}
    if arguments.dense:
        runs["numpyro dense (before)"] = []
    for _ in range(arguments.repeats):
        runs["numpyro shipped"].append(run_numpyro(cases, shipped=True))
        if arguments.dense:
            runs["numpyro dense (before)"].append(run_numpyro(cases, shipped=True, dense=True))
        runs["numpyro defaults"].append(run_numpyro(cases, shipped=False))
        runs["pymc defaults"].append(run_pymc(cases))
    rates = {k: [r["min_ess_bulk"] / r["seconds"] for r in v] for k, v in runs.items()}
    ratios = {
        "shipped / pymc": [
            a / b for a, b in zip(rates["numpyro shipped"], rates["pymc defaults"], strict=True)
        ],
        "defaults / pymc": [
            a / b for a, b in zip(rates["numpyro defaults"], rates["pymc defaults"], strict=True)
        ],
    }
    report = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "settings": {
            "chains": NUM_CHAINS,
            "warmup": NUM_WARMUP,
            "draws": NUM_SAMPLES,
            "seed": SEED,
        },
        "likelihood_difference": difference,
        "likelihood_value": value,
        "runs": runs,
        "ratios": {
            k: {"median": float(np.median(v)), "min": min(v), "max": max(v)}
            for k, v in ratios.items()
        },
        "floor": 2.0,
        "load": " / ".join(
            ", ".join(f"{x:.1f}" for x in load) for load in (load_before, os.getloadavg())
        ),
    }
    Path(arguments.out).write_text(json.dumps(report, indent=2))
    print(
        "| sampler | seconds (compile included) | min bulk ESS | min tail ESS | bulk ESS / s | divergences |"
    )
    print("|---|---|---|---|---|---|")
    for name, results in runs.items():
        print(_row(name, results[0]))
    for name, summary in report["ratios"].items():
        print(
            f"{name}: median {summary['median']:.2f} (min {summary['min']:.2f}, max {summary['max']:.2f}); floor 2"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
