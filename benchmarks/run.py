"""Benchmarks of the escalation ensemble engine against NumPy baselines: ``make bench``.

    .venv/bin/python benchmarks/run.py            # full run (~5 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # smoke run (~1 minute)

Throughput is path-months per second (one path = one variant's crisis; a path of T
months counts T). Each single-process section runs in a fresh subprocess pinned to one
core (NumPy and XLA limited to one thread); the dask sections use the engine's own
LocalCluster (one pinned single-thread worker per core). Writes ``benchmarks/RESULTS.md``,
keeping its hand-written interpretation section.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
INTERPRETATION_MARK = "<!-- interpretation: kept across runs -->"
SEED = 20261126
# Example parameters for the statistical checks, chosen so that war by month 24 is common
# (~0.5) from a threat start; the prior draw used for timing has P(war) ~ 0.001.
EXAMPLE_PARAMETERS = {
    "onset_cutpoints": [-3.0, -1.0, 1.0],
    "step_cutpoints": [-2.5, -1.5, 1.0],
    "level_effect": [0.3, 0.6, 0.9],
    "coefficients": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, -0.4, 0.0, 0.0, 0.0],
    "resolve_scale": 0.8,
    "multilateral_resolve_ratio": 1.3,
    "era_resolve_ratio": [1.0, 1.0, 1.0],
    "era_escalate_shift": [0.0, 0.0, 0.0],
}


def _example_draws() -> dict:
    """EXAMPLE_PARAMETERS as (chain = 1, draw = 1, ...) float32 arrays."""
    import numpy as np

    return {k: np.asarray(v, np.float32)[None, None] for k, v in EXAMPLE_PARAMETERS.items()}


def _pin_to_one_core() -> None:
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})


def _best_time(function, repeats: int) -> float:
    function()  # warm: compile, caches
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------- the fixed workload
def _workload(num_months: int):
    """Quickstart scenario, its covariates and one fixed prior draw of the parameters."""
    from riskengine.config import load_scenario
    from riskengine.ensemble.parameters import select_parameter_draws
    from riskengine.models import get_model

    scenario = load_scenario(ROOT / "configs/quickstart.yaml")
    scenario.horizon_months = num_months
    model = get_model("escalation")
    inputs = model.scenario_inputs(scenario)
    draws, _, _ = select_parameter_draws(
        model, source="prior", seed=SEED, num_chains=1, num_draws=1
    )
    return scenario, model, inputs, draws


def _fixed_params(draws):
    import numpy as np

    from riskengine.models.escalation.core import Params

    return Params(*(np.asarray(draws[name][0, 0], np.float32) for name in Params._fields))


def _engine_counts(model, inputs, draws, num_paths: int, num_months: int, variant: int = 0):
    """Engine counts for one variant (the compiled task function on one block)."""
    import numpy as np

    from riskengine.ensemble.keys import draw_key_words
    from riskengine.ensemble.tasks import TaskSpec, run_task

    words = draw_key_words(
        SEED, np.array([0]), np.array([0]), len(inputs.inputs.start_level), common=True
    )
    params = (tuple(np.asarray(draws[name][0, :1]) for name in model.parameters),)
    spec = TaskSpec(
        ("escalation",), (("num_months", num_months),), 0, 1, 0, num_paths, num_paths, 1, 1
    )
    counts = run_task(spec, params, words, (inputs.inputs,))
    return counts["level_count"][0, variant], counts["peak_count"][0, variant]


# ------------------------------------------------------------- single-process sections
def section_kernel(quick: bool) -> dict:
    """The ensemble's compiled task function on one block (3 variants), one core."""
    results = {f"engine_{months}": _kernel_rate(months, quick) for months in (24, 120)}
    results["peak_rss_mb"] = _peak_rss_mb()
    return results


def _kernel_rate(num_months: int, quick: bool) -> float:
    import numpy as np

    from riskengine.ensemble.keys import draw_key_words
    from riskengine.ensemble.tasks import TaskSpec, run_task

    _, model, inputs, draws = _workload(num_months)
    block = 100_000  # the default chunk_paths
    words = draw_key_words(SEED, np.array([0]), np.array([0]), 3, common=True)
    params = (tuple(np.asarray(draws[name][0, :1]) for name in model.parameters),)
    spec = TaskSpec(("escalation",), (("num_months", num_months),), 0, 1, 0, block, block, 1, 1)
    seconds = _best_time(lambda: run_task(spec, params, words, (inputs.inputs,)), 2 if quick else 5)
    return 3 * block * num_months / seconds


def section_composite(quick: bool) -> dict:
    """Escalation alone vs escalation + sanctions in one path (the compiled task function
    on one block of tests/data/tiny_coupled.yaml, 3 variants, one core): path-months/s,
    and the ratio composite / alone per repeat (median, min, max)."""
    results = {}
    for months in (24, 120):
        alone, composed = _composite_times(months, quick)
        ratios = [a / c for a, c in zip(alone, composed, strict=True)]  # rate ratio
        block = 20_000 if quick else 100_000
        results[f"alone_{months}"] = 3 * block * months / min(alone)
        results[f"composite_{months}"] = 3 * block * months / min(composed)
        results[f"ratio_{months}"] = {
            "median": sorted(ratios)[len(ratios) // 2],
            "min": min(ratios),
            "max": max(ratios),
        }
    return results


def _composite_times(num_months: int, quick: bool) -> tuple[list, list]:
    import numpy as np

    from riskengine.config import Scenario, load_scenario
    from riskengine.ensemble.keys import draw_key_words
    from riskengine.ensemble.parameters import select_parameter_draws
    from riskengine.ensemble.tasks import TaskSpec, run_task
    from riskengine.models import ensemble_model

    data = load_scenario(ROOT / "tests/data/tiny_coupled.yaml").model_dump()
    data["horizon_months"] = num_months
    scenario = Scenario.build(**data)
    block = 20_000 if quick else 100_000
    words = draw_key_words(SEED, np.array([0]), np.array([0]), 3, common=True)
    timed = {}
    for names in (("escalation",), ("escalation", "sanctions")):
        model = ensemble_model(names)
        inputs = model.scenario_inputs(scenario)
        flat = {}
        for part, index in zip(model.models, model.stream_indices, strict=True):
            draws, _, _ = select_parameter_draws(
                part, source="prior", seed=SEED, num_chains=1, num_draws=1, stream_index=index
            )
            flat |= {f"{part.name}.{k}": np.asarray(v[0, :1]) for k, v in draws.items()}
        params = model.pack(flat)
        spec = TaskSpec(names, (("num_months", num_months),), 0, 1, 0, block, block, 1, 1)
        timed[names] = lambda spec=spec, params=params, inputs=inputs: run_task(
            spec, params, words, inputs.inputs
        )
    repeats = 3 if quick else 7
    for function in timed.values():
        function()  # warm: compile
    alone, composed = [], []
    for _ in range(repeats):  # interleaved, so slow phases of the machine hit both
        for names, times in ((("escalation",), alone), (("escalation", "sanctions"), composed)):
            started = time.perf_counter()
            timed[names]()
            times.append(time.perf_counter() - started)
    return alone, composed


def section_numpy(quick: bool) -> dict:
    """(a) naive and (b) expert NumPy, (c) ladder logic alone (NumPy and JAX), one core."""
    results = {}
    for months in (24, 120):
        results.update(_numpy_rates(months, quick))
    results["peak_rss_mb"] = _peak_rss_mb()
    return results


def _numpy_rates(num_months: int, quick: bool) -> dict:
    import numpy as np

    sys.path.insert(0, str(HERE))
    import reference_numpy as reference

    _, _, inputs, draws = _workload(num_months)
    params = _fixed_params(draws)
    covariates = np.asarray(inputs.inputs.covariates[0])
    start = int(inputs.inputs.start_level[0])
    naive_paths = 20_000 if quick else 100_000
    expert_paths = 200_000 if quick else 1_000_000
    limit_paths = 65_536
    uniforms = np.random.default_rng(2).random((num_months, limit_paths), np.float32)
    seconds = {
        "naive": _best_time(
            lambda: reference.naive(params, covariates, start, naive_paths, num_months, 1), 1
        ),
        "expert": _best_time(
            lambda: reference.expert(params, covariates, start, expert_paths, num_months, 1), 2
        ),
        "limit_numpy": _best_time(
            lambda: reference.ladder_only(params, covariates, start, uniforms), 3
        ),
    }
    return {
        f"naive_{num_months}": naive_paths * num_months / seconds["naive"],
        f"expert_{num_months}": expert_paths * num_months / seconds["expert"],
        f"limit_numpy_{num_months}": limit_paths * num_months / seconds["limit_numpy"],
        f"limit_jax_{num_months}": _ladder_only_jax(params, inputs, num_months, limit_paths),
    }


def _ladder_only_jax(params, inputs, num_months: int, num_paths: int) -> float:
    """The engine's month loop on pre-drawn bits (no hash): its logic and counting alone."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from riskengine.models.escalation import core as model
    from riskengine.primitives.counter_rng import stream_words

    size = model._SWEEP_PATHS
    one = jax.tree.map(lambda leaf: jnp.asarray(leaf[0]), inputs.inputs)
    key_words = jnp.asarray([1, 2], jnp.uint32)
    bits = np.random.default_rng(3).integers(
        0, 2**32, (num_paths // size, num_months, size), np.uint32
    )

    def sweep(total, block):
        path_index, month_bits = block
        stream = stream_words(key_words, path_index)
        _, thresholds, start = model._path_start(key_words, params, one, stream)

        def month(carry, bits_now):
            level, peak = carry
            counts = (
                model._histogram(model._level_bytes(level)),
                model._histogram(model._level_bytes(peak)),
            )
            level = model._advance(level, bits_now, thresholds)
            return (level, jnp.maximum(peak, level)), counts

        _, (levels, peaks) = jax.lax.scan(month, (start, start), month_bits)
        return total + model._unpack_counts(levels) + model._unpack_counts(peaks), None

    @jax.jit
    def run(all_bits):
        index = jnp.arange(num_paths, dtype=jnp.uint32).reshape(-1, size)
        total, _ = jax.lax.scan(sweep, jnp.zeros((num_months, 4), jnp.int32), (index, all_bits))
        return total

    all_bits = jnp.asarray(bits)
    seconds = _best_time(lambda: run(all_bits).block_until_ready(), 5)
    return num_paths * num_months / seconds


def section_checks(quick: bool) -> dict:
    """Statistical agreement: engine vs NumPy (P(war by month 24)); the hash vs a Markov chain."""
    import numpy as np

    sys.path.insert(0, str(HERE))
    import reference_numpy as reference

    num_months = 24
    _, model, inputs, _ = _workload(num_months)
    draws = _example_draws()
    params = _fixed_params(draws)
    covariates = np.asarray(inputs.inputs.covariates[0])
    start = int(inputs.inputs.start_level[0])
    n_engine, n_numpy = (200_000, 100_000) if quick else (1_000_000, 400_000)
    estimates = {
        "engine": _engine_counts(model, inputs, draws, n_engine, num_months)[1][-1, 4] / n_engine
    }
    estimates["naive"] = (
        reference.naive(params, covariates, start, n_numpy, num_months, 5)[1][-1, 4] / n_numpy
    )
    estimates["expert"] = (
        reference.expert(params, covariates, start, n_numpy, num_months, 6)[1][-1, 4] / n_numpy
    )
    results = {"p_war_by_24": estimates}
    for name in ("naive", "expert"):
        p = (estimates["engine"] + estimates[name]) / 2
        se = np.sqrt(p * (1 - p) * (1 / n_engine + 1 / n_numpy))
        results[f"z_{name}"] = float((estimates[name] - estimates["engine"]) / se)
    results["markov_max_z"] = _markov_check(model, inputs, draws, n_engine)
    return results


def _markov_check(model, inputs, draws, num_paths: int) -> float:
    """Largest |z| of the engine's per-month level shares vs the 5 x 5 matrix power.

    With ``resolve_scale = 0`` every path follows the same Markov chain, so the share of
    paths at each level in each month is known in closed form: a check of the counter
    hash (and of the kernel) that does not involve any NumPy generator.
    """
    import jax.numpy as jnp
    import numpy as np

    from riskengine.models.escalation.core import step_probabilities
    from riskengine.primitives.ladder import transition_matrix

    num_months = 24
    fixed = {name: value.copy() for name, value in draws.items()}
    fixed["resolve_scale"][...] = 0.0
    levels, _ = _engine_counts(model, inputs, fixed, num_paths, num_months)
    params = _fixed_params(fixed)
    eta = float(np.dot(np.asarray(inputs.inputs.covariates[0]), params.coefficients))
    matrix = np.asarray(transition_matrix(step_probabilities(params, jnp.float32(eta))), np.float64)
    state = np.zeros(5)
    state[int(inputs.inputs.start_level[0])] = 1.0
    worst = 0.0
    for month in range(num_months):
        share = levels[month] / num_paths
        se = np.sqrt(np.maximum(state * (1 - state), 1e-12) / num_paths)
        worst = max(worst, float(np.max(np.abs(share - state) / se)))
        state = state @ matrix
    return worst


# ----------------------------------------------------------------------- dask sections
def section_dask(quick: bool) -> dict:
    """riskengine.run through a warm LocalCluster (1 and 2 pinned workers) and threads."""
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)
    results = {}
    for months in (24, 120):
        results.update(_dask_rates(months, quick))
    results["client_peak_rss_mb"] = _peak_rss_mb()
    return results


def _dask_rates(num_months: int, quick: bool) -> dict:
    import riskengine
    from riskengine.ensemble.cluster import _local_cluster

    results = {}
    sizes = (100_000, 1_000_000) if quick else (1_000_000, 10_000_000)
    scenario, *_ = _workload(num_months)
    scenario.ensemble.parameters = "prior"
    scenario.ensemble.num_chains = 1

    def run(total_paths, **where):
        scenario.ensemble.num_draws = 10
        scenario.ensemble.paths_per_draw = total_paths // 10
        started = time.perf_counter()
        riskengine.run(scenario, progress=False, **where)
        return 3 * total_paths * num_months / (time.perf_counter() - started)

    for workers in (1, 2):
        started = time.perf_counter()
        cluster, client = _local_cluster(workers)
        results[f"cluster_start_s_{workers}"] = time.perf_counter() - started
        try:
            run(sizes[0], client=client)  # warm: workers import jax and compile
            for paths in sizes:
                results[f"dask{workers}_{num_months}_{paths}"] = run(paths, client=client)
                rss = client.run(_worker_peak_rss_mb)
                results[f"rss{workers}_{num_months}_{paths}"] = max(rss.values())
        finally:
            client.close()
            cluster.close()
    run(sizes[0], scheduler="threads", workers=2)
    results[f"threads_{num_months}"] = run(sizes[1], scheduler="threads", workers=2)
    return results


def _worker_peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------- the report
def _run_section(name: str, quick: bool) -> dict:
    command = [sys.executable, str(Path(__file__)), "--section", name] + ["--quick"] * quick
    print(f"[bench] {name} ...", flush=True)
    started = time.perf_counter()
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    print(f"[bench] {name} done in {time.perf_counter() - started:.0f} s", flush=True)
    return result


def _machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    flags = Path("/proc/cpuinfo").read_text()
    avx512 = "AVX-512" if "avx512f" in flags else "no AVX-512"
    return f"{model}, {os.cpu_count()} cores ({avx512}), {platform.system()} {platform.release()}"


def _report(results: dict, quick: bool, wall_s: float) -> str:
    kernel, numpy_, checks, dask_ = (results[k] for k in ("kernel", "numpy", "checks", "dask"))
    import jax

    lines = [
        "# Benchmarks: escalation ensemble engine",
        "",
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- machine: {_machine()}",
        f"- command: `{' '.join(['.venv/bin/python', 'benchmarks/run.py'] + ['--quick'] * quick)}` ({wall_s:.0f} s)",
        f"- python {platform.python_version()}, jax {jax.__version__}, numpy {__import__('numpy').__version__}",
        "- load average (1, 5, 15 min) before / after: "
        + " / ".join(", ".join(f"{x:.1f}" for x in results["load"][k]) for k in ("before", "after"))
        + " (load from other work sharing the 2 cores depresses every number, most the 2-worker ones)",
        "- workload: configs/quickstart.yaml (3 variants), one fixed prior draw (seed "
        f"{SEED}); path-months/s count variant paths x months",
        "",
        "## Throughput (path-months per second)",
        "",
        "| implementation | cores | 24 months | 120 months |",
        "|---|---|---|---|",
    ]

    def row(name, cores, key24, key120, source):
        lines.append(f"| {name} | {cores} | {source[key24]:.3g} | {source[key120]:.3g} |")

    big = max(k for k in dask_ if k.startswith("dask2_24_")).rsplit("_", 1)[1]
    row("(a) naive NumPy (per-path transition tables, float64)", 1, "naive_24", "naive_120", numpy_)
    row(
        "(b) expert NumPy (latent form, in place, PCG64 float32)",
        1,
        "expert_24",
        "expert_120",
        numpy_,
    )
    row(
        "(c) ladder logic alone, NumPy, pre-drawn uniforms",
        1,
        "limit_numpy_24",
        "limit_numpy_120",
        numpy_,
    )
    row("(c) ladder logic alone, JAX, pre-drawn bits", 1, "limit_jax_24", "limit_jax_120", numpy_)
    row("engine kernel (compiled task fn, 1e5-path block)", 1, "engine_24", "engine_120", kernel)
    row(
        f"engine: riskengine.run, LocalCluster 1 worker, {int(big):.0e} paths",
        1,
        f"dask1_24_{big}",
        f"dask1_120_{big}",
        dask_,
    )
    row(
        f"engine: riskengine.run, LocalCluster 2 workers, {int(big):.0e} paths",
        2,
        f"dask2_24_{big}",
        f"dask2_120_{big}",
        dask_,
    )
    row(
        f"engine: riskengine.run, threaded scheduler 2 threads, {int(big):.0e} paths",
        2,
        "threads_24",
        "threads_120",
        dask_,
    )

    lines += [
        "",
        "## Floors (engine = riskengine.run, 2 pinned workers, warm)",
        "",
        "| ratio | floor | 24 months | 120 months |",
        "|---|---|---|---|",
    ]
    for name, floor, denominator in (
        ("engine / (a) naive", 10, lambda t: numpy_[f"naive_{t}"]),
        ("engine / (b) expert (1 core)", 2, lambda t: numpy_[f"expert_{t}"]),
        (
            "engine / (c) limit (best of NumPy/JAX, x2 cores)",
            0.5,
            lambda t: 2 * max(numpy_[f"limit_numpy_{t}"], numpy_[f"limit_jax_{t}"]),
        ),
        ("2 workers / 1 worker", 1.8, lambda t: dask_[f"dask1_{t}_{big}"]),
    ):
        values = [dask_[f"dask2_{t}_{big}"] / denominator(t) for t in (24, 120)]
        marks = ["ok" if v >= floor else "**below floor**" for v in values]
        lines.append(
            f"| {name} | >= {floor} | {values[0]:.2f} ({marks[0]}) | {values[1]:.2f} ({marks[1]}) |"
        )

    small = min(int(k.rsplit("_", 1)[1]) for k in dask_ if k.startswith("rss2_24_"))
    lines += [
        "",
        "## Memory (peak RSS, MB)",
        "",
        "| process | paths | 24 months | 120 months |",
        "|---|---|---|---|",
    ]
    for workers in (1, 2):
        for paths in (small, int(big)):
            lines.append(
                f"| largest LocalCluster worker ({workers} worker{'s' * (workers > 1)}) | {paths:.0e} | "
                f"{dask_[f'rss{workers}_24_{paths}']:.0f} | {dask_[f'rss{workers}_120_{paths}']:.0f} |"
            )
    lines += [
        f"| client process (riskengine.run, all runs) | - | {dask_['client_peak_rss_mb']:.0f} | |",
        f"| single-process kernel section | 1e5 block | {kernel['peak_rss_mb']:.0f} | |",
        "",
        f"LocalCluster start: {dask_['cluster_start_s_1']:.2f} s (1 worker), {dask_['cluster_start_s_2']:.2f} s (2 workers).",
        "",
        "## Statistical agreement",
        "",
        "P(war by month 24), baseline variant, example parameters (`EXAMPLE_PARAMETERS`): "
        + ", ".join(f"{k} {v:.4f}" for k, v in checks["p_war_by_24"].items())
        + f"; z (NumPy - engine): naive {checks['z_naive']:+.2f}, expert {checks['z_expert']:+.2f} (pass: |z| < 5).",
        f"Counter hash vs closed form (resolve_scale = 0, per-month level shares vs the 5 x 5 matrix power, 24 months x 5 levels): max |z| = {checks['markov_max_z']:.2f} (pass: < 5).",
        "",
    ]
    return "\n".join(lines + _composite_lines(results["composite"]) + _nuts_lines())


def _composite_lines(composite: dict) -> list[str]:
    """Escalation alone vs escalation + sanctions in one path (the composite section)."""
    lines = [
        "## Models in one path (escalation + sanctions)",
        "",
        "The compiled task function on one block of tests/data/tiny_coupled.yaml (3 variants,",
        "prior draw, one core); ratio = composite / escalation-alone path-months per second,",
        "per interleaved repeat (median, min, max). No floor: the price of a second model.",
        "",
        "| | 24 months | 120 months |",
        "|---|---|---|",
        f"| escalation alone | {composite['alone_24']:.3g} | {composite['alone_120']:.3g} |",
        f"| escalation + sanctions | {composite['composite_24']:.3g} | {composite['composite_120']:.3g} |",
    ]
    ratios = [composite[f"ratio_{months}"] for months in (24, 120)]
    cells = [f"{r['median']:.2f} ({r['min']:.2f}-{r['max']:.2f})" for r in ratios]
    return [*lines, f"| ratio | {cells[0]} | {cells[1]} |", ""]


def _nuts_lines() -> list[str]:
    """The latest benchmarks/sanctions_nuts.py result (make bench runs it after this)."""
    path = HERE / "sanctions_nuts.json"
    if not path.exists():
        return ["## NUTS on the sanctions model vs PyMC", "", "(not run yet)", ""]
    report = json.loads(path.read_text())
    lines = [
        "## NUTS on the sanctions model vs PyMC",
        "",
        f"`benchmarks/sanctions_nuts.py` (its own run: {report['machine']}, load before / "
        f"after {report.get('load', 'not recorded')}): the 540 TIES cases, "
        f"{report['settings']['chains']} chains x ({report['settings']['warmup']} warmup + "
        f"{report['settings']['draws']} draws), seconds include compilation. Log-likelihoods "
        f"agree at a point to {report['likelihood_difference']:.1e} (of "
        f"{report['likelihood_value']:.1f}; float32 vs float64).",
        "",
        "| sampler | seconds | min bulk ESS | min tail ESS | bulk ESS / s | divergences |",
        "|---|---|---|---|---|---|",
    ]
    for name, runs in report["runs"].items():
        run = runs[0]
        lines.append(
            f"| {name} | {run['seconds']:.0f} | {run['min_ess_bulk']:.0f} | "
            f"{run['min_ess_tail']:.0f} | {run['min_ess_bulk'] / run['seconds']:.2f} | "
            f"{run['divergences']} |"
        )
    lines.append("")
    for name, ratio in report["ratios"].items():
        verdict = "ok" if ratio["median"] >= report["floor"] else "**below floor**"
        lines.append(
            f"- {name}: {ratio['median']:.2f} (min {ratio['min']:.2f}, max {ratio['max']:.2f}); "
            f"floor {report['floor']:.0f} ({verdict})"
        )
    return [*lines, ""]


def _interpretation() -> str:
    if RESULTS.exists() and INTERPRETATION_MARK in RESULTS.read_text():
        return RESULTS.read_text().split(INTERPRETATION_MARK, 1)[1]
    return "\n\n## Interpretation\n\n(to be written by a person after a full run)\n"


SECTIONS = {
    "kernel": section_kernel,
    "numpy": section_numpy,
    "checks": section_checks,
    "dask": section_dask,
    "composite": section_composite,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--section", choices=sorted(SECTIONS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.section:
        if args.section != "dask":
            _pin_to_one_core()
        print(json.dumps(SECTIONS[args.section](args.quick), default=float))
        return
    started, load_before = time.perf_counter(), os.getloadavg()
    results = {name: _run_section(name, args.quick) for name in SECTIONS}
    results["load"] = {"before": load_before, "after": os.getloadavg()}
    report = _report(results, args.quick, time.perf_counter() - started)
    print(report)
    RESULTS.write_text(report + "\n" + INTERPRETATION_MARK + _interpretation())
    (HERE / "results.json").write_text(json.dumps(results, indent=1, default=float))


if __name__ == "__main__":
    main()
