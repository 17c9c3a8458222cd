"""The joining component against closed forms: with a constant crisis level, P(joined
by month m) = 1 - (1 - h)**m; and the fit's likelihood P(joined during a dispute) equals
the simulated share of paths joined over its months at its peak level. Monte Carlo
within 5 standard errors, fixed seeds."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from riskengine.models.joining import core
from riskengine.models.joining.data import COVARIATE_NAMES
from riskengine.models.joining.ensemble import JoiningComponent, JoiningInputs
from riskengine.primitives.counter_rng import stream_words

NUM_PATHS = 40_000
COMPONENT = JoiningComponent()
PARAMS = core.Params(
    intercept=jnp.float32(-3.0),
    coefficients=jnp.asarray([1.0, 0.5, 0.3, 0.4, 0.6, 0.0, 0.0, 0.0, 0.0], jnp.float32),
    level_effects=jnp.asarray([-1.0, -0.5, 0.8], jnp.float32),
)
MEMBERS = np.asarray(
    [[1, 0, -2.0, 1, 0, 1, 0, 0, 0], [0, 1, 1.0, 0, 1, 1, 0, 0, 0], [0, 0, 0.0, 0, 0, 1, 0, 0, 0]],
    np.float32,
)


def _joined_months(level: int, num_months: int, seed: int) -> np.ndarray:
    """(member, paths) joining months with the crisis held at ``level``."""
    inputs = JoiningInputs(jnp.asarray(MEMBERS), jnp.ones(len(MEMBERS), bool))
    words = jax.random.key_data(jax.random.key(seed)).astype(jnp.uint32)
    stream = stream_words(words, jnp.arange(NUM_PATHS))
    valid = jnp.ones(NUM_PATHS, bool)
    context = {"level": jnp.full(NUM_PATHS, level, jnp.int32)}
    state = COMPONENT.start(words, PARAMS, inputs, stream, valid, context, num_months=num_months)
    for step in range(num_months - 1):
        state = COMPONENT.step(words, PARAMS, inputs, stream, state, jnp.uint32(step), context)
    return np.asarray(state.joined_month)


def _within(simulated: np.ndarray, expected: np.ndarray) -> None:
    error = np.sqrt(expected * (1 - expected) / NUM_PATHS)
    assert np.all(np.abs(simulated - expected) <= 5 * error + 1e-9), (simulated, expected)


@pytest.mark.parametrize(("level", "seed"), [(1, 11), (2, 12), (3, 13), (4, 14)])
def test_constant_level_matches_geometric_closed_form(level, seed):
    months = _joined_months(level, 12, seed)
    hazard = np.asarray(core.hazard_table(PARAMS, jnp.asarray(MEMBERS)))[:, level]
    for month in (1, 3, 12):
        simulated = ((months > 0) & (months <= month)).mean(axis=1)
        _within(simulated, 1 - (1 - hazard) ** month)


def test_settled_crisis_never_joins():
    assert (_joined_months(0, 6, 21) == 0).all()


def test_absent_member_never_joins():
    inputs = JoiningInputs(jnp.asarray(MEMBERS), jnp.asarray([True, False, True]))
    words = jax.random.key_data(jax.random.key(5)).astype(jnp.uint32)
    stream = stream_words(words, jnp.arange(1000))
    context = {"level": jnp.full(1000, 4, jnp.int32)}
    state = COMPONENT.start(
        words, PARAMS, inputs, stream, jnp.ones(1000, bool), context, num_months=2
    )
    assert (np.asarray(state.joined_month)[1] == 0).all()


@pytest.mark.parametrize(("peak", "duration", "seed"), [(2, 3, 31), (3, 7, 32), (4, 10, 33)])
def test_likelihood_matches_simulator(peak, duration, seed):
    months = _joined_months(peak, duration, seed)
    joined_log, not_joined_log = core.log_probability_joined(
        PARAMS, jnp.asarray(MEMBERS), jnp.full(len(MEMBERS), peak), jnp.full(len(MEMBERS), duration)
    )
    expected = np.exp(np.asarray(joined_log, np.float64))
    np.testing.assert_allclose(expected + np.exp(np.asarray(not_joined_log)), 1.0, atol=1e-5)
    _within((months > 0).mean(axis=1), expected)


def test_case_control_offset_is_the_sampled_probability():
    """logit P(y | x, sampled) = logit P(y | x) - log f for a stratum whose non-joiners
    are kept with probability f: P(y | sampled) = p / (p + f (1 - p))."""
    fraction = 0.05
    candidates = {
        "covariates": jnp.asarray(MEMBERS),
        "peak_level": jnp.full(3, 3, jnp.int32),
        "duration_months": jnp.full(3, 4, jnp.int32),
        "joined": jnp.ones(3, jnp.int32),
        "sampling_log_fraction": jnp.full(3, np.log(fraction), jnp.float32),
    }
    joined_log, _ = core.log_probability_joined(
        PARAMS, candidates["covariates"], candidates["peak_level"], candidates["duration_months"]
    )
    probability = np.exp(np.asarray(joined_log, np.float64))
    sampled = probability / (probability + fraction * (1 - probability))
    np.testing.assert_allclose(
        np.exp(np.asarray(core.log_likelihood(PARAMS, candidates))), sampled, rtol=1e-4
    )
    assert len(COVARIATE_NAMES) == MEMBERS.shape[1]
