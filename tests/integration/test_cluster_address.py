"""An existing dask cluster used by address: `dask scheduler` + `dask worker` subprocesses."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import riskengine

DASK = Path(sys.executable).with_name("dask")
START_TIMEOUT_S = 90


def _stop(process: subprocess.Popen) -> None:
    """Stop one process we started (SIGINT lets dask shut down cleanly), then kill."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def _wait_for_file(path: Path, process: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dask scheduler exited ({process.returncode}):\n{log.read_text()}")
        if path.exists() and path.stat().st_size:
            try:
                return json.loads(path.read_text())
            except json.JSONDecodeError:
                pass  # still being written
        time.sleep(0.2)
    pytest.fail(f"dask scheduler did not start in {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory):
    """tcp://127.0.0.1:PORT of a scheduler with one single-threaded worker; stopped at the end."""
    if not DASK.exists():
        pytest.fail(f"{DASK} not found (the dask command comes with distributed)")
    directory = tmp_path_factory.mktemp("cluster")
    scheduler_file = directory / "scheduler.json"
    processes = []

    def start(arguments, log_name):
        log = directory / log_name
        with log.open("w") as stream:
            process = subprocess.Popen(
                [str(DASK), *arguments],
                stdout=stream,
                stderr=subprocess.STDOUT,
                cwd=directory,
            )
        processes.append(process)
        return process, log

    try:
        scheduler, log = start(
            [
                "scheduler",
                "--host", "127.0.0.1",
                "--port", "0",
                "--no-dashboard",
                "--scheduler-file", str(scheduler_file),
            ],
            "scheduler.log",
        )  # fmt: skip
        address = _wait_for_file(scheduler_file, scheduler, log)["address"]
        assert address.startswith("tcp://127.0.0.1:"), address
        _worker, worker_log = start(
            [
                "worker", address,
                "--nthreads", "1",
                "--nworkers", "1",
                "--no-dashboard",
                "--local-directory", str(directory / "worker-space"),
            ],
            "worker.log",
        )  # fmt: skip
        from distributed import Client

        with Client(address, timeout=30) as client:
            try:
                client.wait_for_workers(1, timeout=START_TIMEOUT_S)
            except TimeoutError:
                pytest.fail(f"no worker joined:\n{worker_log.read_text()}")
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


def test_api_run_by_address_equals_threaded_run(
    scheduler_address, tiny_scenario, threaded_cube, assert_same_cube
):
    cube = riskengine.run(tiny_scenario, scheduler=scheduler_address, progress=False)
    where = json.loads(cube.attrs["execution"])["where"]
    assert where == f"cluster at {scheduler_address} (1 workers)"
    assert_same_cube(cube, threaded_cube)


def test_api_run_by_address_with_many_tasks(
    scheduler_address, tiny_scenario, threaded_cube, assert_same_cube
):
    cube = riskengine.run(
        tiny_scenario.with_ensemble(chunk_paths=1_300), scheduler=scheduler_address, progress=False
    )
    assert json.loads(cube.attrs["execution"])["num_tasks"] == 30
    assert_same_cube(cube, threaded_cube, ignore_attrs=("config_text", "config_sha256"))


def test_cli_run_by_address_equals_threaded_run(
    scheduler_address, run_cli, tiny_path, tmp_path, threaded_cube, assert_same_cube
):
    out = tmp_path / "out"
    result = run_cli(
        "run", tiny_path, "--out", out, "--scheduler", scheduler_address, "--no-progress"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    cube = riskengine.open_cube(out / "cube.zarr")
    assert json.loads(cube.attrs["execution"])["where"].startswith(
        f"cluster at {scheduler_address}"
    )
    assert_same_cube(cube, threaded_cube)
    assert (out / "brief.md").read_text(encoding="utf-8") == riskengine.brief(
        threaded_cube
    ).markdown
