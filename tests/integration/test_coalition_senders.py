"""The coalition that forms is the sanctions' sender set (``sender_count: coalition``):
each path's number of senders is the coalition's supporters at its decision. Checked
exactly: a coalition of one gives the cube of one listed sender bit for bit, while a
coalition of four changes the sanctions; and the section's rules refuse the setting
where it cannot apply."""

from __future__ import annotations

import numpy as np
import pytest

import riskengine
from riskengine.config import load_scenario_text
from riskengine.errors import ConfigError

SCENARIO = """
schema_version: 2
name: coalition_senders
title: "A coalition of the willing imposes sanctions"
horizon_months: 12
actors:
  - {name: United States, ccode: 2, capability: 0.12, major_power: true}
  - {name: United Kingdom, ccode: 200, capability: 0.012, major_power: true}
  - {name: France, ccode: 220, capability: 0.011, major_power: true}
  - {name: Denmark, ccode: 390, capability: 0.001}
  - {name: Iran, ccode: 630, capability: 0.015}
coalition:
  institution: coalition_of_the_willing
  proposer: United States
  target: Iran
  members: [United States, United Kingdom, France, Denmark]
  minimum_members: 1
sanctions:
  target: Iran
  senders: [United States]
  trigger: authorised
  sender_count: SENDER_COUNT
  predictors:
    trade_dependence: 0.2
    defence_pact: false
    target_democracy: 0.2
    sender_trade_musd: {United States: 100.0}
variants:
  - name: alone
    coalition:
      set_member_inputs:
        United Kingdom: {position: oppose}
        France: {position: oppose}
        Denmark: {position: oppose}
  - name: four_together
    coalition:
      set_member_inputs:
        United Kingdom: {position: support}
        France: {position: support}
        Denmark: {position: support}
ensemble:
  seed: 20261130
  paths_per_draw: 2000
  num_chains: 2
  num_draws: 3
  parameters: prior
"""
SANCTIONS_OUTPUTS = ("sanctions_status_count", "target_cost_count", "outcome_time_count")


def _cube(sender_count: str):
    scenario = load_scenario_text(SCENARIO.replace("SENDER_COUNT", sender_count), "x.yaml")
    return riskengine.run(scenario, scheduler="threads", progress=False)


@pytest.fixture(scope="module")
def cubes():
    return _cube("coalition"), _cube("listed")


def _sanctions(cube, variant: str, name: str) -> np.ndarray:
    predictions = cube["predictions"]
    return predictions[name].sel(variant=variant).values


def test_a_coalition_of_one_is_one_listed_sender_bit_for_bit(cubes):
    coalition, listed = cubes
    for name in SANCTIONS_OUTPUTS:
        np.testing.assert_array_equal(
            _sanctions(coalition, "alone", name), _sanctions(listed, "alone", name)
        )


def test_a_coalition_of_four_sends_as_four(cubes):
    coalition, listed = cubes
    sizes = coalition["predictions"]["expected_coalition_size"].sel(variant="four_together")
    assert (sizes == 4).all()
    status = "sanctions_status_count"
    assert not np.array_equal(
        _sanctions(coalition, "four_together", status), _sanctions(listed, "four_together", status)
    )
    # the coalition's variants differ only in the senders' count, the listed ones not at all
    np.testing.assert_array_equal(
        _sanctions(listed, "alone", status), _sanctions(listed, "four_together", status)
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "trigger: authorised",
            "trigger: immediate",
            "sanctions.sender_count: got 'coalition' with trigger 'immediate'; allowed: 'listed'",
        ),
        (
            "  trigger: authorised",
            "  trigger: authorised\n  institution: un",
            "sanctions.sender_count: got 'coalition' with institution 'un'; allowed: 'listed'",
        ),
    ],
)
def test_the_coalition_count_needs_an_authorisation_and_no_institution(old, new, message):
    text = SCENARIO.replace("SENDER_COUNT", "coalition").replace(old, new, 1)
    with pytest.raises(ConfigError) as caught:
        load_scenario_text(text, "x.yaml")
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
