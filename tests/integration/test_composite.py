"""Models composed in one path: each keeps its own paths and randomness, the trigger
couples them exactly, conditional probabilities follow from the joint counts, and the
coupled cube, continuous outputs included, is bit-identical however it is run."""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

import riskengine
from riskengine.config import Scenario
from riskengine.models import ensemble_model
from riskengine.models.composite import component_key_words

TINY_COUPLED = Path(__file__).resolve().parents[1] / "data" / "tiny_coupled.yaml"
ESCALATION_OUTPUTS = ("level_count", "peak_count", "p_war_within", "p_use_of_force_by")
SANCTIONS_OUTPUTS = (
    "sanctions_status_count",
    "outcome_time_count",
    "target_cost_count",
    "months_in_force_count",
    "target_trade_lost_musd_mean",
    "target_trade_lost_musd_sd",
    "sender_trade_lost_musd_mean",
)


def run(scenario, **where):
    return riskengine.run(scenario, progress=False, **{"scheduler": "threads", **where})


@pytest.fixture(scope="module")
def coupled_scenario():
    return riskengine.load_scenario(TINY_COUPLED)


@pytest.fixture(scope="module")
def coupled_cube(coupled_scenario):
    return run(coupled_scenario)


def _without(scenario, section: str, **sanctions_changes) -> Scenario:
    data = scenario.model_dump()
    data[section] = None
    if sanctions_changes:
        data["sanctions"] |= sanctions_changes
    for variant in data["variants"]:
        variant[section] = None
    return Scenario.build(**data)


def test_parameters_are_namespaced_per_model(coupled_cube):
    names = set(coupled_cube["posterior"].data_vars)
    assert {"escalation.coefficients", "sanctions.outcome_coefficients"} <= names
    assert all(name.split(".")[0] in ("escalation", "sanctions") for name in names)
    assert coupled_cube.attrs["model"] == "escalation+sanctions"
    units = coupled_cube["posterior"]["sanctions.hazard_coefficients"].attrs["units"]
    assert units == "logit scale per covariate unit"


def test_the_crisis_paths_are_the_escalation_only_paths(coupled_scenario, coupled_cube):
    alone = run(_without(coupled_scenario, "sanctions"))
    for name in ESCALATION_OUTPUTS:
        np.testing.assert_array_equal(
            coupled_cube["predictions"][name].values, alone["predictions"][name].values
        )
    np.testing.assert_array_equal(
        coupled_cube["posterior"]["escalation.coefficients"].values,
        alone["posterior"]["escalation.coefficients"].values,
    )


def test_immediate_sanctions_are_the_same_alone_and_composed(coupled_scenario):
    immediate = coupled_scenario.model_dump()
    immediate["sanctions"]["trigger"] = "immediate"
    composed = run(Scenario.build(**immediate))
    alone = run(_without(coupled_scenario, "escalation", trigger="immediate"))
    for name in SANCTIONS_OUTPUTS:
        np.testing.assert_array_equal(
            composed["predictions"][name].values, alone["predictions"][name].values
        )
    np.testing.assert_array_equal(
        composed["posterior"]["sanctions.outcome_cutpoints"].values,
        alone["posterior"]["sanctions.outcome_cutpoints"].values,
    )


def test_sanctions_are_imposed_exactly_when_the_crisis_reaches_the_trigger(coupled_cube):
    predictions = coupled_cube["predictions"]
    # imposed by month M <=> the crisis has reached use of force by month M, path by path
    not_imposed = predictions["sanctions_status_count"].sel(sanctions_status="not_imposed")
    imposed_by = predictions["path_count"] - not_imposed
    reached_by = predictions["peak_count"].sel(level=["use_of_force", "war"]).sum("level")
    assert int(reached_by.isel(month=-1).sum()) > 0
    np.testing.assert_array_equal(imposed_by.values, reached_by.values)
    np.testing.assert_array_equal(
        predictions["imposed_count"].values, reached_by.isel(month=-1).values
    )


def test_conditional_probability_follows_from_the_joint_counts(coupled_cube):
    predictions = coupled_cube["predictions"]
    joint = predictions["joint_count_escalation_sanctions"]
    assert int(joint.sum()) == int(predictions["path_count"].sum())
    conditional = predictions["p_sanctions_success_given_escalation_use_of_force"]
    # sanctions exist only after use of force here, so every success is a joint one
    success = predictions["p_success_by"].isel(month=-1)
    expected = success / predictions["p_use_of_force_within"]
    np.testing.assert_allclose(conditional.values, expected.values, rtol=1e-12)
    judgments = coupled_cube.attrs["judgments"]
    assert "p_sanctions_success_given_escalation_use_of_force" in judgments


def test_each_model_draws_from_its_own_counter_stream():
    words = jnp.asarray([0x12345678, 0x9ABCDEF0], jnp.uint32)
    own = np.asarray(component_key_words(words, 1))
    assert not np.array_equal(own, np.asarray(words))
    assert not np.array_equal(own, np.asarray(component_key_words(words, 2)))
    np.testing.assert_array_equal(np.asarray(component_key_words(words, 0)), np.asarray(words))


@pytest.mark.parametrize("chunk_paths", [700, 3_000, 50_000])
def test_coupled_cube_does_not_depend_on_chunking(
    coupled_scenario, coupled_cube, assert_same_cube, chunk_paths
):
    cube = run(coupled_scenario.with_ensemble(chunk_paths=chunk_paths))
    assert_same_cube(cube, coupled_cube, ignore_attrs=("config_text", "config_sha256"))


def test_coupled_cube_is_the_same_on_two_worker_processes(
    coupled_scenario, coupled_cube, assert_same_cube
):
    scenario = coupled_scenario.with_ensemble(chunk_paths=1_000)
    cube = riskengine.run(scenario, scheduler="local", workers=2, progress=False)
    synchronous = run(scenario, scheduler="synchronous")
    assert_same_cube(cube, synchronous)
    assert_same_cube(cube, coupled_cube, ignore_attrs=("config_text", "config_sha256"))


def test_continuous_outputs_are_declared_with_units(coupled_cube):
    money = coupled_cube["predictions"]["sender_trade_lost_musd_mean"]
    assert money.dims == ("chain", "draw", "variant", "sender")
    assert money.attrs["units"] == "million current USD"
    reductions = ensemble_model(("escalation", "sanctions")).reductions
    assert type(reductions["sanctions:target_trade_lost_musd"]).__name__ == "FixedPointSum"
    shares = coupled_cube["predictions"]["sender_cost_share"].values
    finite = np.isfinite(shares).all(axis=-1)
    np.testing.assert_allclose(shares[finite].sum(-1), 1.0, rtol=1e-12)
