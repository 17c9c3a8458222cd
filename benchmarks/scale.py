"""Scale: an ensemble far larger than memory, with the peak memory of the whole run.

    .venv/bin/python benchmarks/scale.py                  # 1e8 paths x 120 months
    .venv/bin/python benchmarks/scale.py --paths 1e6      # a smaller check

Runs the quickstart scenario (three variants) with a 120-month horizon on the default
scheduler (dask's threaded scheduler, one thread per core, since 2026-11-30; a LocalCluster
of pinned worker processes before), ``draws`` parameter draws x
``paths / draws`` paths each, through ``riskengine run`` in a subprocess, while a thread
samples the resident memory of that process and all its children (the workers) every
50 ms. Reports the peak of that sum, the wall time, the throughput, and the cube's size
(its arrays, and on disk) next to the same run at 1/100 of the paths: the arrays must
not grow with the paths (compressed sizes differ with the counts' values). Appends a section to ``benchmarks/SCALE.md`` (the machine and its load stated).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

import riskengine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "SCALE.md"
MONTHS = 120


def _scenario(folder: Path) -> Path:
    """The quickstart scenario at a 120-month horizon."""
    data = yaml.safe_load((ROOT / "configs" / "quickstart.yaml").read_text())
    data["horizon_months"] = MONTHS
    data["name"] = "scale"
    path = folder / "scale.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def _run(config: Path, out: Path, paths_per_draw: int, draws: int) -> dict:
    command = [
        sys.executable, "-m", "riskengine", "run", str(config), "--out", str(out),
        "--paths", str(paths_per_draw), "--chains", "4", "--draws", str(draws // 4),
        "--no-progress", "--yes",
    ]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched, peak, done = psutil.Process(child.pid), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(watched))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, error = child.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"run failed ({child.returncode}): {error[-2000:]}")
    cube = out / "cube.zarr"
    size = sum(f.stat().st_size for f in cube.rglob("*") if f.is_file())
    tree = riskengine.open_cube(cube)
    array_bytes = sum(node.to_dataset().nbytes for node in tree.subtree)
    path_months = 3 * paths_per_draw * draws * MONTHS
    return {
        "paths": paths_per_draw * draws,
        "path_months": path_months,
        "seconds": seconds,
        "rate": path_months / seconds,
        "peak_rss": peak[0],
        "cube_bytes": size,
        "array_bytes": array_bytes,
    }


def _increment(value: int) -> int:
    return value + 1


def scheduler_overhead(num_tasks: int = 5_000) -> float:
    """Seconds per task of a LocalCluster's scheduler (``--scheduler local``) for trivial
    tasks (the median of 3 rounds): what a task costs beyond its computation there."""
    import statistics

    from riskengine.ensemble.cluster import execution

    with execution("local") as where:
        client = where.client
        client.gather(client.map(_increment, range(100)))  # warm
        rounds = []
        for offset in range(3):
            started = time.perf_counter()
            values = range(offset * num_tasks, (offset + 1) * num_tasks)
            client.gather(client.map(_increment, values))
            rounds.append((time.perf_counter() - started) / num_tasks)
    return statistics.median(rounds)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=float, default=1e8, help="paths in all (per variant)")
    parser.add_argument(
        "--draws", type=int, default=1000, help="parameter draws (4 chains; a multiple of 4)"
    )
    arguments = parser.parse_args(argv)
    draws, paths_per_draw = arguments.draws, int(arguments.paths) // arguments.draws
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        config = _scenario(Path(folder))
        big = _run(config, Path(folder) / "big", paths_per_draw, draws)
        small = _run(config, Path(folder) / "small", max(1, paths_per_draw // 100), draws)
    overhead = scheduler_overhead()
    lines = [
        f"\n## {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: "
        f"{big['paths']:.3g} paths x {MONTHS} months\n",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB; load average before the run "
        f"{load[0]:.2f}. Command: `python benchmarks/scale.py --paths {arguments.paths:g} "
        f"--draws {draws}` (quickstart scenario, 3 variants, the default scheduler).\n",
        "| paths per variant | path-months | wall time | path-months/s | peak RSS, all "
        "processes | cube arrays | cube on disk (compressed) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in (big, small):
        lines.append(
            f"| {row['paths']:.3g} | {row['path_months']:.3g} | {row['seconds']:.0f} s | "
            f"{row['rate']:.3g} | {row['peak_rss'] / 2**30:.2f} GiB | "
            f"{row['array_bytes'] / 2**10:.0f} KiB | {row['cube_bytes'] / 2**10:.0f} KiB |"
        )
    lines.append(
        f"\nScheduler overhead of a LocalCluster: {overhead * 1e3:.2f} ms per task "
        "(trivial tasks, median of 3 rounds of 5,000)."
    )
    text = "\n".join(lines) + "\n"
    if not RESULTS.exists():
        RESULTS.write_text("# Scale runs (`benchmarks/scale.py`)\n")
    with RESULTS.open("a") as handle:
        handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
