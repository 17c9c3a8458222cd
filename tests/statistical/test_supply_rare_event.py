"""The importance-sampling estimator is unbiased: against the closed form and against
plain Monte Carlo of the same event in the same paths (fixed seeds, 5 SE).

Event: the importer's shortfall reaches 50% in some month of a 12-month window, with one
producer supplying everything and restrictions covering 60% of it that never lift within
the window, so P(event) = 1 - (1 - p)**12 exactly, p the monthly onset probability (as
its 32-bit threshold realises it)."""

from __future__ import annotations

import numpy as np
import pytest

from riskengine.models.supply_chain.testing import example_params, simulate, single_line
from riskengine.primitives.ordered_logit import probability_to_bits


def _estimates(p: float, tilt: float, paths: int, seed: int):
    params = example_params(
        restriction_coverage=0.6, restriction_end=1e-6, restriction_rate_scale=1.0
    )
    inputs = single_line(
        restriction_probability=p, closure_probability=1e-9, rare_threshold=0.5, tilt=tilt
    )
    _, state = simulate(params, inputs, num_months=12, num_paths=paths, seed=seed, importance=True)
    hits = np.asarray(state.hazards.window_max) >= 0.5
    weights = np.where(hits[1], np.exp(np.asarray(state.hazards.log_weight[1], np.float64)), 0.0)
    plain = hits[0].astype(np.float64)
    return weights, plain


def _exact(p: float) -> float:
    realised = float(np.asarray(probability_to_bits(np.float32(p)))) * 2.0**-32
    return 1.0 - (1.0 - realised) ** 12


@pytest.mark.parametrize(("p", "tilt", "seed"), [(1e-3, 8.0, 1), (3e-3, 4.0, 2)])
def test_importance_sampling_is_unbiased(p, tilt, seed):
    paths = 200_000
    weights, plain = _estimates(p, tilt, paths, seed)
    exact = _exact(p)
    for values in (weights, plain):
        error = values.std() / np.sqrt(paths)
        assert abs(values.mean() - exact) <= 5 * error, (values.mean(), exact, error)
    # both from the same paths: their difference within 5 SE of the difference
    difference = weights - plain
    assert abs(difference.mean()) <= 5 * difference.std() / np.sqrt(paths)


def test_importance_sampling_beats_plain_monte_carlo_on_a_rare_event():
    """At p = 5e-5 a month (P about 6e-4) the variance per path falls more than 5-fold."""
    weights, _ = _estimates(5e-5, 16.0, 100_000, 3)
    exact = _exact(5e-5)
    assert exact < 1e-3
    plain_variance = exact * (1 - exact)
    assert plain_variance / weights.var() > 5.0
    assert abs(weights.mean() - exact) <= 5 * weights.std() / np.sqrt(len(weights))


def test_plain_outputs_do_not_depend_on_the_tilted_copy():
    params = example_params()
    inputs = single_line(
        sourcing=0.8,
        route=0.4,
        restriction_probability=0.01,
        closure_probability=0.01,
        rare_threshold=0.3,
        tilt=10.0,
    )
    plain_only, _ = simulate(
        params, inputs, num_months=12, num_paths=4000, seed=4, importance=False
    )
    with_copy, _ = simulate(params, inputs, num_months=12, num_paths=4000, seed=4, importance=True)
    np.testing.assert_array_equal(plain_only, with_copy)


def test_importance_sampling_of_closures_and_their_severity_is_unbiased():
    """A closure must be severe (severity >= 0.8 of a mean 0.6: one in ten closures) to
    reach the threshold: tilted onsets and severities against plain Monte Carlo of the
    same paths, and the variance per path lower."""
    params = example_params(closure_end=0.3, closure_severity=0.6)
    inputs = single_line(
        sourcing=0.0,
        route=1.0,
        restriction_probability=1e-6,
        closure_probability=0.002,
        rare_threshold=0.8,
        tilt=10.0,
    )
    paths = 200_000
    _, state = simulate(params, inputs, num_months=12, num_paths=paths, seed=7, importance=True)
    hits = np.asarray(state.hazards.window_max) >= 0.8
    weights = np.where(hits[1], np.exp(np.asarray(state.hazards.log_weight[1], np.float64)), 0.0)
    plain = hits[0].astype(np.float64)
    assert plain.sum() > 20
    error = np.sqrt(weights.var() / paths + plain.var() / paths)
    assert abs(weights.mean() - plain.mean()) <= 5 * error, (weights.mean(), plain.mean(), error)
    assert plain.var() / weights.var() > 5.0
