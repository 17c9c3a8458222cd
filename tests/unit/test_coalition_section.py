"""The coalition section's checks (one message per bad value, naming the field, the value
and what is allowed) and the decision rules on hand-made positions."""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.config import load_scenario_text
from riskengine.errors import ConfigError
from riskengine.models.coalition import process

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny_coalition.yaml"


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_scenario_text(text, "x.yaml")
    return caught.value.problems


def _replaced(old: str, new: str) -> str:
    text = TINY.read_text()
    assert old in text, old
    return text.replace(old, new, 1)


def test_the_tiny_scenario_is_valid():
    scenario = load_scenario_text(TINY.read_text(), "x.yaml")
    assert scenario.model_names == ("escalation", "coalition", "sanctions")


def test_an_unknown_institution_lists_the_allowed_ones():
    (problem,) = _problems(_replaced("institution: security_council", "institution: un"))
    assert problem.endswith(
        "coalition.institution: got 'un'; allowed: security_council, nato, eu_unanimity, "
        "eu_qualified_majority, coalition_of_the_willing"
    )


def test_members_are_actors_with_a_capability_named_once():
    text = _replaced(
        "members: [United States, United Kingdom, France, Russia, Denmark]",
        "members: [United States, France, France, Nobody]",
    )
    text = text.replace("{name: Denmark, ccode: 390, capability: 0.001}", "{name: Denmark}")
    problems = _problems(text)
    assert any(
        "coalition.members[2]: got 'France', already taking part as members[1]" in p
        for p in problems
    )
    assert any(
        "coalition.members[3]: got 'Nobody'; allowed: an actor of the scenario" in p
        for p in problems
    )
    assert any(
        "coalition.member_inputs.United Kingdom: 'United Kingdom' is not a member" in p
        for p in problems
    )
    text = _replaced(
        "members: [United States, United Kingdom, France, Russia, Denmark]",
        "members: [United States, United Kingdom, France, Russia, Denmark, Iraq]",
    )
    text = text.replace("{name: Iraq, ccode: 645, capability: 0.005}", "{name: Iraq, ccode: 645}")
    text = text.replace("defender: Iraq", "defender: Iran").replace(
        "challenger: Iran", "challenger: Russia"
    )
    problems = _problems(text)
    assert any("actor 'Iraq' has no capability" in p for p in problems), problems


def test_the_proposer_must_be_a_member_and_differ_from_the_target():
    text = _replaced("proposer: United States", "proposer: Iran")
    problems = _problems(text)
    assert any("coalition.target: got 'Iran', also the proposer" in p for p in problems)
    assert any("coalition.members: the proposer 'Iran' is not a member" in p for p in problems)


def test_member_input_values_are_checked():
    text = _replaced("affinity_target: 0.6", "affinity_target: 2.0")
    (problem,) = _problems(text)
    assert problem.endswith(
        "coalition.member_inputs.Russia.affinity_target: got 2.0; allowed: a number from -1 to 1 "
        "(UN General Assembly agreement)"
    )
    text = _replaced("trade_exposure: 0.02}", "trade_exposure: 0.02, position: veto}")
    (problem,) = _problems(text)
    assert "member_inputs.Russia.position: got 'veto'; allowed: oppose, abstain, support" in problem


def test_more_supporters_needed_than_members():
    problem, *in_variants = _problems(_replaced("minimum_members: 3", "minimum_members: 7"))
    # each variant's patched section is checked too (Russia removed in variants[2])
    assert (
        "variants[2].coalition.minimum_members: got 7 supporters needed but there are 4"
        in (in_variants[1])
    )
    assert problem.endswith(
        "coalition.minimum_members: got 7 supporters needed but there are 5 members; "
        "allowed: an integer from 1 to 5"
    )


def test_a_coalition_of_the_willing_lists_its_members():
    text = _replaced("institution: security_council", "institution: coalition_of_the_willing")
    members = text[text.index("  members: [") : text.index("\nsanctions:")]
    problems = _problems(text.replace(members, ""))
    assert any(
        "coalition.members: missing; required for a coalition of the willing" in p for p in problems
    )


def test_patches_name_members_and_member_inputs():
    text = _replaced(
        "coalition: {tabled_month: 6}",
        "coalition: {remove_members: [Iraq], set_member_inputs: {Russia: {mood: 3}}}",
    )
    problems = _problems(text)
    assert any(
        "variants[3].coalition.remove_members[0]: 'Iraq' is not a member; allowed: United States"
        in p
        for p in problems
    )
    assert any(
        "variants[3].coalition.set_member_inputs.Russia: unknown member inputs mood" in p
        for p in problems
    )


def test_the_sanctions_trigger_authorised_needs_a_coalition_section():
    text = TINY.read_text()
    section = text[text.index("coalition:\n") : text.index("sanctions:\n")]
    text = text.replace(section, "")
    variants = text[text.index("variants:") : text.index("ensemble:")]
    text = text.replace(variants, "variants:\n  - name: baseline\n\n")
    (problem,) = _problems(text)
    assert problem.endswith(
        "sanctions.trigger: got 'authorised', but the scenario has no coalition section; "
        "allowed: immediate or a crisis level (or add a coalition section)"
    )


def test_a_tabled_month_after_the_horizon_is_refused():
    from riskengine.models import get_model

    scenario = load_scenario_text(
        _replaced("minimum_members: 3", "minimum_members: 3\n  tabled_month: 13")
    )
    with pytest.raises(
        ConfigError,
        match=r"coalition.tabled_month: got 13; allowed: a month from 1 to the horizon, 12",
    ):
        get_model("coalition").scenario_inputs(scenario)


def _decide(rule, positions, veto=None, weight=None, minimum=2):
    positions = jnp.asarray(positions, jnp.int32)[:, None]
    members = positions.shape[0]
    veto = jnp.zeros(members, bool) if veto is None else jnp.asarray(veto)
    weight = jnp.ones(members) if weight is None else jnp.asarray(weight, jnp.float32)
    passes, blockers = process.decide(
        process.RULES.index(rule), positions, jnp.ones(members, bool), veto, weight, minimum
    )
    return bool(passes[0]), np.flatnonzero(np.asarray(blockers[:, 0])).tolist()


def test_security_council_needs_nine_votes_and_no_veto():
    veto = [True] * 5 + [False] * 10
    nine = [1] * 9 + [0] * 6
    assert _decide("security_council", nine, veto, minimum=9) == (True, [])
    vetoed = [-1] + [1] * 14
    assert _decide("security_council", vetoed, veto, minimum=9) == (False, [0])
    # an elected member's no is not a veto; eight yes votes are too few
    eight = [1] * 8 + [0] * 6 + [-1]
    assert _decide("security_council", eight, veto, minimum=9) == (False, [14])
    # abstention of a permanent member does not block
    assert _decide("security_council", [0] + [1] * 14, veto, minimum=9) == (True, [])


def test_consensus_unanimity_qualified_majority_and_threshold():
    assert _decide("consensus", [1, 0, 0, 1]) == (True, [])
    assert _decide("consensus", [1, 1, -1, 1]) == (False, [2])
    # constructive abstention: fewer than a third abstain
    assert _decide("unanimity", [1, 1, 1, 0]) == (True, [])
    assert _decide("unanimity", [1, 1, 0, 0]) == (False, [2, 3])
    assert _decide("unanimity", [1, 1, 1, -1]) == (False, [3])
    # 55% of members with 65% of the population
    yes = [1] * 18 + [-1] * 9
    assert _decide("qualified_majority", yes) == (True, [])
    populous = [1.0] * 18 + [10.0] * 9
    assert _decide("qualified_majority", yes, weight=populous) == (False, list(range(18, 27)))
    # 15 of 27 members (56%) holding 82% of the population pass; 14 do not
    assert _decide("qualified_majority", [1] * 15 + [0] * 12, weight=[3.0] * 15 + [1.0] * 12)[0]
    assert not _decide("qualified_majority", [1] * 14 + [0] * 13, weight=[3.0] * 14 + [1.0] * 13)[0]
    # fewer than four members withholding a yes cannot block on population
    assert _decide("qualified_majority", [1] * 24 + [-1] * 3, weight=[1.0] * 24 + [50.0] * 3)[0]
    assert _decide("threshold", [1, 1, -1, -1], minimum=2) == (True, [])
    assert _decide("threshold", [1, 0, -1, -1], minimum=2) == (False, [])
