"""Shared fixtures of the end-to-end tests: the tiny scenario, its threaded cube, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
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


@pytest.fixture(scope="session")
def simulated_levels(tiny_scenario, threaded_cube) -> np.ndarray:
    """The level of every path of ``threaded_cube`` in every month, (chain, draw, variant,
    path, month): each path simulated alone by ``escalation.simulate`` from the run's
    counter-based key words and the cube's parameter draws. An independent recount of
    what the ensemble's ``summarize`` counted in sweeps of packed counters."""
    import jax
    import jax.numpy as jnp

    from riskengine.ensemble.keys import draw_key_words
    from riskengine.models.escalation import core as escalation
    from riskengine.models.escalation.ensemble import ESCALATION

    posterior = threaded_cube["posterior"]
    num_chains, num_draws = posterior.sizes["chain"], posterior.sizes["draw"]
    chains, draws = np.divmod(np.arange(num_chains * num_draws), num_draws)
    inputs = ESCALATION.scenario_inputs(tiny_scenario).inputs
    num_variants = len(tiny_scenario.variants)
    common = bool(threaded_cube.attrs["common_random_numbers"])
    words = draw_key_words(threaded_cube.attrs["seed"], chains, draws, num_variants, common=common)
    num_paths, num_months = threaded_cube.attrs["paths_per_draw"], tiny_scenario.horizon_months

    @jax.jit
    def all_paths(key_words, params, covariates, start_level):
        crisis = escalation.Inputs(covariates, start_level)

        def one(path_index):
            result = escalation.simulate(
                key_words, params, crisis, num_months=num_months, path_index=path_index
            )
            return result.levels

        return jax.vmap(one)(jnp.arange(num_paths, dtype=jnp.uint32))

    levels = np.empty((len(chains), num_variants, num_paths, num_months), np.int8)
    for index, (chain, draw) in enumerate(zip(chains, draws, strict=True)):
        params = escalation.params_from_draws(
            {
                name: posterior[f"escalation.{name}"].values[chain, draw]
                for name in ESCALATION.parameters
            }
        )
        for variant in range(num_variants):
            levels[index, variant] = all_paths(
                words[index, variant],
                params,
                inputs.covariates[variant],
                inputs.start_level[variant],
            )
    return levels.reshape(num_chains, num_draws, num_variants, num_paths, num_months)


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


def _assert_same_brief(actual: str, expected: str) -> None:
    """Briefs of two runs of one scenario agree but for the provenance line saying when,
    how fast and where each run was made."""

    def without_run_line(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("- run ")]

    assert without_run_line(actual) == without_run_line(expected)


@pytest.fixture(scope="session")
def assert_same_brief():
    return _assert_same_brief


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


@pytest.fixture(scope="session")
def quickstart_run(run_cli, tmp_path_factory):
    """``riskengine run configs/quickstart.yaml`` (threads): (CompletedProcess, out)."""
    out = tmp_path_factory.mktemp("quickstart") / "out"
    config = TESTS.parent / "configs" / "quickstart.yaml"
    result = run_cli(
        "run", config, "--out", out, "--scheduler", "threads", "--no-progress", "--yes"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result, out
