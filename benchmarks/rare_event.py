"""Rare events: importance sampling against plain Monte Carlo at equal cost.

    .venv/bin/python benchmarks/rare_event.py            # writes benchmarks/RARE_EVENT.md

Event: in the Gulf cascade's supply section alone (India's oil through Hormuz, 1.5
months of stocks), India's oil supply falls short by 50% or more in some month of the
first 12, P about 3e-4 (below 1e-3). Both estimators run inside the dask ensemble
(``riskengine.run`` on dask's threaded scheduler, so that no cluster start-up enters the
cost; the default LocalCluster gives the same bits), on prior draws:

- plain: ``rare_event.importance_sampling: false``; the estimate is the share of paths
  with the event; its variance per path is ``p (1 - p)``;
- importance sampling: ``tilt`` 16 on the onset hazards of the items that can move
  India's oil (Hormuz; not Iran's 3% of world supply) within the window, and severe
  closures likelier (``u ** (1/3)``); the estimate
  is the mean of ``w 1{event}``; its variance per path comes from the exact sums of
  ``w`` and ``w**2`` in each draw (pooled over draws).

The figure of merit is the number of paths plain Monte Carlo needs for the relative
error importance sampling reaches, per path (``variance ratio``), and the same at equal
cost, dividing by the measured cost ratio per path (``wall time IS / wall time
plain``); each run is repeated ``--repeats`` times (medians with min and max), and the
estimates' spread across repeats (independent seeds) is reported beside the
per-run standard errors. The floor: 5x fewer paths for the same relative error at equal
cost.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import yaml

import riskengine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RARE_EVENT.md"


def _scenario(importance: bool, seed: int, paths: int, draws: int):
    data = yaml.safe_load((ROOT / "configs" / "gulf_cascade.yaml").read_text())
    supply = data["supply_chain"]
    supply["rare_event"] = {"threshold": 0.5, "tilt": 16, "importance_sampling": importance}
    scenario = {
        "schema_version": 2,
        "name": "rare_event_benchmark",
        "title": "India's oil shortfall of 50% or more within 12 months",
        "horizon_months": 12,
        "actors": [a for a in data["actors"] if a["name"] == "Iran"],
        "supply_chain": supply,
        "variants": [{"name": "baseline"}],
        "ensemble": {
            "seed": seed,
            "paths_per_draw": paths,
            "num_chains": 4,
            "num_draws": draws // 4,
            "chunk_paths": paths,
            "parameters": "prior",
        },
    }
    return riskengine.load_scenario_text(yaml.safe_dump(scenario), source="rare_event.yaml")


def _run(importance: bool, seed: int, paths: int, draws: int):
    scenario = _scenario(importance, seed, paths, draws)
    start = time.perf_counter()
    cube = riskengine.run(scenario, scheduler="threads", progress=False)
    seconds = time.perf_counter() - start
    predictions = cube["predictions"].to_dataset()
    plain = predictions["p_rare_event_plain"].values.ravel()
    result = {"seconds": seconds, "plain": float(plain.mean())}
    if importance:
        estimate = predictions["p_rare_event"].values.ravel()
        error = predictions["p_rare_event_mcse"].values.ravel()
        second_moment = np.mean(error**2 * paths + estimate**2)
        result |= {
            "is": float(estimate.mean()),
            "is_variance": float(second_moment - estimate.mean() ** 2),
        }
    return result


def _summary(values):
    return f"{statistics.median(values):.4g} (min {min(values):.4g}, max {max(values):.4g})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=100_000, help="paths per draw")
    parser.add_argument("--draws", type=int, default=40, help="parameter draws")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    _run(True, 0, 1000, 4)  # compile and start once before timing
    runs = {True: [], False: []}
    for repeat in range(args.repeats):
        for importance in (False, True):
            runs[importance].append(_run(importance, 1000 + repeat, args.paths, args.draws))
    total = args.paths * args.draws
    estimate = statistics.median(run["is"] for run in runs[True])
    variance_ratios = [estimate * (1 - estimate) / run["is_variance"] for run in runs[True]]
    cost_ratio = statistics.median(r["seconds"] for r in runs[True]) / statistics.median(
        r["seconds"] for r in runs[False]
    )
    equal_cost = [ratio / cost_ratio for ratio in variance_ratios]
    is_relative = [np.sqrt(run["is_variance"] / total) / estimate for run in runs[True]]
    plain_relative = np.sqrt(estimate * (1 - estimate) / total) / estimate
    lines = [
        f"\n## {datetime.date.today().isoformat()}: {platform.node()}, {os.cpu_count()} cores, "
        f"{platform.processor() or platform.machine()}; load average {os.getloadavg()[0]:.2f} at the end\n",
        f"Event: India's oil shortfall >= 50% within 12 months (Gulf cascade's supply section, prior draws); "
        f"{args.draws} draws x {args.paths:,} paths = {total:,} paths a run; {args.repeats} repeats (seeds 1000+).\n",
        "| figure | value |",
        "|---|---|",
        f"| importance-sampling estimate (per repeat) | {', '.join(f'{r["is"]:.3e}' for r in runs[True])} |",
        f"| plain estimate (per repeat, same paths' crises) | {', '.join(f'{r["plain"]:.3e}' for r in runs[False])} |",
        f"| relative error at {total:,} paths: plain (binomial) | {plain_relative:.3f} |",
        f"| relative error at {total:,} paths: importance sampling | {_summary(is_relative)} |",
        f"| spread of the IS estimate across repeats (sd / mean; each repeat draws new parameters, so this includes their spread) | {np.std([r['is'] for r in runs[True]], ddof=1) / estimate:.3f} |",
        f"| variance ratio per path (plain / IS) | {_summary(variance_ratios)} |",
        f"| wall time plain, s | {_summary([r['seconds'] for r in runs[False]])} |",
        f"| wall time IS, s | {_summary([r['seconds'] for r in runs[True]])} |",
        f"| cost ratio per path (IS / plain) | {cost_ratio:.2f} |",
        f"| **fewer paths for the same relative error, at equal cost** | **{_summary(equal_cost)}** (floor 5) |",
    ]
    text = "\n".join(lines) + "\n"
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Rare-event estimator: importance sampling vs plain Monte Carlo\n\n"
            + (__doc__ or "")
            + "\n"
        )
    with RESULTS.open("a") as handle:
        handle.write(text)
    print(text)
    if min(equal_cost) < 5:
        raise SystemExit(f"below the floor: {min(equal_cost):.2f}x < 5x")


if __name__ == "__main__":
    main()
