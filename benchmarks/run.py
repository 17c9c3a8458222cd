"""Benchmarks of the escalation ensemble engine: ``make bench``.

    .venv/bin/python benchmarks/run.py            # full run (~4 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # smoke run (~2-3 minutes)

Throughput is path-months per second (one path = one variant's crisis; a path of T
months counts T). Every figure is the median of at least 3 timed repeats (after a warm-up
call) with their min and max, all taken in one run. Compared: (a) naive and (b) expert
NumPy on one core, a Numba peer on every core (``reference_numba.py``: the same counter
hash, with and without the settled-path shortcut), the bare compiled kernel on one core,
and ``riskengine.run`` end to end (the default call, warm LocalClusters of 1 and 2
workers, the threaded scheduler) at two sizes, with its efficiency against the bare
kernel. Single-process sections run in a fresh subprocess pinned to one core (NumPy and
XLA limited to one thread). Writes ``benchmarks/RESULTS.md``, keeping its hand-written
interpretation section, and ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
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


def _timings(function, repeats: int, warm: bool = True) -> list[float]:
    """Seconds of ``repeats`` calls after one warm-up call (compile, caches)."""
    if warm:
        function()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return seconds


def _rates(work: float, seconds: list[float]) -> dict:
    """Throughput ``work / seconds``: median, min and max over the repeats."""
    rates = sorted(work / s for s in seconds)
    return {
        "median": float(statistics.median(rates)),
        "min": rates[0],
        "max": rates[-1],
        "repeats": len(rates),
    }


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


NUM_DRAWS = 10  # prior draws of the timed workload (the same in every section)


def _scenario(num_months: int, total_paths: int):
    """The timed workload as a scenario: quickstart, prior, 1 chain x NUM_DRAWS draws,
    ``total_paths`` paths per variant."""
    from riskengine.config import load_scenario

    scenario = load_scenario(ROOT / "configs/quickstart.yaml")
    scenario.horizon_months = num_months
    settings = scenario.ensemble
    settings.parameters, settings.num_chains, settings.num_draws = "prior", 1, NUM_DRAWS
    settings.paths_per_draw = total_paths // NUM_DRAWS
    return scenario


def _prepared(num_months: int, total_paths: int):
    """The timed workload exactly as ``riskengine.run`` prepares it (same draws, key words
    and tasks): every section times these paths, so their figures compare."""
    from riskengine.api import _parameter_draws
    from riskengine.ensemble.runner import prepare_ensemble
    from riskengine.models import ensemble_model

    scenario = _scenario(num_months, total_paths)
    model = ensemble_model(scenario.model_names)
    settings = scenario.ensemble
    draws, _, _ = _parameter_draws(model, settings)
    return prepare_ensemble(
        model,
        model.scenario_inputs(scenario),
        draws,
        seed=settings.seed,
        paths_per_draw=settings.paths_per_draw,
        chunk_paths=settings.chunk_paths,
        common_random_numbers=settings.common_random_numbers,
    )


def _draw_params(prepared) -> list:
    """Each draw's escalation ``Params`` (float32 numpy)."""
    import numpy as np

    from riskengine.models.escalation.core import Params

    flat = prepared.flat_params
    return [
        Params(*(np.asarray(flat[f"escalation.{name}"][d], np.float32) for name in Params._fields))
        for d in range(prepared.plan.num_draws)
    ]


def _variants(prepared):
    import numpy as np

    (inputs,) = prepared.host_inputs  # one model: escalation
    return [
        (np.asarray(inputs.covariates[v]), int(inputs.start_level[v]))
        for v in range(len(inputs.start_level))
    ]


# ------------------------------------------------------------- single-process sections
def section_kernel(quick: bool) -> dict:
    """The bare compiled kernel: ``run_task`` on the workload's tasks one after another,
    in this process on one pinned core, no dask: what one core can do at best."""
    results = {f"engine_{months}": _kernel_rates(months, quick) for months in (24, 120)}
    results["peak_rss_mb"] = _peak_rss_mb()
    return results


def _kernel_rates(num_months: int, quick: bool) -> dict:
    from riskengine.ensemble.tasks import run_task

    total = 1_000_000  # 10 tasks of 1e5 paths (the default chunk_paths) x 3 variants
    prepared = _prepared(num_months, total)
    plan = prepared.plan
    arguments = [
        prepared.task_arguments(block, path_block)
        for block in range(plan.num_draw_blocks)
        for path_block in range(plan.num_path_blocks)
    ]

    def run():
        for task in arguments:
            run_task(*task)

    return _rates(3 * total * num_months, _timings(run, 3 if quick else 5))


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
    """(a) naive and (b) expert NumPy, one pinned core, 3 variants."""
    results = {}
    for months in (24, 120):
        results.update(_numpy_rates(months, quick))
    results["peak_rss_mb"] = _peak_rss_mb()
    return results


def _numpy_rates(num_months: int, quick: bool) -> dict:
    sys.path.insert(0, str(HERE))
    import reference_numpy as reference

    prepared = _prepared(num_months, NUM_DRAWS)
    draws, variants = _draw_params(prepared), _variants(prepared)
    naive_paths = 1_000 if quick else 5_000  # per draw and variant
    expert_paths = 10_000 if quick else 50_000

    def naive():
        for params in draws:
            for covariates, start in variants:
                reference.naive(params, covariates, start, naive_paths, num_months, 1)

    def expert(function, block, paths=expert_paths):
        for params in draws:
            for covariates, start in variants:
                function(params, covariates, start, paths, num_months, 1, block_paths=block)

    work = len(draws) * len(variants) * num_months
    results = {f"naive_{num_months}": _rates(work * naive_paths, _timings(naive, 3))}
    for key, function in (("expert", reference.expert), ("latent", reference.expert_latent)):
        tuning = {}  # block size tuned on this machine, horizon and workload
        for block in (2048, 8192, 32768, 131072):
            tuning[block] = min(
                _timings(lambda b=block, f=function: expert(f, b, expert_paths // 2), 1)
            )
        best = min(tuning, key=tuning.get)
        seconds = _timings(lambda: expert(function, best), 3)  # noqa: B023
        results[f"{key}_{num_months}"] = _rates(work * expert_paths, seconds)
        results[f"{key}_block_{num_months}"] = best
        results[f"{key}_tuning_{num_months}"] = {
            str(k): work * expert_paths / 2 / v for k, v in tuning.items()
        }
    return results


def section_numba(quick: bool) -> dict:
    """The Numba peer (``benchmarks/reference_numba.py``) on every core, with and without
    the settled-path shortcut, 3 variants."""
    import numba

    results = {"threads": numba.get_num_threads(), "version": numba.__version__}
    for months in (24, 120):
        for shortcut in (True, False):
            results[f"numba_{'shortcut' if shortcut else 'full'}_{months}"] = _numba_rates(
                months, shortcut, quick
            )
    return results


def _numba_rates(num_months: int, shortcut: bool, quick: bool) -> dict:
    """The workload's own paths (draws, key words, path indices) through the Numba peer."""
    sys.path.insert(0, str(HERE))
    import reference_numba

    total = 500_000 if quick else 4_000_000
    prepared = _prepared(num_months, total)
    draws, variants = _draw_params(prepared), _variants(prepared)
    paths = prepared.plan.paths_per_draw

    setups = {  # per draw and variant, outside the timing (microseconds of arithmetic)
        (d, v): reference_numba.path_setup(params, covariates)
        for d, params in enumerate(draws)
        for v, (covariates, _) in enumerate(variants)
    }

    def run():
        for d, params in enumerate(draws):
            for v, (covariates, start) in enumerate(variants):
                reference_numba.simulate_counts(
                    prepared.key_words[d, v], params, covariates, start, paths, num_months,
                    shortcut=shortcut, setup=setups[d, v],
                )  # fmt: skip

    return _rates(len(variants) * total * num_months, _timings(run, 3 if quick else 5))


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
    estimates["expert_latent"] = (
        reference.expert_latent(params, covariates, start, n_numpy, num_months, 8)[1][-1, 4]
        / n_numpy
    )
    estimates["numba"], exact = _numba_check(params, covariates, start, n_engine, num_months)
    results = {"p_war_by_24": estimates, "numba_identical_counts": exact}
    sizes = {"naive": n_numpy, "expert": n_numpy, "expert_latent": n_numpy, "numba": n_engine}
    for name in sizes:
        p = (estimates["engine"] + estimates[name]) / 2
        se = np.sqrt(p * (1 - p) * (1 / n_engine + 1 / sizes[name]))
        results[f"z_{name}"] = float((estimates[name] - estimates["engine"]) / se)
    results["markov_max_z"] = _markov_check(model, inputs, draws, n_engine)
    return results


def _numba_check(params, covariates, start, num_paths: int, num_months: int):
    """P(war by month 24) of the Numba peer, and whether its counts (with and without
    the settled-path shortcut) equal the engine's bit for bit (same hash, same paths)."""
    import numpy as np

    sys.path.insert(0, str(HERE))
    import reference_numba

    from riskengine.ensemble.keys import draw_key_words

    _, model, inputs, _ = _workload(num_months)
    draws = _example_draws()
    engine = _engine_counts(model, inputs, draws, num_paths, num_months)
    words = draw_key_words(SEED, np.array([0]), np.array([0]), 3, common=True)[0, 0]
    same = {}
    for shortcut in (True, False):
        counts = reference_numba.simulate_counts(
            words, params, covariates, start, num_paths, num_months, shortcut=shortcut
        )
        same["shortcut" if shortcut else "full"] = all(
            bool(np.array_equal(a, b)) for a, b in zip(counts, engine, strict=True)
        )
    return float(counts[1][-1, 4] / num_paths), same


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
    """``riskengine.run`` end to end: the default call (dask's threaded scheduler, every
    core), the same on one thread, a LocalCluster started by the call (``scheduler="local"``,
    the default until 2026-11-30), and warm LocalClusters of 1 and 2 pinned workers."""
    import logging

    import distributed  # noqa: F401  (imported once here, not in the first timed call)

    logging.getLogger("distributed").setLevel(logging.ERROR)
    results = {"sizes": list(_DASK_SIZES[quick])}
    for months in (24, 120):
        results.update(_dask_rates(months, quick))
    results["client_peak_rss_mb"] = _peak_rss_mb()
    return results


_DASK_SIZES = {True: (100_000, 1_000_000), False: (1_000_000, 10_000_000)}


def _dask_rates(num_months: int, quick: bool) -> dict:
    import riskengine
    from riskengine.ensemble.cluster import _local_cluster

    results = {}
    repeats = 3

    def timed(total_paths, warm=True, **where):
        scenario = _scenario(num_months, total_paths)
        work = 3 * total_paths * num_months
        function = lambda: riskengine.run(scenario, progress=False, **where)  # noqa: E731
        return _rates(work, _timings(function, repeats, warm))

    for paths in _DASK_SIZES[quick]:
        results[f"default_{num_months}_{paths}"] = timed(paths)
        results[f"threads1_{num_months}_{paths}"] = timed(paths, workers=1)
        # each call starts (and compiles in) its own cluster: nothing to warm; --quick
        # times it at the small size only (a cluster start dominates both)
        if not quick or paths == _DASK_SIZES[quick][0]:
            results[f"localcall_{num_months}_{paths}"] = timed(paths, False, scheduler="local")
    for workers in (1, 2):
        started = time.perf_counter()
        cluster, client = _local_cluster(workers)
        results[f"cluster_start_s_{workers}"] = time.perf_counter() - started
        try:
            for paths in _DASK_SIZES[quick]:
                results[f"cluster{workers}_{num_months}_{paths}"] = timed(paths, client=client)
                rss = client.run(_worker_peak_rss_mb)
                results[f"rss{workers}_{num_months}_{paths}"] = max(rss.values())
        finally:
            client.close()
            cluster.close()
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


FLOORS = {
    "naive": 10,  # engine / (a) naive NumPy, per machine
    "expert": 2,  # engine / (b) expert NumPy on one core, per machine
    "efficiency": 0.85,  # riskengine.run / (cores x bare kernel), 1e7 paths
    "scaling": 1.85,  # 2 workers / 1 worker, 1e7 paths
    "numba": 1.0,  # engine / Numba peer with the settled-path shortcut, per machine
}
CORES = 2  # what the machine rows use: every core of this 2-core machine


def _cell(rate: dict, scale: float = 1.0) -> str:
    return f"{rate['median'] * scale:.3g} ({rate['min'] * scale:.3g}-{rate['max'] * scale:.3g})"


def _mark(value: float, floor: float) -> str:
    return f"{value:.3f} ({'ok' if value >= floor else '**below floor**'})"


def _report(results: dict, quick: bool, wall_s: float) -> str:
    kernel, numpy_, numba_, checks, dask_ = (
        results[k] for k in ("kernel", "numpy", "numba", "checks", "dask")
    )
    import jax

    small, big = dask_["sizes"]
    command = " ".join([".venv/bin/python", "benchmarks/run.py"] + ["--quick"] * quick)
    load = " / ".join(
        ", ".join(f"{x:.1f}" for x in results["load"][k]) for k in ("before", "after")
    )
    lines = [
        "# Benchmarks: escalation ensemble engine",
        "",
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"- machine: {_machine()}",
        f"- command: `{command}` ({wall_s:.0f} s)",
        f"- python {platform.python_version()}, jax {jax.__version__}, numpy "
        f"{__import__('numpy').__version__}, numba {numba_['version']}",
        f"- load average (1, 5, 15 min) before / after: {load}; on 2 cores a load above "
        "~2 means other work shared them: every figure is then a lower bound, the 2-core "
        "ones most",
        f"- workload: configs/quickstart.yaml (3 variants), {NUM_DRAWS} prior draws (seed "
        f"{SEED}), the draws, key words and tasks `riskengine.run` prepares, in every "
        "section (the statistical checks use `EXAMPLE_PARAMETERS`); path-months/s count "
        "variant paths x months",
        "- each figure: median of the repeats (min-max), all timed in this run; single-core "
        "sections in a fresh process pinned to one core",
        "",
        "## Throughput (path-months per second)",
        "",
        "Per core = per machine / cores used.",
        "",
        "| implementation | cores | 24 months | 120 months | per core, 24 | per core, 120 |",
        "|---|---|---|---|---|---|",
    ]

    def row(name, cores, source, key):
        if key.format(24) not in source:
            return
        r24, r120 = source[key.format(24)], source[key.format(120)]
        lines.append(
            f"| {name} | {cores} | {_cell(r24)} | {_cell(r120)} | "
            f"{r24['median'] / cores:.3g} | {r120['median'] / cores:.3g} |"
        )

    blocks = f"{numpy_['expert_block_24']} / {numpy_['expert_block_120']}"
    latent_blocks = f"{numpy_['latent_block_24']} / {numpy_['latent_block_120']}"
    row("(a) naive NumPy (per-path transition tables, float64)", 1, numpy_, "naive_{}")
    row(
        f"(b) expert NumPy (per-path uint32 thresholds, integer compares, block {blocks} tuned)",
        1,
        numpy_,
        "expert_{}",
    )
    row(
        f"(b') expert NumPy, latent form (float32 logit of PCG64 uniforms, block {latent_blocks} tuned)",
        1,
        numpy_,
        "latent_{}",
    )
    threads = numba_["threads"]
    row(
        f"Numba peer, settled paths stop drawing ({threads} threads)",
        threads,
        numba_,
        "numba_shortcut_{}",
    )
    row(f"Numba peer, every path every month ({threads} threads)", threads, numba_, "numba_full_{}")
    row(
        "bare compiled kernel (run_task over the 1e6-path workload's 1e5-path tasks, no dask)",
        1,
        kernel,
        "engine_{}",
    )
    for paths in (small, big):
        row(
            f"riskengine.run default (threaded scheduler), {paths:.0e} paths",
            CORES,
            dask_,
            f"default_{{}}_{paths}",
        )
        row(
            f"riskengine.run default on 1 thread (workers=1), {paths:.0e} paths",
            1,
            dask_,
            f"threads1_{{}}_{paths}",
        )
        row(
            f"riskengine.run scheduler='local' (starts a LocalCluster), {paths:.0e} paths",
            CORES,
            dask_,
            f"localcall_{{}}_{paths}",
        )
        row(
            f"riskengine.run, warm LocalCluster 1 worker, {paths:.0e} paths",
            1,
            dask_,
            f"cluster1_{{}}_{paths}",
        )
        row(
            f"riskengine.run, warm LocalCluster 2 workers, {paths:.0e} paths",
            2,
            dask_,
            f"cluster2_{{}}_{paths}",
        )

    lines += [
        "",
        "## What bounds the engine",
        "",
        "The bare compiled kernel on one core bounds each core's share of any scheduler; "
        "efficiency = riskengine.run throughput / (cores x bare kernel median), end to end "
        "(parameter draws, graph, scheduling, the cube).",
        "",
        "| riskengine.run | cores | paths | 24 months | 120 months |",
        "|---|---|---|---|---|",
    ]
    for label, key, cores in (
        ("default (threaded scheduler)", "default", CORES),
        ("default on 1 thread", "threads1", 1),
        ("scheduler='local' (a LocalCluster per call)", "localcall", CORES),
        ("warm LocalCluster, 1 worker", "cluster1", 1),
        ("warm LocalCluster, 2 workers", "cluster2", 2),
    ):
        for paths in (small, big):
            if f"{key}_24_{paths}" not in dask_:
                continue
            cells = [
                dask_[f"{key}_{t}_{paths}"]["median"] / (cores * kernel[f"engine_{t}"]["median"])
                for t in (24, 120)
            ]
            lines.append(f"| {label} | {cores} | {paths:.0e} | {cells[0]:.2f} | {cells[1]:.2f} |")

    def ratio(numerator, denominator, t):
        return numerator(t)["median"] / denominator(t)["median"]

    def engine(t):
        return dask_[f"default_{t}_{big}"]

    def floor_row(name, floor, values):
        lines.append(
            f"| {name} | >= {floor} | {_mark(values[0], floor)} | {_mark(values[1], floor)} |"
        )

    lines += [
        "",
        f"## Floors (engine = riskengine.run default call, threaded scheduler, {big:.0e} paths, 2 cores)",
        "",
        "| ratio | floor | 24 months | 120 months |",
        "|---|---|---|---|",
    ]
    floor_row(
        "engine / (a) naive NumPy (per machine)",
        FLOORS["naive"],
        [ratio(engine, lambda t: numpy_[f"naive_{t}"], t) for t in (24, 120)],
    )

    def best_expert(t):
        return max(numpy_[f"expert_{t}"], numpy_[f"latent_{t}"], key=lambda r: r["median"])

    floor_row(
        "engine / the faster of (b), (b') on 1 core (per machine)",
        FLOORS["expert"],
        [ratio(engine, best_expert, t) for t in (24, 120)],
    )
    floor_row(
        f"engine / Numba peer with the shortcut, {threads} threads (per machine)",
        FLOORS["numba"],
        [ratio(engine, lambda t: numba_[f"numba_shortcut_{t}"], t) for t in (24, 120)],
    )
    floor_row(
        "efficiency: engine / (2 x bare kernel)",
        FLOORS["efficiency"],
        [engine(t)["median"] / (CORES * kernel[f"engine_{t}"]["median"]) for t in (24, 120)],
    )
    floor_row(
        "2 workers / 1 worker: default, 2 threads / 1 thread",
        FLOORS["scaling"],
        [ratio(engine, lambda t: dask_[f"threads1_{t}_{big}"], t) for t in (24, 120)],
    )
    floor_row(
        "2 workers / 1 worker: warm LocalClusters",
        FLOORS["scaling"],
        [
            ratio(lambda t: dask_[f"cluster2_{t}_{big}"], lambda t: dask_[f"cluster1_{t}_{big}"], t)
            for t in (24, 120)
        ],
    )
    per_core = [engine(t)["median"] / CORES / best_expert(t)["median"] for t in (24, 120)]
    lines += [
        "",
        f"Per core, engine / the faster expert NumPy: {per_core[0]:.2f} (24 months), {per_core[1]:.2f} "
        "(120 months), no floor. The Numba peer and the engine both use every core, so their "
        "per-core ratio is the per-machine one.",
    ]

    lines += [
        "",
        "## Memory (peak RSS, MB)",
        "",
        "| process | paths | 24 months | 120 months |",
        "|---|---|---|---|",
    ]
    for workers in (1, 2):
        for paths in (small, big):
            lines.append(
                f"| largest LocalCluster worker ({workers} worker{'s' * (workers > 1)}) | {paths:.0e} | "
                f"{dask_[f'rss{workers}_24_{paths}']:.0f} | {dask_[f'rss{workers}_120_{paths}']:.0f} |"
            )
    identical = checks["numba_identical_counts"]
    lines += [
        f"| client process (riskengine.run, all runs) | - | {dask_['client_peak_rss_mb']:.0f} | |",
        f"| single-process kernel section | 1e5 block | {kernel['peak_rss_mb']:.0f} | |",
        "",
        f"LocalCluster start: {dask_['cluster_start_s_1']:.2f} s (1 worker), "
        f"{dask_['cluster_start_s_2']:.2f} s (2 workers).",
        "",
        "## Statistical agreement",
        "",
        "P(war by month 24), baseline variant, example parameters (`EXAMPLE_PARAMETERS`): "
        + ", ".join(f"{k} {v:.4f}" for k, v in checks["p_war_by_24"].items())
        + f"; z (reference - engine): naive {checks['z_naive']:+.2f}, expert "
        f"{checks['z_expert']:+.2f}, expert latent {checks['z_expert_latent']:+.2f}, numba "
        f"{checks['z_numba']:+.2f} (pass: |z| < 5).",
        "The Numba peer's counts (same counter hash, same paths) equal the engine's bit for "
        f"bit: with the shortcut {identical['shortcut']}, without {identical['full']}.",
        f"Counter hash vs closed form (resolve_scale = 0, per-month level shares vs the 5 x 5 matrix power, 24 months x 5 levels): max |z| = {checks['markov_max_z']:.2f} (pass: < 5).",
        "",
        "## GPU",
        "",
        "**Stale**: the GPU figure (2.41e10 path-months/s, NVIDIA H100, 120 months, in the "
        "interpretation below and `benchmarks/gpu_h100_results.txt`) was measured with jax "
        "0.11.2 (CUDA) on an earlier model; no GPU machine was lent since. Rerun "
        "`benchmarks/gpu.py` when one is.",
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
    "numba": section_numba,
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
        if args.section not in ("dask", "numba"):
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
