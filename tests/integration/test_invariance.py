"""Bit-identical cubes whatever the chunking, worker count or scheduler; seeds matter.

Every path's randomness derives from (seed, variant, chain, draw, path index) and the
ensemble reduces integer counts, so the cube must not change, bit for bit, when the
same scenario is cut into other tasks or run elsewhere. Only the root attributes that
describe where and when it ran (``execution``, ``created_utc``) may differ; when the
chunk size itself is changed in the scenario, its recorded config text differs too, and
only in ``chunk_paths``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import riskengine
from riskengine.config import Scenario

CONFIG_ATTRS = ("config_text", "config_sha256")


def run(scenario, **where):
    return riskengine.run(scenario, progress=False, **{"scheduler": "threads", **where})


def num_tasks(cube) -> int:
    return json.loads(cube.attrs["execution"])["num_tasks"]


@pytest.mark.parametrize(
    ("chunk_paths", "expected_tasks"),
    [
        (1_000, 30),  # 3 path blocks per draw, 10 draws
        (1_300, 30),  # ragged last path block (400 of 1300 paths valid)
        (429, 70),  # 7 path blocks per draw, the last ragged
        (9_000, 4),  # 3 draws per task: the last task has 1 draw, padded to 3
        (50_000, 1),  # every draw in one task
    ],
)
def test_chunk_size_does_not_change_the_cube(
    tiny_scenario, threaded_cube, assert_same_cube, chunk_paths, expected_tasks
):
    scenario = tiny_scenario.with_ensemble(chunk_paths=chunk_paths)
    cube = run(scenario)
    assert num_tasks(cube) == expected_tasks
    assert_same_cube(cube, threaded_cube, ignore_attrs=CONFIG_ATTRS)
    # the recorded configs differ only in chunk_paths
    recorded = riskengine.load_scenario_text(cube.attrs["config_text"])
    assert recorded.ensemble.chunk_paths == chunk_paths
    assert recorded.with_ensemble(chunk_paths=tiny_scenario.ensemble.chunk_paths) == tiny_scenario


@pytest.fixture(scope="module")
def chunked_scenario(tiny_scenario):
    """30 tasks, so that two workers both get work."""
    return tiny_scenario.with_ensemble(chunk_paths=1_000)


@pytest.fixture(scope="module")
def synchronous_cube(chunked_scenario):
    return run(chunked_scenario, scheduler="synchronous")


@pytest.mark.parametrize("workers", [1, 2])
def test_local_cluster_worker_processes_give_the_same_cube(
    chunked_scenario, synchronous_cube, threaded_cube, assert_same_cube, workers
):
    cube = riskengine.run(chunked_scenario, scheduler="local", workers=workers, progress=False)
    where = json.loads(cube.attrs["execution"])["where"]
    assert where.startswith(f"LocalCluster ({workers} pinned"), where
    assert_same_cube(cube, synchronous_cube)
    assert_same_cube(cube, threaded_cube, ignore_attrs=CONFIG_ATTRS)


def test_threaded_and_synchronous_schedulers_agree(
    chunked_scenario, synchronous_cube, assert_same_cube
):
    cube = run(chunked_scenario, scheduler="threads", workers=2)
    assert json.loads(cube.attrs["execution"])["where"].startswith("dask threads scheduler (2")
    assert_same_cube(cube, synchronous_cube)


def test_same_seed_twice_is_identical(tiny_scenario, threaded_cube, assert_same_cube):
    assert_same_cube(run(tiny_scenario), threaded_cube)


def test_different_seed_gives_a_different_cube(tiny_scenario, threaded_cube):
    cube = run(tiny_scenario.with_ensemble(seed=tiny_scenario.ensemble.seed + 1))
    assert cube.attrs["seed"] == threaded_cube.attrs["seed"] + 1
    for group, name in (("posterior", "escalation.coefficients"), ("predictions", "level_count")):
        new, old = cube[group][name].values, threaded_cube[group][name].values
        assert new.shape == old.shape
        assert not np.array_equal(new, old), f"{group}/{name} unchanged by the seed"
    np.testing.assert_array_equal(
        cube["constant_data"]["covariates"], threaded_cube["constant_data"]["covariates"]
    )


def _with_duplicate_baseline(scenario, common: bool):
    """The scenario plus a variant 'same' identical to the baseline."""
    data = scenario.model_dump()
    data["variants"].append({"name": "same"})
    data["ensemble"]["common_random_numbers"] = common
    return Scenario.build(**data)


@pytest.fixture(scope="module")
def common_cubes(tiny_scenario):
    return {
        common: run(_with_duplicate_baseline(tiny_scenario, common)) for common in (True, False)
    }


def test_common_random_numbers_share_paths_between_variants(common_cubes):
    predictions = common_cubes[True]["predictions"]
    same, baseline = predictions.sel(variant="same"), predictions.sel(variant="baseline")
    for name in ("level_count", "peak_count", "p_war_within"):
        np.testing.assert_array_equal(same[name].values, baseline[name].values)
    assert common_cubes[True].attrs["common_random_numbers"] == 1


def test_independent_random_numbers_differ_between_variants(common_cubes):
    predictions = common_cubes[False]["predictions"]
    same, baseline = predictions.sel(variant="same"), predictions.sel(variant="baseline")
    assert not np.array_equal(same["level_count"].values, baseline["level_count"].values)
    assert common_cubes[False].attrs["common_random_numbers"] == 0
    # the parameter draws do not depend on the random-number scheme of the paths
    for name in common_cubes[True]["posterior"].data_vars:
        np.testing.assert_array_equal(
            common_cubes[False]["posterior"][name].values,
            common_cubes[True]["posterior"][name].values,
        )
    # every variant's paths differ from its common-random-numbers paths
    for variant in ("baseline", "mediation"):
        assert not np.array_equal(
            predictions["level_count"].sel(variant=variant).values,
            common_cubes[True]["predictions"]["level_count"].sel(variant=variant).values,
        )


def test_independent_random_numbers_are_chunk_invariant(
    tiny_scenario, common_cubes, assert_same_cube
):
    scenario = _with_duplicate_baseline(tiny_scenario, common=False).with_ensemble(
        chunk_paths=1_300
    )
    assert_same_cube(run(scenario), common_cubes[False], ignore_attrs=CONFIG_ATTRS)


def test_counts_equal_a_recount_of_paths_simulated_one_by_one(threaded_cube, simulated_levels):
    """Every count of the cube recomputed from each path simulated alone, each level
    counted on its own (the ensemble derives ``settled`` as the remainder, so a sum check
    could not fail): a path dropped, counted twice or at the wrong level or month fails."""
    predictions = threaded_cube["predictions"]
    num_levels = predictions.sizes["level"]
    peaks = np.maximum.accumulate(simulated_levels, axis=-1)

    def count(levels):  # (chain, draw, variant, path, month) -> (..., month, level)
        return np.stack([(levels == level).sum(axis=3) for level in range(num_levels)], -1)

    level_count, peak_count = count(simulated_levels), count(peaks)
    assert np.all(level_count.sum(axis=(0, 1, 2, 3)) > 0), "every level occurs: not vacuous"
    np.testing.assert_array_equal(predictions["level_count"].values, level_count)
    np.testing.assert_array_equal(predictions["peak_count"].values, peak_count)
    np.testing.assert_array_equal(predictions["path_count"].values, simulated_levels.shape[3])
    assert np.all(predictions["path_count"].values == 3000)
