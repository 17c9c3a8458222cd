"""The engine kernel on whatever JAX backend is present (CPU, or a GPU with jax[cuda12]).

    .venv/bin/python benchmarks/gpu.py                 # ~1e9 path-months per layout
    .venv/bin/python benchmarks/gpu.py --paths 262144  # smaller

Prints path-months per second (median of 3 repeats) of the ensemble's compiled task function
(``riskengine.ensemble.tasks``) on one block of the quickstart workload (3 variants, one
fixed prior draw), for two layouts:

- ``cpu-layout``: the shipped constants (sweeps of 2048 paths, looped): right for CPU
  caches, but it leaves a GPU almost idle;
- ``gpu-layout``: one sweep over the whole block (all paths in flight each month), what
  the engine uses on an accelerator backend.

and the expert NumPy reference (one CPU core) for scale. Results are integer counts, so
both layouts must give identical counts: the script checks that too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from statistics import median

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1 << 20, help="paths per variant in the block")
    parser.add_argument("--months", type=int, default=120)
    args = parser.parse_args()

    import jax
    import reference_numpy
    import run as bench

    from riskengine.ensemble import tasks
    from riskengine.ensemble.keys import draw_key_words
    from riskengine.models.escalation import core as escalation

    print(f"jax {jax.__version__}, backend {jax.default_backend()}, devices {jax.devices()}")
    _, model, inputs, draws = bench._workload(args.months)
    words = draw_key_words(bench.SEED, np.array([0]), np.array([0]), 3, common=True)
    params = (tuple(np.asarray(draws[name][0, :1]) for name in model.parameters),)
    spec = tasks.TaskSpec(
        ("escalation",), (("num_months", args.months),), 0, 1, 0, args.paths, args.paths, 1, 1
    )
    path_months = 3 * args.paths * args.months
    counts = {}
    whole = 1 << (args.paths - 1).bit_length()  # sweeps are powers of two (halving folds)
    for layout, sweep in (("cpu-layout", 2048), ("gpu-layout", whole)):
        # the engine picks the layout by backend; force each one here to compare them
        escalation._SWEEP_PATHS = escalation._ACCELERATOR_SWEEP_PATHS = sweep
        tasks._compiled.cache_clear()
        counts[layout] = tasks.run_task(spec, params, words, (inputs.inputs,))
        seconds = median(
            bench._timings(lambda: tasks.run_task(spec, params, words, (inputs.inputs,)), 3)
        )
        print(f"engine {layout} (sweep {sweep} paths): {path_months / seconds:.3g} path-months/s")
    same = all(
        np.array_equal(counts["cpu-layout"][k], counts["gpu-layout"][k])
        for k in counts["cpu-layout"]
    )
    print(f"identical counts in both layouts: {same}")

    params_one = bench._fixed_params(draws)
    covariates = np.asarray(inputs.inputs.covariates[0])
    start = int(inputs.inputs.start_level[0])
    expert_paths = 262_144
    seconds = median(
        bench._timings(
            lambda: reference_numpy.expert(
                params_one, covariates, start, expert_paths, args.months, 1
            ),
            3,
        )
    )
    print(f"expert NumPy (1 CPU core): {expert_paths * args.months / seconds:.3g} path-months/s")


if __name__ == "__main__":
    main()
