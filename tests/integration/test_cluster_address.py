"""An existing dask cluster used by address: `dask scheduler` + `dask worker` subprocesses."""

from __future__ import annotations

import json
import os
import shutil
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


def _cluster(directory: Path, protocol_arguments: list[str], security=None):
    """Start `dask scheduler` and one single-threaded `dask worker`; yield the address."""
    if not DASK.exists():
        pytest.fail(f"{DASK} not found (the dask command comes with distributed)")
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
                *protocol_arguments,
            ],
            "scheduler.log",
        )  # fmt: skip
        address = _wait_for_file(scheduler_file, scheduler, log)["address"]
        _worker, worker_log = start(
            [
                "worker", address,
                "--nthreads", "1",
                "--nworkers", "1",
                "--no-dashboard",
                "--local-directory", str(directory / "worker-space"),
                *[a for a in protocol_arguments if a not in ("--protocol", "tls")],
            ],
            "worker.log",
        )  # fmt: skip
        from distributed import Client

        with Client(address, timeout=30, security=security) as client:
            try:
                client.wait_for_workers(1, timeout=START_TIMEOUT_S)
            except TimeoutError:
                pytest.fail(f"no worker joined:\n{worker_log.read_text()}")
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory):
    """tcp://127.0.0.1:PORT of a scheduler with one single-threaded worker; stopped at the end."""
    yield from _cluster(tmp_path_factory.mktemp("cluster"), [])


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own authority (openssl), and its key."""
    certificate, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(certificate), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    """(tls://127.0.0.1:PORT, the client's dask settings as environment variables) of a
    scheduler and a worker that accept TLS connections only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate for the TLS cluster")
    from distributed.security import Security

    directory = tmp_path_factory.mktemp("tls")
    certificate, key = _self_signed(directory)
    files = ["--tls-ca-file", str(certificate), "--tls-cert", str(certificate)]
    arguments = ["--protocol", "tls", *files, "--tls-key", str(key)]
    security = Security(
        tls_ca_file=str(certificate),
        tls_client_cert=str(certificate),
        tls_client_key=str(key),
        require_encryption=True,
    )
    environment = {  # the README's settings for a secured cluster
        "DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True",
        "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(certificate),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(certificate),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(key),
    }
    for address in _cluster(directory, arguments, security):
        yield address, environment


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
    scheduler_address,
    run_cli,
    tiny_path,
    tmp_path,
    threaded_cube,
    assert_same_cube,
    assert_same_brief,
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
    assert_same_brief(
        (out / "brief.md").read_text(encoding="utf-8"), riskengine.brief(threaded_cube).markdown
    )


def test_cli_run_on_a_tls_cluster_with_the_documented_settings(
    tls_cluster, tiny_path, tmp_path, threaded_cube, assert_same_cube
):
    address, settings = tls_cluster
    assert address.startswith("tls://127.0.0.1:")
    command = [sys.executable, "-m", "riskengine", "run", str(tiny_path), "--no-progress"]
    command += ["--scheduler", address, "--out"]
    secured = subprocess.run(
        [*command, str(tmp_path / "secured")],
        capture_output=True,
        text=True,
        env={**os.environ, **settings},
        timeout=300,
    )
    assert secured.returncode == 0, secured.stderr
    cube = riskengine.open_cube(tmp_path / "secured" / "cube.zarr")
    assert json.loads(cube.attrs["execution"])["where"].startswith(f"cluster at {address}")
    assert_same_cube(cube, threaded_cube)

    # without the client's certificate the cluster does not let the run in
    plain = {k: v for k, v in os.environ.items() if not k.startswith("DASK_DISTRIBUTED__COMM")}
    refused = subprocess.run(
        [*command, str(tmp_path / "refused")], capture_output=True, text=True, env=plain,
        timeout=300,
    )  # fmt: skip
    assert refused.returncode == 2, refused.stderr
    assert f"--scheduler: could not connect to {address!r}" in refused.stderr
    assert not (tmp_path / "refused").exists()
