"""Onset then escalation in one path: a certain first-month challenge leaves the crisis
exactly as it runs alone; otherwise the crisis waits for its challenge, and the cube's
three headline probabilities are consistent with each other."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import riskengine
from riskengine.models import ensemble_model
from riskengine.models.escalation import core as escalation
from riskengine.models.onset import core as onset

TINY_ONSET = Path(__file__).resolve().parents[1] / "data" / "tiny_onset.yaml"
NUM_MONTHS = 18


@pytest.fixture(scope="module")
def onset_scenario():
    return riskengine.load_scenario(TINY_ONSET)


@pytest.fixture(scope="module")
def onset_cube(onset_scenario):
    return riskengine.run(onset_scenario, scheduler="threads", progress=False)


def _escalation_params():
    draws = ensemble_model(("escalation",)).models[0].prior_draws(jax.random.key(5), 1)
    return escalation.params_from_draws({k: v[0] for k, v in draws.items()})


def _kernel_totals(names, params, inputs, num_paths=4096):
    key_words = jax.random.key_data(jax.random.key(21)).astype(jnp.uint32)
    return ensemble_model(names).summarize(
        key_words,
        params,
        inputs,
        jnp.arange(num_paths, dtype=jnp.uint32),
        jnp.ones(num_paths, bool),
        num_months=NUM_MONTHS,
    )


def test_a_certain_first_month_challenge_leaves_the_crisis_as_it_runs_alone():
    covariates = jnp.zeros(len(escalation.COVARIATE_NAMES), jnp.float32)
    crisis = escalation.Inputs(covariates, jnp.int32(2))
    certain = onset.Params(jnp.float32(1000.0), jnp.zeros(len(onset.COVARIATE_NAMES)))
    onset_covariates = jnp.zeros(len(onset.COVARIATE_NAMES), jnp.float32)
    crisis_params = tuple(_escalation_params())
    composed = _kernel_totals(
        ("onset", "escalation"), (tuple(certain), crisis_params), (onset_covariates, crisis)
    )
    alone = _kernel_totals(("escalation",), (crisis_params,), (crisis,))
    assert int(composed["onset:challenged_count"][0]) == 4096
    for name in ("level_count", "peak_count"):
        np.testing.assert_array_equal(composed[f"escalation:{name}"], alone[name])


def test_without_a_challenge_no_crisis_starts():
    covariates = jnp.zeros(len(escalation.COVARIATE_NAMES), jnp.float32)
    crisis = escalation.Inputs(covariates, jnp.int32(3))
    never = onset.Params(jnp.float32(-1000.0), jnp.zeros(len(onset.COVARIATE_NAMES)))
    composed = _kernel_totals(
        ("onset", "escalation"),
        (tuple(never), tuple(_escalation_params())),
        (jnp.zeros(len(onset.COVARIATE_NAMES), jnp.float32), crisis),
    )
    assert int(np.asarray(composed["onset:challenged_count"]).max()) == 0
    peak = np.asarray(composed["escalation:peak_count"])
    assert np.all(peak[:, 1:] == 0) and np.all(peak[:, 0] == 4096)


def test_the_cube_states_challenge_war_given_challenge_and_war(onset_cube):
    predictions = onset_cube["predictions"]
    challenged = predictions["p_challenge_by"].isel(month=-1)
    war = predictions["p_war_by"].isel(month=-1)
    given = predictions["p_escalation_war_given_onset_challenge"]
    # every crisis opens with a challenge: P(war) = P(challenge) x P(war | challenge)
    np.testing.assert_allclose(war.values, (challenged * given).fillna(0).values, atol=1e-12)
    peak = predictions["peak_count"].isel(month=-1)
    joint = predictions["joint_count_onset_escalation"]
    unchallenged = predictions["path_count"] - predictions["challenged_count"].isel(month=-1)
    np.testing.assert_array_equal(
        joint.sel(onset_final="no_challenge", escalation_final="settled").values,
        unchallenged.values,
    )
    assert int(joint.sel(onset_final="no_challenge").sum("escalation_final").max()) == int(
        unchallenged.max()
    )
    np.testing.assert_array_equal(peak.sum("level").values, predictions["path_count"].values)
    assert 0 < float(challenged.mean()) < 1


def test_a_pact_ally_added_in_the_crisis_changes_the_pre_crisis_posture(onset_cube):
    covariates = onset_cube["constant_data"]["onset_covariates"]
    allied = covariates.sel(onset_covariate="target_allied_capability").values
    baseline, finland, none = allied
    assert finland > baseline > none == 0.0
    pact = covariates.sel(onset_covariate="target_defence_pact").values
    np.testing.assert_array_equal(pact, [1.0, 1.0, 0.0])
