"""Joining composed with escalation: it reads the crisis level and never moves it, its
streams leave the other models' draws unchanged, and its outputs are consistent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskengine
from riskengine.config import Scenario
from riskengine.errors import ConfigError
from riskengine.models import MODEL_NAMES

DATA = Path(__file__).resolve().parents[1] / "data"
TINY_JOINING = DATA / "tiny_joining.yaml"
TINY_COUPLED = DATA / "tiny_coupled.yaml"
ESCALATION_OUTPUTS = ("level_count", "peak_count", "p_war_within", "p_use_of_force_by")


def run(scenario):
    return riskengine.run(scenario, progress=False, scheduler="threads")


def _without_joining(scenario) -> Scenario:
    data = scenario.model_dump()
    data["joining"] = None
    for variant in data["variants"]:
        variant["joining"] = None
    return Scenario.build(**data)


@pytest.fixture(scope="module")
def scenario():
    return riskengine.load_scenario(TINY_JOINING)


@pytest.fixture(scope="module")
def cube(scenario):
    return run(scenario)


def test_joining_does_not_move_the_crisis(scenario, cube):
    alone = run(_without_joining(scenario))
    for name in ESCALATION_OUTPUTS:
        np.testing.assert_array_equal(
            cube["predictions"][name].values, alone["predictions"][name].values
        )


def test_outputs_are_consistent(cube):
    predictions = cube["predictions"]
    joins = predictions["p_member_joins"]
    assert joins.dims == ("chain", "draw", "variant", "member", "month")
    assert (joins.diff("month") >= 0).all()
    latvia_only = joins.sel(variant="latvia_only")
    assert (latvia_only.sel(member=["United States", "Finland"]) == 0).all()
    paths = predictions["path_count"]
    assert (predictions["joiners_count"].sum("joiners") == paths).all()
    joint = predictions["joint_count_escalation_joining"]
    assert (joint.sum(("escalation_final", "joining_final")) == paths).all()
    any_joined = predictions["p_any_member_joins_by"].isel(month=-1)
    np.testing.assert_allclose(any_joined, 1 - predictions["joiners_count"].isel(joiners=0) / paths)
    # a member's joining is one way at least one member joined
    assert (joins.max("member") <= any_joined + 1e-12).all()


def test_judgments_are_declared(cube):
    declared = cube.attrs["judgments"]
    assert "p_any_member_joins_by" in declared and "expected_joiners" in declared
    assert "p_joining_member_joined_given_escalation_war" in declared


def test_adding_joining_keeps_the_other_models_draws():
    """Streams are numbered per model (STREAM_INDICES), so joining, stepping between
    escalation and sanctions, changes neither's random numbers."""
    assert MODEL_NAMES.index("escalation") < MODEL_NAMES.index("joining")
    assert MODEL_NAMES.index("joining") < MODEL_NAMES.index("sanctions")
    coupled = riskengine.load_scenario(TINY_COUPLED)
    data = coupled.model_dump()
    data["joining"] = {}
    with_joining = run(Scenario.build(**data))
    alone = run(coupled)
    for name in ("sanctions_status_count", "target_cost_count", "level_count"):
        np.testing.assert_array_equal(
            with_joining["predictions"][name].values, alone["predictions"][name].values
        )


def test_joining_without_escalation_is_refused(scenario):
    data = scenario.model_dump()
    data["escalation"] = None
    data["sanctions"] = {
        "target": "Russia",
        "senders": ["United States"],
        "predictors": {
            "trade_dependence": 0.1,
            "defence_pact": False,
            "target_democracy": 0.3,
            "sender_trade_musd": {"United States": 100.0},
        },
    }
    for variant in data["variants"]:
        variant["escalation"] = None
    with pytest.raises(ConfigError, match=r"joining.*no escalation section"):
        Scenario.build(**data)


def test_members_must_be_coalition_members(scenario):
    data = scenario.model_dump()
    data["joining"] = {"members": ["Russia"], "contiguous": ["Nowhere"]}
    with pytest.raises(ConfigError) as error:
        Scenario.build(**data)
    text = str(error.value)
    assert "'Russia', not a coalition member" in text
    assert "'Nowhere'; allowed: an actor of the scenario" in text


def test_the_shipped_posterior_runs(scenario):
    cube = run(scenario.with_ensemble(parameters="posterior", num_draws=2))
    joins = cube["predictions"]["p_member_joins"].isel(month=-1).mean(("chain", "draw"))
    # committed members join rarely within a year in MID's record; pact members do join
    pact_members = joins.sel(variant="baseline", member=["Latvia", "United States"])
    assert (joins < 0.2).all() and (pact_members > 0).all()
