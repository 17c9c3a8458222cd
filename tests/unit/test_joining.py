"""The joining model's pieces without data: its section, the members' covariates, the
hazard table and the fit command's argument checks."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.config.core import Actor
from riskengine.models.escalation.section import Member
from riskengine.models.joining import core
from riskengine.models.joining.data import COVARIATE_NAMES
from riskengine.models.joining.ensemble import member_covariates
from riskengine.models.joining.fit import fit_command
from riskengine.models.joining.section import JoiningPatch, JoiningSection

ACTORS = {name: Actor(name=name, capability=0.01) for name in ("Estonia", "Latvia", "Finland")}


def test_section_names_actors_once():
    section = JoiningSection(members=["Latvia", "Latvia"], contiguous=["Atlantis"])
    problems = dict(section.problems(ACTORS))
    assert problems[("members", 1)] == "got 'Latvia' twice; allowed: each actor once"
    assert problems[("contiguous", 0)].startswith("got 'Atlantis'; allowed: an actor")


def test_members_follow_the_variant_coalition():
    assert JoiningSection().joining_members(("Latvia", "Finland")) == ("Latvia", "Finland")
    section = JoiningSection(members=["Finland", "Latvia"])
    assert section.joining_members(("Latvia",)) == ("Latvia",)  # Finland removed by a variant
    patched, _ = JoiningPatch(members=["Latvia"]).apply(section, ACTORS)
    assert patched.members == ["Latvia"] and patched.contiguous == []


def _named(name, capability, major_power, commitment, contiguous, era) -> dict:
    member = Member(name, capability, major_power, commitment)
    return dict(zip(COVARIATE_NAMES, member_covariates(member, contiguous, era), strict=True))


def test_member_covariates_map_commitments():
    pact = _named("A", 0.01, True, "defence_pact", True, "post_cold_war")
    assert pact["defence_pact"] == 1 and pact["other_pledge"] == 0
    assert pact["land_contiguity"] == 1 and pact["major_power"] == 1
    assert pact["log_capability"] == pytest.approx(0.0)
    assert pact["defending_side"] == 1 and pact["era_cold_war"] == 0
    ad_hoc = _named("B", 0.001, False, "ad_hoc", False, "cold_war")
    assert ad_hoc["defence_pact"] == 0 and ad_hoc["other_pledge"] == 1
    assert ad_hoc["era_cold_war"] == 1 and ad_hoc["log_capability"] == pytest.approx(np.log(0.1))
    none = _named("C", 0.01, False, "none", False, "post_cold_war")
    assert none["defence_pact"] == none["other_pledge"] == 0


def test_hazard_is_zero_when_settled_and_uses_the_reference_level():
    params = core.Params(
        jnp.float32(-2.0), jnp.zeros(len(COVARIATE_NAMES)), jnp.asarray([-1.0, 0.5, 1.0])
    )
    table = np.asarray(core.hazard_table(params, jnp.zeros((1, len(COVARIATE_NAMES)))))[0]
    logistic = 1 / (1 + np.exp(-np.asarray([-3.0, -1.5, -2.0, -1.0])))
    assert table[0] == 0
    np.testing.assert_allclose(table[1:], logistic, rtol=1e-5)


def test_fit_command_refuses_a_columns_map(capsys):
    assert fit_command(None, None, 1, 1, 1, 1, False, columns="map.yaml") == 2
    assert "joining reads COW MID only" in capsys.readouterr().err
