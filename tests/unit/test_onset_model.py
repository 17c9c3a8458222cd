"""The onset model's core: the monthly hazard against its closed form, the simulated
first-challenge month against the geometric law, and the component against the
single-path simulator."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.models import STREAM_INDICES, ensemble_model
from riskengine.models.composite import component_key_words
from riskengine.models.onset import core
from riskengine.models.onset.ensemble import MODEL, OnsetComponent
from riskengine.primitives.counter_rng import stream_words

NUM_MONTHS = 24


def _params(intercept: float, slope: float = 0.0) -> core.Params:
    coefficients = np.zeros(len(core.COVARIATE_NAMES), np.float32)
    coefficients[0] = slope
    return core.Params(jnp.float32(intercept), jnp.asarray(coefficients))


def test_twelve_monthly_hazards_give_the_yearly_probability():
    covariates = jnp.zeros(len(core.COVARIATE_NAMES))
    for intercept in (-9.0, -6.5, -2.0, 1.0):
        params = _params(intercept)
        yearly = float(core.yearly_probability(params, covariates))
        monthly = float(core.monthly_probability(params, covariates))
        assert 1 - (1 - monthly) ** 12 == pytest.approx(yearly, rel=1e-4)
        assert yearly == pytest.approx(1 / (1 + np.exp(-intercept)), rel=1e-5)


def _component_counts(params, covariates, num_paths: int, seed: int):
    key_words = jax.random.key_data(jax.random.key(seed)).astype(jnp.uint32)
    model = ensemble_model(("onset",))
    totals = jax.jit(model.summarize, static_argnames="num_months")(
        key_words,
        (tuple(params),),
        (covariates,),
        jnp.arange(num_paths, dtype=jnp.uint32),
        jnp.ones(num_paths, bool),
        num_months=NUM_MONTHS,
    )
    return key_words, np.asarray(totals["challenged_count"]), int(totals["path_count"])


def test_first_challenges_follow_the_geometric_law_within_five_standard_errors():
    params = _params(-1.5)
    covariates = jnp.zeros(len(core.COVARIATE_NAMES), jnp.float32)
    _, challenged, paths = _component_counts(params, covariates, 40_000, seed=7)
    monthly = float(core.monthly_probability(params, covariates))
    months = np.arange(1, NUM_MONTHS + 1)
    expected = 1 - (1 - monthly) ** months
    standard_error = np.sqrt(expected * (1 - expected) / paths)
    assert paths == 40_000
    assert np.all(np.abs(challenged / paths - expected) < 5 * standard_error)
    assert np.all(np.diff(challenged) >= 0)


def test_the_component_counts_the_paths_the_simulator_draws():
    params = _params(-0.5)
    covariates = jnp.zeros(len(core.COVARIATE_NAMES), jnp.float32)
    key_words, challenged, _ = _component_counts(params, covariates, 300, seed=11)
    own_words = component_key_words(key_words, STREAM_INDICES["onset"])  # the model's stream
    months = jax.vmap(
        lambda index: core.simulate(
            own_words, params, covariates, num_months=NUM_MONTHS, path_index=index
        )
    )(jnp.arange(300, dtype=jnp.uint32))
    months = np.asarray(months)
    by_month = [(months > 0) & (months <= m) for m in range(1, NUM_MONTHS + 1)]
    np.testing.assert_array_equal(challenged, np.sum(by_month, axis=1))


def test_invalid_paths_never_challenge():
    component = OnsetComponent()
    params = _params(1000.0)  # a challenge is certain every month (h = 1 - exp(-1000/12))
    covariates = jnp.zeros(len(core.COVARIATE_NAMES), jnp.float32)
    key_words = jax.random.key_data(jax.random.key(3)).astype(jnp.uint32)
    index = jnp.arange(64, dtype=jnp.uint32)
    valid = index < 32
    stream = stream_words(key_words, index)
    state = component.start(key_words, params, covariates, stream, valid, {}, num_months=6)
    for step in range(5):
        state = component.step(key_words, params, covariates, stream, state, step, {})
    assert np.all(np.asarray(state.challenge_month)[32:] == 0)
    assert np.all(np.asarray(state.challenge_month)[:32] > 0)


def test_prior_draws_have_the_declared_shapes():
    draws = MODEL.prior_draws(jax.random.key(0), 10)
    assert draws["intercept"].shape == (10,)
    assert draws["coefficients"].shape == (10, len(core.COVARIATE_NAMES))


def test_every_model_has_its_own_stream_number():
    from riskengine.models import MODEL_NAMES

    assert set(STREAM_INDICES) == set(MODEL_NAMES)
    assert sorted(STREAM_INDICES.values()) == list(range(len(MODEL_NAMES)))
    assert STREAM_INDICES["escalation"] == 0  # escalation alone uses the draw's own key
