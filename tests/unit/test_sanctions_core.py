"""The sanctions core: shapes, jit/vmap invariance, the closed-form duration likelihood
against a month-by-month product, and the simulator against the core's probabilities."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import pytest
from numpyro.infer import Predictive

from riskengine.models.sanctions import core
from riskengine.models.sanctions.coding import COVARIATE_NAMES, ERA_NAMES, ISSUE_NAMES
from riskengine.models.sanctions.testing import example_inputs, example_params
from riskengine.primitives.ordered_logit import category_probabilities

PARAMS = example_params()
INPUTS = example_inputs()


def _cases(num_cases: int, seed: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    covariates = np.column_stack(
        [
            np.log(rng.integers(1, 4, num_cases)),
            rng.random(num_cases) < 0.2,
            rng.random(num_cases) * 0.5,
            rng.random(num_cases) < 0.2,
            rng.random(num_cases),
            rng.random(num_cases) < 0.2,
            rng.random(num_cases) < 0.4,
        ]
    ).astype(np.float32)
    return {
        "covariates": covariates,
        "issue": rng.integers(0, len(ISSUE_NAMES), num_cases).astype(np.int32),
        "era": rng.integers(0, len(ERA_NAMES), num_cases).astype(np.int32),
        "duration_months": rng.integers(1, 40, num_cases).astype(np.int32),
        "outcome": rng.integers(0, 3, num_cases).astype(np.int32),
        "target_cost": rng.integers(-1, 3, num_cases).astype(np.int32),
        "sender_cost": rng.integers(-1, 3, num_cases).astype(np.int32),
    }


def test_simulate_shapes_and_dtypes():
    result = core.simulate(jax.random.key(0), PARAMS, INPUTS, num_months=24)
    assert isinstance(result, core.Result)
    for name, value in result._asdict().items():
        assert value.shape == () and value.dtype == jnp.int32, (name, value)
    assert 0 <= int(result.end_month) <= 24
    assert int(result.outcome) == -1 if int(result.end_month) == 0 else 0 <= int(result.outcome) < 3


def test_probability_shapes_and_sums():
    cases = _cases(11)
    months = jnp.asarray(cases["duration_months"])
    args = (PARAMS, cases["covariates"])
    outcome = core.outcome_probabilities(*args, cases["issue"], cases["era"], months)
    for probabilities in (
        outcome,
        core.target_cost_probabilities(*args),
        core.sender_cost_probabilities(*args),
    ):
        assert probabilities.shape == (11, 3)
        np.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-6)
        assert np.all(probabilities >= 0)
    hazard = core.end_probability(*args, months)
    assert hazard.shape == (11,) and np.all((hazard > 0) & (hazard < 1))
    grid = core.end_probability(PARAMS, cases["covariates"][:, None, :], jnp.arange(1, 6))
    assert grid.shape == (11, 5)


def test_parameter_dims_cover_params():
    assert set(core.PARAMETER_DIMS) == set(core.Params._fields)
    for name, dims in core.PARAMETER_DIMS.items():
        expected = tuple(len(core.PARAMETER_COORDS[dim]) for dim in dims)
        assert np.shape(getattr(PARAMS, name)) == expected, name
    assert core.PARAMETER_COORDS["sanction_covariate"] == COVARIATE_NAMES


def test_jit_equals_no_jit():
    key = jax.random.key(4)
    eager = core.simulate(key, PARAMS, INPUTS, num_months=30)
    compiled = jax.jit(lambda k: core.simulate(k, PARAMS, INPUTS, num_months=30))(key)
    assert eager == compiled
    cases = _cases(20)
    likelihood = core.case_log_likelihood(PARAMS, cases)
    jitted = jax.jit(lambda p, c: core.case_log_likelihood(p, c, num_months=39))(PARAMS, cases)
    np.testing.assert_allclose(likelihood, jitted, rtol=1e-5)


def test_vmap_equals_loop():
    cases = _cases(6)
    inputs = core.Inputs(
        jnp.asarray(cases["covariates"]), jnp.asarray(cases["issue"]), jnp.asarray(cases["era"])
    )
    keys = jax.random.split(jax.random.key(5), 6)
    batched = jax.vmap(lambda k, i: core.simulate(k, PARAMS, i, num_months=12))(keys, inputs)
    for index in range(6):
        single = core.simulate(
            keys[index], PARAMS, jax.tree.map(lambda v, i=index: v[i], inputs), num_months=12
        )
        for name in core.Result._fields:
            assert int(getattr(batched, name)[index]) == int(getattr(single, name)), (index, name)


def test_same_key_same_case_different_key_differs():
    first = jax.vmap(lambda k: core.simulate(k, PARAMS, INPUTS, num_months=24))(
        jax.random.split(jax.random.key(6), 200)
    )
    again = jax.vmap(lambda k: core.simulate(k, PARAMS, INPUTS, num_months=24))(
        jax.random.split(jax.random.key(6), 200)
    )
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert len(np.unique(np.asarray(first.end_month))) > 5


def _brute_force_duration(params, covariates, duration):
    """prod_{m<d} (1 - h_m) * h_d, month by month in float64."""
    probability = 1.0
    for month in range(1, duration + 1):
        hazard = float(core.end_probability(params, covariates, month))
        probability *= hazard if month == duration else 1.0 - hazard
    return probability


def test_closed_form_duration_likelihood_equals_month_by_month_product():
    cases = _cases(8, seed=9)
    log_end, log_survival = core.duration_log_probabilities(PARAMS, cases["covariates"], 39)
    for index in range(8):
        duration = int(cases["duration_months"][index])
        expected = _brute_force_duration(PARAMS, cases["covariates"][index], duration)
        np.testing.assert_allclose(np.exp(log_end[index, duration - 1]), expected, rtol=2e-5)
        survival = expected / float(
            core.end_probability(PARAMS, cases["covariates"][index], duration)
        )
        survival *= 1.0 - float(core.end_probability(PARAMS, cases["covariates"][index], duration))
        np.testing.assert_allclose(np.exp(log_survival[index, duration - 1]), survival, rtol=2e-5)


def test_case_log_likelihood_is_the_sum_of_its_terms():
    cases = _cases(12, seed=10)
    total = core.case_log_likelihood(PARAMS, cases)
    for index in range(12):
        covariates = cases["covariates"][index]
        duration = int(cases["duration_months"][index])
        expected = np.log(_brute_force_duration(PARAMS, covariates, duration))
        outcome = core.outcome_probabilities(
            PARAMS, covariates, cases["issue"][index], cases["era"][index], duration
        )
        expected += np.log(float(outcome[cases["outcome"][index]]))
        for name, function in (
            ("target_cost", core.target_cost_probabilities),
            ("sender_cost", core.sender_cost_probabilities),
        ):
            cost = int(cases[name][index])
            if cost >= 0:
                expected += np.log(float(function(PARAMS, covariates)[cost]))
        np.testing.assert_allclose(float(total[index]), expected, rtol=1e-4, atol=1e-5)


def test_censored_cases_contribute_their_survival_only():
    cases = _cases(5, seed=11)
    censored = {**cases, "ended": np.zeros(5, bool), "target_cost": -np.ones(5, np.int32)}
    censored["sender_cost"] = -np.ones(5, np.int32)
    _, log_survival = core.duration_log_probabilities(PARAMS, cases["covariates"], 39)
    expected = log_survival[np.arange(5), cases["duration_months"] - 1]
    np.testing.assert_allclose(core.case_log_likelihood(PARAMS, censored), expected, rtol=1e-6)


def _within_five_standard_errors(estimate, truth, num_samples, label):
    standard_error = np.sqrt(np.maximum(truth * (1 - truth), 1e-12) / num_samples)
    z = (estimate - truth) / standard_error
    assert np.all(np.abs(z) < 5), (
        f"{label}: estimate {np.round(estimate, 4)}, truth {np.round(truth, 4)}, "
        f"SE {np.round(standard_error, 4)} (n = {num_samples} independent paths, ESS = n)"
    )


def test_simulator_matches_the_core_probabilities():
    """20,000 paths of one case: end-month bins, outcomes and costs within 5 MC SEs."""
    num_paths, num_months = 20_000, 36
    keys = jax.random.split(jax.random.key(7), num_paths)
    result = jax.jit(jax.vmap(lambda k: core.simulate(k, PARAMS, INPUTS, num_months=num_months)))(
        keys
    )
    log_end, log_survival = core.duration_log_probabilities(PARAMS, INPUTS.covariates, num_months)
    end = np.exp(np.asarray(log_end, np.float64))
    edges = [(1, 1), (2, 3), (4, 6), (7, 12), (13, 36)]
    end_month = np.asarray(result.end_month)
    truth = [end[a - 1 : b].sum() for a, b in edges] + [float(np.exp(log_survival[-1]))]
    estimate = [np.mean((end_month >= a) & (end_month <= b)) for a, b in edges]
    estimate.append(np.mean(end_month == 0))
    _within_five_standard_errors(np.array(estimate), np.array(truth), num_paths, "end month")

    months = jnp.arange(1, num_months + 1)
    given_month = core.outcome_probabilities(
        PARAMS, INPUTS.covariates, INPUTS.issue, INPUTS.era, months
    )
    outcome_truth = np.asarray(end @ np.asarray(given_month, np.float64))
    outcome = np.asarray(result.outcome)
    outcome_estimate = np.array([np.mean(outcome == k) for k in range(3)])
    _within_five_standard_errors(outcome_estimate, outcome_truth, num_paths, "outcome")
    for name, function in (
        ("target_cost", core.target_cost_probabilities),
        ("sender_cost", core.sender_cost_probabilities),
    ):
        drawn = np.asarray(getattr(result, name))
        estimate = np.array([np.mean(drawn == k) for k in range(3)])
        truth = np.asarray(function(PARAMS, INPUTS.covariates), np.float64)
        _within_five_standard_errors(estimate, truth, num_paths, name)


def test_stable_log_probabilities_equal_log_of_category_probabilities():
    location = jnp.linspace(-6.0, 6.0, 25)
    cutpoints = jnp.array([-0.5, 1.7])
    expected = np.log(category_probabilities(cutpoints, location))
    for category in range(3):
        got = core._log_category_probability(cutpoints, location, jnp.full(25, category))
        np.testing.assert_allclose(got, expected[:, category], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("with_data", [False, True])
def test_model_prior_predictive_runs(with_data):
    cases = _cases(15) if with_data else None
    draws = Predictive(core.model, num_samples=50)(jax.random.key(8), cases)
    params = core.params_from_draws(draws)
    assert params.hazard_coefficients.shape == (50, 7)
    assert params.issue_effect.shape == (50, 5) and params.era_effect.shape == (50, 3)
    assert np.all(np.diff(np.asarray(params.outcome_cutpoints), axis=-1) > 0)
    raw = draws["issue_raw"] - draws["issue_raw"].mean(-1, keepdims=True)
    np.testing.assert_allclose(
        params.issue_effect, draws["issue_scale"][:, None] * raw, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(params.era_effect.sum(-1), 0.0, atol=1e-5)
    simulated = jax.vmap(lambda k, p: core.simulate(k, p, INPUTS, num_months=24))(
        jax.random.split(jax.random.key(9), 50), params
    )
    assert simulated.end_month.shape == (50,)
    assert np.all((np.asarray(simulated.outcome) >= -1) & (np.asarray(simulated.outcome) < 3))


def test_duration_blocks_give_the_same_summed_likelihood():
    cases = _cases(60, seed=12)
    cases["duration_months"][:3] = [150, 90, 1]
    blocks, grids = core.split_by_duration(cases, max_blocks=4)
    assert len(blocks) <= 4 and sum(len(b["outcome"]) for b in blocks) == 60
    assert all(b["duration_months"].max() == grid for b, grid in zip(blocks, grids, strict=True))
    whole = float(jnp.sum(core.case_log_likelihood(PARAMS, cases)))
    split = sum(
        float(jnp.sum(core.case_log_likelihood(PARAMS, block, num_months=grid)))
        for block, grid in zip(blocks, grids, strict=True)
    )
    np.testing.assert_allclose(split, whole, rtol=1e-5)
    sites = {"hazard_intercept": -2.0}
    conditioned = numpyro.handlers.condition(core.model, sites)
    whole_trace = numpyro.handlers.trace(numpyro.handlers.seed(conditioned, 0)).get_trace(cases)
    split_trace = numpyro.handlers.trace(numpyro.handlers.seed(conditioned, 0)).get_trace(
        blocks, num_months=grids
    )
    np.testing.assert_allclose(
        split_trace["cases"]["fn"].log_factor, whole_trace["cases"]["fn"].log_factor, rtol=1e-5
    )
