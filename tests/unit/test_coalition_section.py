"""The coalition section's checks (one message per bad value, naming the field, the value
and what is allowed) and the decision rules on hand-made positions."""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.config import load_scenario_text
from riskengine.errors import ConfigError

REPOSITORY = Path(__file__).resolve().parents[2]
TINY = REPOSITORY / "tests" / "data" / "tiny_coalition.yaml"


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


def test_members_left_out_come_from_the_tables_on_the_date():
    text = TINY.read_text()
    members = text[text.index("  members: [") : text.index("\nsanctions:")]
    problems = _problems(text.replace(members, ""))
    assert any("coalition.date: missing; required when members are left out" in p for p in problems)
    dated = text.replace(members, "  date: 2026-06-01")
    (problem, *_) = _problems(dated)
    assert (
        "coalition.members: members of security_council on 2026-06-01 without a declared" in problem
    )
    assert "China (710)" in problem and "allowed: declare them as actors" in problem
    # the shipped Security Council scenario: its 15 actors are the 2026 Council
    council = (REPOSITORY / "configs" / "unsc_resolution.yaml").read_text()
    listed = council[council.index("  members: [") : council.index("\n  member_inputs:")]
    council = council.replace(  # the variant's coalition of the willing lists its own
        "minimum_members: 5}", "minimum_members: 2, members: [United States, France]}"
    )
    scenario = load_scenario_text(council.replace(listed, "  date: 2026-06-01"))
    names = scenario.coalition.member_names(scenario.actor_table)
    assert len(names) == 15 and {"China", "Russia", "Latvia"} <= set(names)
    (problem, *_) = _problems(council.replace(listed, "  date: 2030-06-01"))
    assert "coalition.date: got 2030-06-01; " in problem


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


@pytest.mark.parametrize(
    "institution", ["security_council", "nato", "eu_unanimity", "eu_qualified_majority"]
)
def test_members_absent_from_a_variant_change_no_decision(institution):
    """The rule on the union of the variants' members, absent ones voting yes with no
    population, decides as the rule on the variant's own members."""
    from riskengine.models.coalition.component import CoalitionInputs, _decide
    from riskengine.models.coalition.inputs import variant_rule
    from riskengine.models.coalition.section import CoalitionSection

    own_names = [f"M{index}" for index in range(20)]
    union = [*own_names[:3], "x", *own_names[3:10], "y", "z", *own_names[10:]]
    section = CoalitionSection.build(
        institution=institution, proposer="M0", target="T", members=own_names
    )
    rows = {
        name: {"veto_holder": index < 2, "population": float(40 - 2 * index)}
        for index, name in enumerate(own_names)
    }
    own, _ = variant_rule(section, rows, own_names)
    padded, _ = variant_rule(section, rows, union)
    present = np.asarray([name in rows for name in union])
    rng = np.random.default_rng(7)
    positions = rng.choice([-1, 0, 1], p=[0.04, 0.08, 0.88], size=(20, 4000)).astype(np.int32)
    spread = np.zeros((len(union), 4000), np.int32)
    spread[present] = positions

    def decided(arrays, votes, mask):
        inputs = CoalitionInputs(None, None, jnp.asarray(mask), None, None, arrays, *[None] * 5)
        passes, blockers = _decide(jnp.asarray(votes), inputs)
        return np.asarray(passes), np.asarray(blockers)

    passes, blockers = decided(own, positions, np.ones(20, bool))
    padded_passes, padded_blockers = decided(padded, spread, present)
    assert 0.05 < passes.mean() < 0.99 and blockers.any()
    np.testing.assert_array_equal(passes, padded_passes)
    np.testing.assert_array_equal(blockers, padded_blockers[present])
    assert not padded_blockers[~present].any()


def test_a_permanent_member_without_its_agreement_with_the_target_is_refused():
    from riskengine.models import get_model

    scenario = load_scenario_text(_replaced("France: {agreement_target: 0.506}", "France: {}"))
    with pytest.raises(
        ConfigError,
        match=r"coalition.member_inputs.France.agreement_target: missing; allowed: a number "
        r"from 0 to 1, the permanent member's General Assembly agreement with the target",
    ):
        get_model("coalition").scenario_inputs(scenario)


def test_permanent_seats_and_agreements_reach_the_veto_model():
    from riskengine.models import get_model

    arrays = get_model("coalition").scenario_inputs(load_scenario_text(TINY.read_text())).inputs
    # members: United States, United Kingdom, France, Russia, Denmark (seats USA, UK,
    # France, Russia, China = 0..4); China sits out, its agreement stays 0
    np.testing.assert_array_equal(arrays.veto_seat[0], [0, 1, 2, 3, -1])
    np.testing.assert_allclose(arrays.veto_alignment[0], [0.157, 0.465, 0.506, 0.783, 0.0])
    assert (np.asarray(arrays.veto_seat[2]) == -1).all()  # a coalition of the willing: no veto
