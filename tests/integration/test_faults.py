"""Long runs that survive faults, with real processes: a dask worker killed with SIGKILL
mid-run, and the whole `riskengine run` killed mid-way and resumed. Each must give the
cube of an uninterrupted run bit for bit, and the resumed run must not recompute the
draw blocks that had finished (counted in the cube's execution facts). Also the
checkpoint's rules: one run per --out at a time, an unfinished run continued only with
--resume and only by the same run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import riskengine
from riskengine.ensemble.checkpoint import Checkpoint

# 20 draw blocks (2 chains x 10 draws, one draw per task) of 1,000,000 paths x 3
# variants x 12 months: each block takes a tenth of a second or more, so a run can be
# caught (frozen with SIGSTOP, then killed) between its second finished block and its last
SIZES = ("--paths", "1000000", "--chunk-paths", "1000000", "--chains", "2", "--draws", "10")
NUM_BLOCKS = 20


def _start(tiny_path, out: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "riskengine", "run", str(tiny_path), "--out", str(out)]
    arguments = [*SIZES, "--scheduler", "threads", "--no-progress", "--yes", *extra]
    return subprocess.Popen(
        [*command, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_for_blocks(checkpoint: Path, count: int, process: subprocess.Popen) -> list[Path]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        blocks = sorted(checkpoint.glob("block-*.npz"))
        if len(blocks) >= count:
            return blocks
        assert process.poll() is None, process.communicate()
        time.sleep(0.005)
    raise AssertionError(f"no {count} finished blocks in {checkpoint} within 240 s")


def _facts(out: Path) -> dict:
    return json.loads(riskengine.open_cube(out / "cube.zarr").attrs["execution"])


@pytest.fixture(scope="module")
def reference(tiny_path, tmp_path_factory) -> Path:
    """The uninterrupted run."""
    out = tmp_path_factory.mktemp("reference")
    process = _start(tiny_path, out)
    _, error = process.communicate(timeout=600)
    assert process.returncode == 0, error
    return out


def test_a_killed_run_resumes_without_recomputing_and_gives_the_same_cube(
    tiny_path, tmp_path, reference, assert_same_cube, run_cli
):
    out = tmp_path / "run"
    first = _start(tiny_path, out)
    _wait_for_blocks(out / ".riskengine-run", 2, first)
    first.send_signal(signal.SIGSTOP)  # frozen mid-run, still holding its lock
    finished = len(list((out / ".riskengine-run").glob("block-*.npz")))

    # a second run on the same --out while the first holds it: refused, nothing touched
    second = run_cli("run", tiny_path, "--out", out, *SIZES, "--scheduler", "threads", "--yes")
    assert second.returncode == 2, second.stderr
    assert f"is in use by another run (pid {first.pid})" in second.stderr

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert len(list((out / ".riskengine-run").glob("block-*.npz"))) == finished
    assert 2 <= finished < NUM_BLOCKS, "the run finished before it could be stopped"
    assert not (out / "cube.zarr").exists()  # a killed run leaves no cube that looks complete

    # without --resume the unfinished run is not overwritten
    plain = run_cli("run", tiny_path, "--out", out, *SIZES, "--scheduler", "threads", "--yes")
    assert plain.returncode == 2
    assert f"holds an unfinished run ({finished} of {NUM_BLOCKS} draw blocks done)" in (
        plain.stderr
    )
    # --resume by a different run (another seed) is refused, naming what differs
    other = run_cli(
        "run", tiny_path, "--out", out, *SIZES, "--scheduler", "threads", "--yes", "--resume",
        "--seed", "7",
    )  # fmt: skip
    assert other.returncode == 2 and "differs from this one in token" in other.stderr
    assert len(list((out / ".riskengine-run").glob("block-*.npz"))) == finished

    resumed = _start(tiny_path, out, "--resume")
    _, error = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, error
    facts = _facts(out)
    assert facts["resumed_draw_blocks"] == finished
    assert facts["computed_draw_blocks"] == NUM_BLOCKS - finished
    assert not (out / ".riskengine-run").exists()
    assert_same_cube(
        riskengine.open_cube(out / "cube.zarr"), riskengine.open_cube(reference / "cube.zarr")
    )


def test_a_worker_killed_mid_run_changes_nothing(tiny_path, tmp_path, reference, assert_same_cube):
    """A real LocalCluster; one worker process gets SIGKILL once the first draw block has
    finished; the nanny restarts it, the scheduler reruns its tasks elsewhere."""
    from distributed import Client, LocalCluster

    scenario = riskengine.load_scenario(tiny_path).with_ensemble(
        paths_per_draw=1_000_000, chunk_paths=1_000_000, num_chains=2, num_draws=10
    )
    checkpoint = tmp_path / "checkpoint"
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        outcome = {}

        def run():
            outcome["cube"] = riskengine.run(
                scenario, client=client, progress=False, checkpoint=Checkpoint(checkpoint)
            )

        runner = threading.Thread(target=run)
        runner.start()
        deadline = time.monotonic() + 240
        while not list(checkpoint.glob("block-*.npz")) and time.monotonic() < deadline:
            time.sleep(0.005)
        victim = sorted(pids.values())[0]
        os.kill(victim, signal.SIGKILL)
        finished_at_kill = len(list(checkpoint.glob("block-*.npz")))
        runner.join(timeout=600)
    assert 1 <= finished_at_kill < NUM_BLOCKS, "the run finished before a worker was killed"
    with pytest.raises(ProcessLookupError):
        os.kill(victim, 0)
    cube = outcome["cube"]
    assert json.loads(cube.attrs["execution"])["computed_draw_blocks"] == NUM_BLOCKS
    expected = riskengine.open_cube(reference / "cube.zarr")
    assert_same_cube(cube, expected, ignore_attrs=("config_path",))


def test_a_task_that_fails_mid_run_stops_it_naming_where_and_keeps_finished_work(
    tiny_path, tmp_path, reference, assert_same_cube, monkeypatch, capsys
):
    """A NaN planted in the outputs of the fifth task to run: the run stops with one line
    naming the task's draws, the draw block, the variant and the cause; the blocks that
    had finished stay in the checkpoint, no cube is written, and --resume (the fault
    gone) completes the cube of an uninterrupted run, recomputing none of them."""
    import threading

    import numpy as np

    from riskengine.cli import main
    from riskengine.ensemble import tasks

    original, calls, lock = tasks._compiled, [0], threading.Lock()

    def planted(model_names, static):
        function = original(model_names, static)

        def with_nan(key_words, params, inputs, path_index, valid):
            outputs = dict(function(key_words, params, inputs, path_index, valid))
            with lock:
                calls[0] += 1
                fail = calls[0] == 5
            if fail:
                shape = np.asarray(outputs["path_count"]).shape
                outputs["planted"] = np.where(np.arange(shape[1]) == 1, np.nan, 0.0)[None].repeat(
                    shape[0], 0
                )
            return outputs

        return with_nan

    monkeypatch.setattr(tasks, "_compiled", planted)
    out = tmp_path / "run"
    code = main(["run", str(tiny_path), "--out", str(out), *SIZES, "--scheduler", "threads", "--no-progress", "--yes"])  # fmt: skip
    message = capsys.readouterr().err
    assert code == 1, message
    assert "output 'planted' is nan" in message
    assert "in draw block" in message and "variant 1" in message and "task of draws" in message
    assert not (out / "cube.zarr").exists()
    finished = len(list((out / ".riskengine-run").glob("block-*.npz")))
    assert 1 <= finished < NUM_BLOCKS

    monkeypatch.undo()
    resumed = _start(tiny_path, out, "--resume")
    _, error = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, error
    facts = _facts(out)
    assert facts["resumed_draw_blocks"] == finished
    assert facts["computed_draw_blocks"] == NUM_BLOCKS - finished
    assert_same_cube(
        riskengine.open_cube(out / "cube.zarr"), riskengine.open_cube(reference / "cube.zarr")
    )
