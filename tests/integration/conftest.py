"""Shared fixtures of the end-to-end tests: the tiny scenario, its threaded cube, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

TESTS = Path(__file__).resolve().parents[1]
TINY = TESTS / "data" / "tiny.yaml"
GROUPS = ("posterior", "predictions", "constant_data")
RUN_SPECIFIC_ATTRS = ("execution", "created_utc")  # where and when a cube was computed


@pytest.fixture(scope="session")
def tiny_path() -> Path:
    return TINY


@pytest.fixture(scope="session")
def tiny_scenario():
    import riskengine

    return riskengine.load_scenario(TINY)


@pytest.fixture(scope="session")
def threaded_cube(tiny_scenario) -> xr.DataTree:
    """The reference cube of the tiny scenario, computed on dask's threaded scheduler."""
    import riskengine

    return riskengine.run(tiny_scenario, scheduler="threads", progress=False)


def _assert_same_cube(actual: xr.DataTree, expected: xr.DataTree, ignore_attrs=()) -> None:
    """Groups identical (values bit for bit, coords, attrs); root attrs equal except the
    run-specific ones and ``ignore_attrs``."""
    assert set(actual.children) == set(expected.children) == set(GROUPS)
    for group in GROUPS:
        xr.testing.assert_identical(actual[group].to_dataset(), expected[group].to_dataset())
    skipped = set(RUN_SPECIFIC_ATTRS) | set(ignore_attrs)
    left = {k: v for k, v in actual.attrs.items() if k not in skipped}
    right = {k: v for k, v in expected.attrs.items() if k not in skipped}
    assert left == right, {
        k: (left.get(k), right.get(k))
        for k in left.keys() | right.keys()
        if left.get(k) != right.get(k)
    }


@pytest.fixture(scope="session")
def assert_same_cube():
    return _assert_same_cube


def execution_facts(cube: xr.DataTree) -> dict:
    return json.loads(cube.attrs["execution"])


@pytest.fixture(scope="session")
def run_cli():
    """Run ``python -m riskengine.cli ARGS`` in a subprocess; returns CompletedProcess."""

    def run(*args: str, cwd: Path | None = None, timeout: float = 300):
        environment = dict(os.environ)
        return subprocess.run(
            [sys.executable, "-m", "riskengine.cli", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=environment,
            timeout=timeout,
        )

    return run
